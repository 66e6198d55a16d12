"""Pushes to real clients over IPv4 and IPv6 loopback: everyone, or only --to targets."""

import os
import re
import unittest

from nxt_harness import (NxtTestCase, VERSION_LINE, plugin, running_version, sha256_file, sha_hex)


class AFleetOfThreeClients(NxtTestCase):
    def start_fleet(self):
        server = self.start_server()
        # A mix of address families, through the one dual-stack server socket.
        clients = [self.start_client("host-1", server.v4),
                   self.start_client("host-2", server.v6),
                   self.start_client("host-3", server.v4)]
        for c in clients:
            self.assert_version_logged(c, 5, 6)  # the shipped default, at start
        self.wait_registered(server, *clients)
        return server, clients

    def test_lists_every_client_with_its_address_and_running_version(self):
        server, clients = self.start_fleet()
        listed = self.clients(server)
        self.assertEqual(sorted(listed), ["host-1", "host-2", "host-3"])
        self.assertRegex(listed["host-1"]["address"], r"^127\.0\.0\.1:\d+$")
        self.assertRegex(listed["host-2"]["address"], r"^\[::1\]:\d+$")
        for c in listed.values():
            self.assertEqual(running_version(c.get("running")), (5, 6), c)
            self.assertEqual(c["state"], "active", c)
            self.assertTrue(c.get("platform"), c)
            self.assertGreater(int(c.get("last_seen_unix_ms", 0)), 0, c)
        human = self.ctl_ok(server, "clients", json_out=False).out
        for c in clients:
            self.assertIn(c.id, human)

    def test_all_get_1_0_then_2_0_and_log_8_6_without_restarting(self):
        server, clients = self.start_fleet()
        pids = [c.daemon.proc.pid for c in clients]
        r = self.push(server, plugin("1_0"))
        self.assertEqual(r.rc, 0, str(r))
        for c in clients:
            st = self.assert_running(c, 5, 6)
            self.assertEqual(sha_hex(st.get("running")), sha256_file(plugin("1_0")))
        r = self.push(server, plugin("2_0"))
        self.assertEqual(r.rc, 0, str(r))
        want = sha256_file(plugin("2_0"))
        for c in clients:
            self.assert_version_logged(c, 8, 6)
            st = self.assert_running(c, 8, 6)
            self.assertEqual(sha_hex(st.get("running")), want)
            self.assertEqual(st.get("running_source"), "current", st)
            self.assertTrue(os.path.exists(os.path.join(c.dir, "store", want + ".so")))
        self.assertEqual([c.daemon.proc.pid for c in clients], pids, "a client restarted")
        self.assertTrue(all(c.alive() for c in clients))
        listed = self.clients(server)
        for c in clients:
            self.assertEqual(running_version(listed[c.id].get("running")), (8, 6), listed[c.id])

    def test_push_table_names_every_host_and_its_result(self):
        server, clients = self.start_fleet()
        r = self.ctl(server, "push", plugin("2_0"), json_out=False)
        self.assertEqual(r.rc, 0, str(r))
        for c in clients:
            self.assertRegex(r.out, re.compile(r"^.*%s.*$" % c.id, re.M))
        final = self.push(server, plugin("2_0")).last()
        self.assertTrue(final.get("final"), final)

    def test_push_to_one_target_leaves_the_others_unchanged(self):
        server, (c1, c2, c3) = self.start_fleet()
        r = self.push(server, plugin("2_0"), "host-2")
        self.assertEqual(r.rc, 0, str(r))
        self.assert_version_logged(c2, 8, 6)
        self.assert_running(c2, 8, 6)
        for other in (c1, c3):
            self.assert_running(other, 5, 6)
            self.assertNotIn(VERSION_LINE.format(major=8, minor=6), other.log())
        listed = self.clients(server)
        self.assertEqual(running_version(listed["host-2"].get("running")), (8, 6))
        self.assertEqual(running_version(listed["host-1"].get("running")), (5, 6))
        self.assertEqual(running_version(listed["host-3"].get("running")), (5, 6))


class AClientRestartedAfterAnInstall(NxtTestCase):
    def test_comes_back_serving_the_installed_version(self):
        server = self.start_server()
        client = self.start_client("host-1", server.v6)
        self.wait_registered(server, client)
        r = self.push(server, plugin("2_0"))
        self.assertEqual(r.rc, 0, str(r))
        self.assert_version_logged(client, 8, 6)
        self.assertEqual(client.stop(), 0, "nxt-clientd should exit 0 on SIGTERM")
        self.restart(client)
        self.assert_version_logged(client, 8, 6, count=2)
        st = self.assert_running(client, 8, 6)
        self.assertEqual(st.get("running_source"), "current", st)


if __name__ == "__main__":
    unittest.main()
