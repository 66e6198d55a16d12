"""Several platforms: per-platform artifacts in one release, skipped hosts, mislabelled builds.

The two-platform fleet runs an arm64 nxt-clientd (cross-built by
tests/cross/build-arm64.sh into NXT_ARM64_BUILD, default ./build-arm64) under
qemu-user next to a native amd64 one. Where that build or qemu-aarch64-static
is missing those tests are skipped with the reason; CI builds both first.
"""

import os
import shutil
import subprocess
import unittest

from nxt_harness import NxtTestCase, _REPO, plugin, sha256_file, sha_hex

ARM64_BUILD = os.environ.get("NXT_ARM64_BUILD", os.path.join(_REPO, "build-arm64"))
ARM64_CLIENTD = os.path.join(ARM64_BUILD, "daemon/client/nxt-clientd")
QEMU = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")


def arm64_plugin(name):
    base = "libfunctional.so" if name == "" else "libfunctional_%s.so" % name
    return os.path.join(ARM64_BUILD, "plugins", base)


def qemu_missing():
    """Why the arm64 client cannot run here, or None."""
    if not os.path.exists(ARM64_CLIENTD):
        return "no arm64 build at %s (run tests/cross/build-arm64.sh)" % ARM64_BUILD
    if not QEMU:
        return "qemu-aarch64-static not installed (apt-get install qemu-user-static)"
    probe = subprocess.run([QEMU, ARM64_CLIENTD, "--version"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return "qemu-user cannot run the arm64 client here: " + (probe.stderr or probe.stdout).strip()[:200]
    return None


class ReleaseChecks(NxtTestCase):
    """What the server refuses before storing anything (native only)."""

    def test_a_build_labelled_with_another_platform_is_refused_before_anything_is_pushed(self):
        server = self.start_server()
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        r = self.ctl(server, "push", "--release", "libfunctional:5.6", plugin("foreign") + "@linux-amd64-gnu")
        self.assertEqual(r.rc, 1, str(r))
        self.assertRegex(r.err, r"built for linux-arm64-gnu, not linux-amd64-gnu", str(r))
        self.assertEqual(self.status(client).get("running_source"), "default")

    def test_several_files_without_a_release_name_are_refused_with_how_to_name_it(self):
        server = self.start_server()
        r = self.ctl(server, "push", plugin("2_0"), plugin("1_0"))
        self.assertEqual(r.rc, 1, str(r))
        self.assertIn("--release NAME:MAJOR.MINOR", r.err)

    def test_a_release_with_group_or_wave_is_refused_rather_than_half_applied(self):
        server = self.start_server()
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        r = self.ctl(server, "push", "--release", "libfunctional:8.6", "--wave", "50%", plugin("2_0"))
        self.assertEqual(r.rc, 1, str(r))
        self.assertIn("do not apply to a multi-platform release yet", r.err)

    def test_a_native_only_release_installs_on_a_native_host_with_its_signed_platform(self):
        server = self.start_server()
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        r = self.ctl(server, "push", "--release", "libfunctional", plugin("2_0"))
        self.assertEqual(r.rc, 0, str(r))
        self.assert_version_logged(client, 8, 6)
        self.assertEqual(sha_hex(self.status(client).get("running")), sha256_file(plugin("2_0")))


class ATwoPlatformFleet(NxtTestCase):
    """A native amd64 client and an arm64 client under qemu-user, one server."""

    # Seconds: everything the arm64 client does is emulated.
    START_TIMEOUT = 60
    REGISTER_TIMEOUT = 60

    @classmethod
    def setUpClass(cls):
        why = qemu_missing()
        if why:
            raise unittest.SkipTest("two-platform fleet skipped: " + why)

    def start_fleet(self):
        server = self.start_server()
        amd64 = self.start_client("host-amd64", server.v4)
        arm64 = self.start_client("host-arm64", server.v6, clientd=ARM64_CLIENTD, launcher=[QEMU],
                                  default_plugin=arm64_plugin(""))
        for c in (amd64, arm64):
            self.assert_version_logged(c, 5, 6, timeout=60)
        self.wait_registered(server, amd64, arm64)
        return server, amd64, arm64

    def test_each_host_reports_its_platform(self):
        server, amd64, arm64 = self.start_fleet()
        listed = self.clients(server)
        self.assertEqual(listed["host-amd64"]["platform"], "linux-amd64-gnu")
        self.assertEqual(listed["host-arm64"]["platform"], "linux-arm64-gnu")
        human = self.ctl_ok(server, "clients", json_out=False).out
        self.assertRegex(human, r"host-arm64\s+\S+\s+linux-arm64-gnu")

    def test_a_two_platform_release_gives_each_host_its_own_build_and_each_logs_8_6(self):
        server, amd64, arm64 = self.start_fleet()
        # The amd64 part's platform comes from its ELF header, the arm64 one is named.
        r = self.ctl(server, "push", "--release", "libfunctional:8.6", plugin("2_0"),
                     arm64_plugin("2_0") + "@linux-arm64-gnu", timeout=300)
        self.assertEqual(r.rc, 0, str(r))
        targets = {t["client_id"]: t for t in r.last()["progress"]["targets"]}
        self.assertEqual(targets["host-amd64"]["state"], "TARGET_INSTALLED", targets)
        self.assertEqual(targets["host-arm64"]["state"], "TARGET_INSTALLED", targets)
        self.assert_version_logged(amd64, 8, 6)
        self.assert_version_logged(arm64, 8, 6, timeout=60)
        self.assertEqual(sha_hex(self.status(amd64).get("running")), sha256_file(plugin("2_0")))
        self.assertEqual(sha_hex(self.status(arm64).get("running")), sha256_file(arm64_plugin("2_0")))
        self.assertNotEqual(sha256_file(plugin("2_0")), sha256_file(arm64_plugin("2_0")))

    def test_a_host_whose_platform_the_release_lacks_is_skipped_and_told_why(self):
        server, amd64, arm64 = self.start_fleet()
        r = self.ctl(server, "push", "--release", "libfunctional:8.6", plugin("2_0"), json_out=False)
        self.assertEqual(r.rc, 0, str(r))  # skipped is reported, not a failure
        self.assertRegex(r.out, r"host-arm64\s+skipped\s.*no artifact for linux-arm64-gnu")
        self.assertRegex(r.out, r"host-amd64\s+installed")
        self.assertIn("all 1 host installed; 1 skipped (no artifact for their platform)", r.out)
        self.assert_version_logged(amd64, 8, 6)
        self.assertEqual(self.status(arm64).get("running_source"), "default")
        self.assertIn("skipped: no artifact for linux-arm64-gnu", self.clients(server)["host-arm64"]["last_result"])


if __name__ == "__main__":
    unittest.main()
