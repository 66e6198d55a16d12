"""Fleet management through nxtctl: leases, desired state and push-latest on
registration, query, reconcile, groups, upgrade later (--later, activation
policies, maintenance windows), rollback and history, with real daemons on
loopback. Leases are 3 s (the minimum) so expiry and renewal take seconds;
every wait polls a condition."""

import datetime
import json
import os
import re
import signal
import unittest

from nxt_harness import NxtTestCase, plugin, running_version, sha256_file, wait_for

# Maintenance windows are local time: the daemons and this test agree on UTC.
os.environ["TZ"] = "UTC"

LEASE = {"lease_seconds": 3}


def hm(dt):
    return dt.strftime("%H:%M")


def set_config(node, key, value):
    """Sets one key in the node's config file (the harness writes `key = <json>` lines) and reloads it."""
    path = os.path.join(node.dir, os.path.basename(node.daemon.argv[node.daemon.argv.index("--config") + 1]))
    with open(path) as f:
        lines = [l for l in f if not l.startswith(key + " =")]
    lines.append("%s = %s\n" % (key, json.dumps(value)))
    with open(path, "w") as f:
        f.writelines(lines)
    reloads = node.count("configuration reloaded")
    os.kill(node.daemon.proc.pid, signal.SIGHUP)
    node.wait_log("configuration reloaded", count=reloads + 1)


class FleetTestCase(NxtTestCase):
    def client_info(self, server, cid):
        return self.clients(server)[cid]

    def wait_client(self, server, cid, pred, what, timeout=30):
        return wait_for(lambda: pred(self.clients(server).get(cid, {})), timeout, "%s: %s" % (cid, what))

    def query(self, server, *args):
        r = self.ctl(server, "query", *args)
        self.assertEqual(r.rc, 0, str(r))
        return {h["client_id"]: h for h in r.last().get("fleet", {}).get("hosts", [])}

    def history(self, server, *args):
        return self.ctl_ok(server, "history", *args).last().get("history", {}).get("entries", [])

    def received(self, client):
        return client.count("receiving ")


class Leases(FleetTestCase):
    def test_an_expired_host_is_marked_not_forgotten_and_comes_back_active(self):
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4)
        b = self.start_client("host-b", server.v6)
        self.wait_registered(server, a, b)
        first = int(self.client_info(server, "host-a")["lease_expires_unix_ms"])
        # Renewal at a third of the lease moves the expiry forward.
        self.wait_client(server, "host-a", lambda c: int(c.get("lease_expires_unix_ms", 0)) > first, "renew")
        b.stop()
        self.wait_client(server, "host-b", lambda c: c.get("state") == "expired", "lease expires", timeout=15)
        self.assertEqual(self.client_info(server, "host-a")["state"], "active")
        self.assertEqual(self.status(server)["clients_expired"], 1)
        self.restart(b)
        self.wait_registered(server, a, b)

    def test_clients_register_again_after_a_server_restart(self):
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4)
        self.wait_registered(server, a)
        server.stop()
        self.restart(server)
        self.wait_registered(server, a)
        self.assertTrue(self.status(a)["registered"])


