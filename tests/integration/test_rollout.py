"""Wave-by-wave rollouts (nxtctl push --wave): a wave whose failures exceed
--max-failures halts the rollout, the remaining hosts are never touched, and
the rollout survives a server restart; resume and abort control it."""

import unittest

from nxt_harness import NxtTestCase, plugin, running_version

LEASE = {"lease_seconds": 3}


class AWaveRollout(NxtTestCase):
    def rollout(self, server, *args):
        r = self.ctl(server, "rollout", *args)
        self.assertEqual(r.rc, 0, str(r))
        return r.last()["rollouts"]["rollouts"][0]

    def wait_state(self, server, state, wave_index):
        def reached():
            ro = self.rollout(server, "status")
            return ro if ro["state"] == state and int(ro.get("wave_index", 0)) == wave_index else None
        return self.wait_until(reached, "rollout %s at wave %d" % (state, wave_index + 1))

    def wait_until(self, pred, what):
        from nxt_harness import wait_for
        return wait_for(pred, self.PUSH_TIMEOUT, what)

    def test_halts_on_a_failing_self_test_and_never_touches_the_remaining_hosts(self):
        server = self.start_server(config=LEASE)
        hosts = [self.start_client("host-%d" % i, server.v4 if i % 2 else server.v6) for i in range(1, 7)]
        self.wait_registered(server, *hosts)
        r = self.ctl_ok(server, "push", plugin("failtest"), "--wave", "2", "--max-failures", "1")
        self.assertEqual(int(r.last()["rollouts"]["rollouts"][0]["waves"]), 3)
        ro = self.wait_state(server, "halted", 0)
        self.assertIn("wave 1: 2 of 2 hosts failed (max 1)", ro["reason"])
        untouched = hosts[2:]
        for h in untouched:
            self.assertEqual(h.count("receiving "), 0, h.id + " was touched")
        # Survives a restart of the server, still halted, still untouched.
        server.stop()
        self.restart(server)
        self.wait_registered(server, *hosts)
        self.assertEqual(self.rollout(server, "status")["state"], "halted")
        for h in untouched:
            self.assertEqual(h.count("receiving "), 0, h.id + " was touched after the restart")
        # Resume runs the next wave (it fails too and halts again); abort ends it.
        self.ctl_ok(server, "rollout", "resume")
        self.wait_state(server, "halted", 1)
        for h in hosts[2:4]:
            self.assertGreater(h.count("receiving "), 0, h.id)
        self.assertEqual(self.rollout(server, "abort")["state"], "aborted")
        for h in hosts[4:]:
            self.assertEqual(h.count("receiving "), 0, h.id + " was touched after abort")
            self.assert_running(h, 5, 6)
        # The failed hosts rolled back by themselves: they still run 5.6, and history says so.
        for h in hosts[:4]:
            self.assert_running(h, 5, 6)
        hist = self.ctl_ok(server, "history").last()["history"]["entries"]
        self.assertIn("halted", [e["result"] for e in hist if e["action"] == "rollout"])
        for h in hosts[:4]:  # failed by their self-test, not by a timeout
            detail = [e["detail"] for e in hist if e.get("client_id") == h.id and e["action"] == "install"]
            self.assertTrue(detail and "self-test failed" in detail[0], (h.id, detail))
        text = self.ctl_ok(server, "rollout", "status", json_out=False).out
        self.assertRegex(text, r"rollout 1: aborted")

    def test_goes_wave_by_wave_to_the_end_when_nothing_fails(self):
        server = self.start_server(config=LEASE)
        hosts = [self.start_client("host-%d" % i, server.v4) for i in range(1, 5)]
        self.wait_registered(server, *hosts)
        self.ctl_ok(server, "push", plugin("2_0"), "--wave", "50%")
        ro = self.wait_state(server, "done", 1)
        self.assertEqual([int(w.get("succeeded", 0)) for w in ro["plan"]], [2, 2])
        for h in hosts:
            self.assertEqual(running_version(self.status(h)["running"]), (8, 6))
        # A host that registers after the rollout finished gets its release.
        late = self.start_client("host-9", server.v6)
        self.assert_version_logged(late, 8, 6)


if __name__ == "__main__":
    unittest.main()
