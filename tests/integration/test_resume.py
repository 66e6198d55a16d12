"""kill -9 of either daemon in the middle of a 64 MiB transfer: it resumes and completes."""

import os
import re
import unittest

from nxt_harness import MiB, NxtTestCase, make_padded_plugin, sha256_file, sha_hex, wait_for

SIZE = 64 * MiB
# Mbit/s cap on the server's sending, so the kill lands mid-transfer on any
# machine: 64 MiB take about 5.4 s at 100 Mbit/s, and the client persists
# what it holds every 2 s.
RATE = {"max_rate_mbit": 100}
RESUMED = re.compile(r"resuming with (\d+)% on disk")


class AnInterruptedTransfer(NxtTestCase):
    def setUp(self):
        super().setUp()
        self.big = make_padded_plugin(os.path.join(self.tmp, "libfunctional_64m.so"), SIZE)
        self.sha = sha256_file(self.big)
        self.server = self.start_server(config=RATE)
        self.client = self.start_client("host-1", self.server.v4)
        self.wait_registered(self.server, self.client)

    def checkpointed(self):
        """True once the client has persisted at least one verified range of the file."""
        state = os.path.join(self.client.dir, "staging", self.sha + ".state")
        try:
            with open(state) as f:
                return len(f.read().splitlines()) > 2  # magic, geometry, then ranges
        except FileNotFoundError:
            return False

    def start_push_and_wait_for_a_quarter(self):
        push = self.ctl_async(self.server, "push", self.big)
        wait_for(lambda: (push.bytes_done("host-1") >= SIZE // 4 and self.checkpointed())
                 or push.proc.poll() is not None,
                 60, "a quarter of the file to arrive and be checkpointed")
        self.assertIsNone(push.proc.poll(), "push ended before it could be interrupted:\n%s" % push)
        self.assertLess(push.bytes_done("host-1"), SIZE, "transfer finished before it could be interrupted")
        return push

    def assert_installed_intact(self):
        self.assert_version_logged(self.client, 8, 6, timeout=self.PUSH_TIMEOUT)
        st = self.assert_running(self.client, 8, 6)
        self.assertEqual(sha_hex(st.get("running")), self.sha, st)
        stored = os.path.join(self.client.dir, "store", self.sha + ".so")
        self.assertTrue(os.path.exists(stored), "no " + stored)
        self.assertEqual(sha256_file(stored), self.sha)

    def assert_resumed(self, log):
        m = RESUMED.search(log)
        self.assertIsNotNone(m, "the client did not resume from what it had on disk")
        self.assertGreater(int(m.group(1)), 0)
        self.assertLess(int(m.group(1)), 100)

    def test_resumes_after_the_client_is_killed_and_restarted(self):
        push = self.start_push_and_wait_for_a_quarter()
        self.client.kill9()
        self.restart(self.client)
        self.assertEqual(push.wait(self.PUSH_TIMEOUT), 0, str(push))
        self.assert_resumed(self.client.log_since_last_start())
        self.assert_installed_intact()

    def test_resumes_after_the_server_is_killed_and_restarted(self):
        push = self.start_push_and_wait_for_a_quarter()
        self.server.kill9()
        self.assertNotEqual(push.wait(30), 0, "push reported success although its server died:\n%s" % push)
        self.restart(self.server)
        # The restarted server finishes the unfinished deployment by itself.
        self.assert_installed_intact()
        self.assert_resumed(self.client.log())
        self.assertTrue(self.client.alive())


if __name__ == "__main__":
    unittest.main()