class DesiredState(FleetTestCase):
    def test_a_host_that_registers_after_a_push_gets_the_desired_release(self):
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4)
        self.wait_registered(server, a)
        self.ctl_ok(server, "push", plugin("2_0"))
        b = self.start_client("host-b", server.v6)
        self.assert_version_logged(b, 8, 6)
        self.wait_client(server, "host-b", lambda c: c.get("sync") == "current", "current")
        self.assertEqual(self.client_info(server, "host-a")["sync"], "current")

    def test_a_host_restarted_with_an_old_version_is_brought_current(self):
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4)
        self.wait_registered(server, a)
        self.ctl_ok(server, "push", plugin("2_0"))
        a.stop()
        os.remove(os.path.join(a.dir, "current"))  # as if reinstalled: back to the shipped 5.6
        self.restart(a)
        self.assert_version_logged(a, 5, 6)
        self.assert_version_logged(a, 8, 6, count=2)
        self.wait_client(server, "host-a", lambda c: c.get("sync") == "current", "current")

    def test_query_tells_current_behind_and_unreachable(self):
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4)
        # host-b trusts no publisher: it refuses the release and stays behind.
        b = self.start_client("host-b", server.v4, config={"trusted_publishers": []})
        c = self.start_client("host-c", server.v6)
        self.wait_registered(server, a, b, c)
        r = self.ctl(server, "push", plugin("2_0"))
        self.assertNotEqual(r.rc, 0, str(r))  # host-b failed
        c.kill9()
        hosts = self.query(server, "--wait", "1")
        self.assertEqual(hosts["host-a"]["sync"], "current", hosts)
        self.assertEqual(hosts["host-b"]["sync"], "behind", hosts)
        self.assertEqual(hosts["host-c"]["sync"], "unreachable", hosts)
        self.assertEqual(running_version(hosts["host-a"]["running"]), (8, 6))
        self.assertGreater(int(hosts["host-a"]["plugin_uptime_ms"]), 0)
        text = self.ctl(server, "query", "--wait", "1", json_out=False)
        self.assertRegex(text.out, r"host-c\s+unreachable")
        self.assertIn("1 current, 1 behind, 1 unreachable", text.out)

    def test_reconcile_says_what_it_will_do_then_does_it(self):
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4)
        b = self.start_client("host-b", server.v4, config={"trusted_publishers": []})
        self.wait_registered(server, a, b)
        self.ctl(server, "push", plugin("2_0"))
        dry = self.ctl_ok(server, "reconcile", "--dry-run").last()
        plan = {h["client_id"]: h for h in dry["fleet"]["hosts"]}
        self.assertEqual(plan["host-b"]["result"], "push nxtgen 8.6", plan)
        self.assertEqual(plan["host-a"]["result"], "none", plan)
        self.assertIn("would push to 1 host", dry["text"])
        self.assertEqual(self.received(b), 1, "a dry run pushes nothing")
        # The host owner fixes its trust list; reconcile retries what failed before.
        set_config(b, "trusted_publishers", [self.publisher()[1]])
        self.assertIn("pushing to 1 host", self.ctl_ok(server, "reconcile").last()["text"])
        self.assert_version_logged(b, 8, 6)

    def test_a_push_to_a_group_reaches_its_members_and_later_members_too(self):
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4)
        b = self.start_client("host-b", server.v6)
        self.wait_registered(server, a, b)
        self.ctl_ok(server, "groups", "create", "web")
        self.ctl_ok(server, "groups", "add", "web", "host-a")
        self.ctl_ok(server, "push", plugin("2_0"), "--group", "web")
        self.assert_running(a, 8, 6)
        self.assert_running(b, 5, 6)
        self.assertEqual(self.client_info(server, "host-b").get("sync", ""), "")
        self.ctl_ok(server, "groups", "add", "web", "host-b")
        self.assert_version_logged(b, 8, 6)
        groups = self.ctl_ok(server, "groups").last()["groups"]["groups"]
        self.assertEqual(groups, [{"name": "web", "members": ["host-a", "host-b"]}])


class UpgradeLater(FleetTestCase):
    def test_later_stages_everywhere_survives_kill_9_and_activates_on_command(self):
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4)
        b = self.start_client("host-b", server.v6)
        self.wait_registered(server, a, b)
        self.ctl_ok(server, "push", plugin("2_0"), "--later")
        for c in (a, b):
            st = self.status(c)
            self.assertEqual(running_version(st["running"]), (5, 6))
            self.assertEqual(running_version(st["staged"]), (8, 6))
        self.wait_client(server, "host-a", lambda c: running_version(c.get("staged")) == (8, 6), "staged")
        a.kill9()
        self.restart(a)
        server.kill9()
        self.restart(server)
        self.assertEqual(running_version(self.status(a)["staged"]), (8, 6))
        self.wait_registered(server, a, b)
        self.wait_client(server, "host-a", lambda c: c.get("sync") == "staged", "staged after both restarts")
        # Until host-a notices the restart and handshakes again (two unanswered
        # renewals), it cannot hear the server: the request is resent meanwhile.
        r = self.ctl_ok(server, "activate", "--to", "host-a", "--wait", "20").last()
        self.assertTrue(r["fleet"]["hosts"][0]["ok"], r)
        self.assert_running(a, 8, 6)
        # The host owner activates on the host itself.
        self.ctl_ok(b, "activate")
        self.assert_running(b, 8, 6)
        self.assertEqual(self.ctl(b, "activate").rc, 1, "nothing is staged any more")
        self.wait_client(server, "host-b", lambda c: c.get("sync") == "current", "current")

    def test_a_manual_host_stages_an_immediate_push_until_activated(self):
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4, config={"activation": "manual"})
        self.wait_registered(server, a)
        self.ctl_ok(server, "push", plugin("2_0"))
        st = self.status(a)
        self.assertEqual(running_version(st["running"]), (5, 6))
        self.assertEqual(st["activation"], "manual")
        self.ctl_ok(server, "activate")
        self.assert_running(a, 8, 6)

    def test_a_maintenance_window_activates_by_itself_when_it_opens(self):
        now = datetime.datetime.utcnow()
        closed = "window %s-%s" % (hm(now + datetime.timedelta(hours=2)), hm(now + datetime.timedelta(hours=3)))
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4, config={"activation": closed})
        self.wait_registered(server, a)
        self.ctl_ok(server, "push", plugin("2_0"))
        self.assertEqual(running_version(self.status(a)["staged"]), (8, 6))
        self.assert_running(a, 5, 6)
        # The window "opens": the host is configured with one around now (no waiting for the clock).
        now = datetime.datetime.utcnow()
        open_now = "window %s-%s" % (hm(now - datetime.timedelta(minutes=30)), hm(now + datetime.timedelta(minutes=30)))
        set_config(a, "activation", open_now)
        a.wait_log(r"activated nxtgen 8\.6 \(maintenance window")
        self.assert_running(a, 8, 6)
        self.wait_client(server, "host-a", lambda c: running_version(c.get("running")) == (8, 6), "reports 8.6")
        changed = [e for e in self.history(server, "host-a") if e["action"] == "changed"]
        self.assertTrue(changed, self.history(server, "host-a"))


