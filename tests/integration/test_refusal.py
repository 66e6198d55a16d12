"""Broken plug-ins are refused with their reason; the client keeps serving the old one."""

import re
import unittest

from nxt_harness import NxtTestCase, VERSION_LINE, plugin, sha256_file, sha_hex

# One in-tree broken plug-in per way a build can be bad, and words the reason
# must contain so an operator can tell what is wrong with it.
BROKEN = {
    "nosym": r"symbol|nxt_functional_version",
    "badabi": r"ABI",
    "failtest": r"self-test",
    # The sample writes through NULL: the reason must name the signal, also
    # under ASan (whose handler would otherwise turn it into an exit status).
    "crash": r"crashed \(SIGSEGV\)",
    "hang": r"timed out|time",
    "notelf": r"ELF",
    "foreign": r"aarch64|x86_64|platform|architecture|built for",
}


def final_targets(ctl_result):
    last = ctl_result.last()
    return {t["client_id"]: t for t in last.get("progress", {}).get("targets", [])}


class AClientOfferedABrokenPlugin(NxtTestCase):
    def setUp(self):
        super().setUp()
        self.server = self.start_server()
        self.client = self.start_client("host-1", self.server.v4)
        self.wait_registered(self.server, self.client)
        r = self.push(self.server, plugin("2_0"))
        self.assertEqual(r.rc, 0, str(r))
        self.assert_version_logged(self.client, 8, 6)
        self.good_sha = sha256_file(plugin("2_0"))
        self.pid = self.client.daemon.proc.pid

    def assert_still_serving_2_0(self):
        self.assertTrue(self.client.alive(), "nxt-clientd died")
        self.assertEqual(self.client.daemon.proc.pid, self.pid, "nxt-clientd restarted")
        st = self.assert_running(self.client, 8, 6)
        self.assertEqual(sha_hex(st.get("running")), self.good_sha, st)
        # `current` must still point at the good build for the next start.
        self.assertEqual(st.get("running_source"), "current", st)

    def test_each_broken_build_is_refused_with_its_reason_and_8_6_keeps_serving(self):
        for name, reason in BROKEN.items():
            with self.subTest(plugin=name):
                r = self.push(self.server, plugin(name))
                self.assertNotEqual(r.rc, 0, "push of %s succeeded:\n%s" % (name, r))
                target = final_targets(r).get("host-1", {})
                self.assertIn(target.get("state"), ("TARGET_FAILED", "TARGET_DECLINED"), str(r))
                self.assertRegex(target.get("reason", ""), re.compile(reason, re.I), str(r))
                self.assert_still_serving_2_0()
        # No reload happened: 8.6 was logged once, and never a broken build's 5.6.
        self.assertEqual(self.client.count(VERSION_LINE.format(major=8, minor=6)), 1)
        self.assertEqual(self.client.count(VERSION_LINE.format(major=5, minor=6)), 1)

    def test_human_output_shows_the_reason_and_exits_non_zero(self):
        r = self.ctl(self.server, "push", plugin("crash"), json_out=False)
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertRegex(r.out + r.err, re.compile(BROKEN["crash"], re.I))
        self.assertIn("host-1", r.out + r.err)
        self.assert_still_serving_2_0()

    def test_a_restart_after_a_refusal_still_loads_the_good_build(self):
        r = self.push(self.server, plugin("failtest"))
        self.assertNotEqual(r.rc, 0, str(r))
        self.client.stop()
        self.restart(self.client)
        self.pid = self.client.daemon.proc.pid
        self.assert_version_logged(self.client, 8, 6, count=2)
        self.assert_still_serving_2_0()


if __name__ == "__main__":
    unittest.main()
