"""Debian packages as payloads: `nxtctl push pkg.deb` to a client that installs
it with the real dpkg into a throw-away root (package_root), built here.

Maintainer scripts run chrooted into that root (dpkg --root), so it gets a
/bin/sh, and dpkg needs root for the chroot: the tests skip elsewhere.
"""

import os
import re
import shutil
import subprocess
import unittest

from nxt_harness import NxtTestCase


def dpkg_arch():
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()


@unittest.skipUnless(os.geteuid() == 0, "needs root: dpkg chroots into the package root for maintainer scripts")
class PackagePayloads(NxtTestCase):
    def make_root(self):
        root = os.path.join(self.tmp, "pkgroot")
        for d in ("var/lib/dpkg/updates", "var/lib/dpkg/info", "var/lib/dpkg/triggers", "bin"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        for f in ("status", "available"):
            open(os.path.join(root, "var/lib/dpkg", f), "w").close()
        # /bin/sh and the libraries it loads, for the chrooted maintainer scripts.
        libs = re.findall(r"(/\S+)", subprocess.run(["ldd", "/bin/sh"], capture_output=True, text=True).stdout)
        for f in libs:
            dest = os.path.join(root, f.lstrip("/"))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copy(f, dest)
        shutil.copy("/bin/sh", os.path.join(root, "bin/sh"))
        return root

    def deb(self, version, depends="", postinst_exit=0, arch=None):
        arch = arch or dpkg_arch()
        src = os.path.join(self.tmp, "src-%s-%s" % (version, arch))
        os.makedirs(os.path.join(src, "DEBIAN"), exist_ok=True)
        os.makedirs(os.path.join(src, "usr/share/hello"), exist_ok=True)
        with open(os.path.join(src, "usr/share/hello/version"), "w") as f:
            f.write(version + "\n")
        with open(os.path.join(src, "DEBIAN/control"), "w") as f:
            f.write("Package: hello\nVersion: %s\nArchitecture: %s\nMaintainer: nxt tests <t@nxt.invalid>\n"
                    "Description: test package\n" % (version, arch))
            if depends:
                f.write("Depends: %s\n" % depends)
        postinst = os.path.join(src, "DEBIAN/postinst")
        with open(postinst, "w") as f:
            f.write("#!/bin/sh\nexit %d\n" % postinst_exit)
        os.chmod(postinst, 0o755)
        out = os.path.join(self.tmp, "hello_%s_%s.deb" % (version, arch))
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", src, out], check=True,
                       capture_output=True)
        return out

    def installed(self, root):
        r = subprocess.run(["dpkg-query", "--admindir=" + os.path.join(root, "var/lib/dpkg"), "-W",
                            "-f=${db:Status-Status} ${Version}", "hello"], capture_output=True, text=True)
        return r.stdout.replace("installed ", "") if r.stdout.startswith("installed ") else ""

    def start(self, packages=True):
        server = self.start_server()
        root = self.make_root()
        client = self.start_client("host-1", server.v4, config={"packages": packages, "package_root": root})
        self.wait_registered(server, client)
        return server, client, root

    def target(self, r):
        return r.last()["progress"]["targets"][0]

    def test_installs_upgrades_refuses_unmet_dependencies_and_rolls_back_a_failing_postinst(self):
        server, client, root = self.start()
        r = self.ctl(server, "push", self.deb("1.0"))
        self.assertEqual(r.rc, 0, str(r))
        self.assertEqual(self.target(r)["reason"], "installed package hello 1.0 (new)")
        self.assertEqual(self.installed(root), "1.0")

        r = self.ctl(server, "push", self.deb("2.0"), json_out=False)
        self.assertEqual(r.rc, 0, str(r))
        self.assertRegex(r.out, r"host-1\s+installed\s.*installed package hello 2\.0 \(was 1\.0\)")
        self.assertEqual(self.installed(root), "2.0")

        r = self.ctl(server, "push", self.deb("3.0", depends="nxt-no-such-package (>= 3)"))
        self.assertEqual(r.rc, 1, str(r))
        self.assertIn("unmet dependencies", self.target(r)["reason"])
        self.assertIn("nxt-no-such-package", self.target(r)["reason"])
        self.assertEqual(self.installed(root), "2.0")

        r = self.ctl(server, "push", self.deb("4.0", postinst_exit=1))
        self.assertEqual(r.rc, 1, str(r))
        self.assertIn("post-installation", self.target(r)["reason"])
        self.assertIn("rolled back to hello 2.0", self.target(r)["reason"])
        self.assertEqual(self.installed(root), "2.0")
        with open(os.path.join(root, "usr/share/hello/version")) as f:
            self.assertEqual(f.read(), "2.0\n")
        client.wait_log(r"package hello 4\.0 not installed: .*rolled back to hello 2\.0")
        self.assertTrue(client.alive())

    def test_a_package_for_another_architecture_is_refused(self):
        server, client, root = self.start()
        other = "amd64" if dpkg_arch() != "amd64" else "arm64"
        r = self.ctl(server, "push", self.deb("1.0", arch=other))
        self.assertEqual(r.rc, 1, str(r))
        self.assertRegex(self.target(r)["reason"], r"linux-%s-gnu, this host is linux-\w+-gnu" % other)
        self.assertEqual(self.installed(root), "")

    def test_a_host_with_packages_off_refuses_a_package_and_keeps_serving(self):
        server, client, root = self.start(packages=False)
        r = self.ctl(server, "push", self.deb("1.0"))
        self.assertEqual(r.rc, 1, str(r))
        self.assertIn("package payloads are disabled on this host", self.target(r)["reason"])
        self.assertEqual(self.installed(root), "")
        self.assertEqual(self.status(client).get("running_source"), "default")

    def test_a_package_pushed_for_later_is_staged_then_installed_on_activate(self):
        server, client, root = self.start()
        r = self.ctl(server, "push", "--later", self.deb("1.0"))
        self.assertEqual(r.rc, 0, str(r))
        self.assertEqual(self.target(r)["state"], "TARGET_STAGED")
        self.assertEqual(self.target(r)["reason"], "staged package hello 1.0")
        self.assertEqual(self.installed(root), "")
        self.assertTrue(os.path.exists(os.path.join(client.dir, "packages", "hello_1.0_%s.deb" % dpkg_arch())))
        r = self.ctl(server, "activate", "--to", "host-1")
        self.assertEqual(r.rc, 0, str(r))
        self.assertEqual(self.installed(root), "1.0")
        client.wait_log(r"activated package hello 1\.0 \(new\)")

    def test_a_release_with_a_package_per_architecture_installs_this_hosts_one(self):
        server, client, root = self.start()
        other = "amd64" if dpkg_arch() != "amd64" else "arm64"
        r = self.ctl(server, "push", "--release", "hello", self.deb("2.0"), self.deb("2.0", arch=other))
        self.assertEqual(r.rc, 0, str(r))
        self.assertEqual(self.target(r)["reason"], "installed package hello 2.0 (new)")
        self.assertEqual(self.installed(root), "2.0")
        mislabelled = self.ctl(server, "push", "--release", "hello",
                               self.deb("2.0", arch=other) + "@linux-%s-gnu" % dpkg_arch())
        self.assertEqual(mislabelled.rc, 1, str(mislabelled))
        self.assertIn("is a package for linux-%s-gnu, not linux-%s-gnu" % (other, dpkg_arch()), mislabelled.err)


if __name__ == "__main__":
    unittest.main()