class Rollback(FleetTestCase):
    def test_rollback_swaps_back_without_a_transfer_and_holds_the_host(self):
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4)
        self.wait_registered(server, a)
        self.ctl_ok(server, "push", plugin("2_0"))
        self.assert_running(a, 8, 6)
        before = self.received(a)
        r = self.ctl_ok(server, "rollback", "--to", "host-a").last()
        self.assertIn("rolled back from nxtgen 8.6 to nxtgen 5.6", r["fleet"]["hosts"][0]["result"])
        self.assert_running(a, 5, 6)
        self.assertEqual(self.received(a), before, "no transfer")
        self.wait_client(server, "host-a", lambda c: c.get("sync") == "held", "held")
        a.stop()
        self.restart(a)
        self.wait_registered(server, a)
        self.assert_running(a, 5, 6)  # not pushed again: the operator rolled it back
        actions = [e["action"] for e in self.history(server, "host-a")]
        self.assertIn("rollback", actions)

    def test_a_build_that_fails_at_start_is_an_automatic_rollback_recorded_and_healed(self):
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4)
        self.wait_registered(server, a)
        self.ctl_ok(server, "push", plugin("2_0"))
        a.stop()
        broken = os.path.realpath(os.path.join(a.dir, "current"))
        os.chmod(broken, 0o644)
        with open(broken, "wb") as f:
            f.write(b"not a plug-in any more")
        self.restart(a)
        a.wait_log("serving the previous plug-in")
        wait_for(lambda: [e for e in self.history(server, "host-a") if e["action"] == "auto-rollback"], 30,
                 "the fallback in the history")
        # Behind its desired release again: it gets it pushed, intact, by itself.
        self.assert_version_logged(a, 8, 6, count=2)
        self.assertEqual(sha256_file(broken), sha256_file(plugin("2_0")))


class History(FleetTestCase):
    def test_history_lists_pushes_and_outcomes_and_survives_a_server_restart(self):
        server = self.start_server(config=LEASE)
        a = self.start_client("host-a", server.v4)
        self.wait_registered(server, a)
        r = self.ctl(server, "push", plugin("failtest"))  # self-test fails: 5.6 keeps running
        self.assertNotEqual(r.rc, 0, str(r))
        self.ctl_ok(server, "push", plugin("2_0"))
        before = self.history(server)
        server.stop()
        self.restart(server)
        after = self.history(server)
        self.assertEqual(before, after)
        rows = [(e["action"], e["result"], e.get("client_id", "")) for e in after]
        self.assertIn(("install", "installed", "host-a"), rows)
        self.assertIn(("install", "failed", "host-a"), rows)
        failed = [e for e in after if e["result"] == "failed"][0]
        self.assertIn("still running nxtgen 5.6", failed["detail"])
        self.assertEqual([e["action"] for e in after].count("push"), 2)
        text = self.ctl_ok(server, "history", "host-a", json_out=False).out
        self.assertRegex(text, r"WHEN\s+DEPLOYMENT\s+HOST\s+ACTION")


if __name__ == "__main__":
    unittest.main()
