"""Crash consistency: a daemon killed (kill -9) or frozen and copied as a power
cut would leave it, at every named step of an install (crash points, built
with -DNXT_CRASH_POINTS=ON; see daemon/core/base/crash_point.h).

The invariant, after the restart: the host runs exactly the old or the new
build, intact (faults_lib.host_problems: reported = on disk = mapped), and
the push completes or is reported failed; a second push of the new build
then brings every host to it. The power-cut copy comes from the preload
libnxt_unsynced.so, which logs what was written and what was fsynced.
"""

import os
import signal
import unittest

from faults_lib import host_problems, make_seeded_plugin, power_cut_copy, preload_env, seeded_rng
from nxt_harness import NxtTestCase, counters, sha_hex, wait_for

PRELOAD = os.environ.get("NXT_UNSYNCED_PRELOAD", "")
SIZE = 96 * 1024

# Client steps, in install order. The count is the pass that fires: the
# client restarts with the crash point armed right before the new push, and
# its start-up load of the old build is the first pass through plugin.probed.
CLIENT_POINTS = [
    ("client.chunk_written", 40),       # mid-transfer: half the chunks on disk
    ("client.checkpoint_synced", 1),    # data fdatasync'ed, staging state not yet written (slow push)
    ("client.verified", 1),             # whole SHA-256 checked, not yet fsync'ed
    ("client.synced", 1),               # fsync'ed, not yet renamed into store/
    ("client.renamed", 1),              # in store/, `current` not yet swapped
    ("client.loading", 1),              # before the probe child dlopens and self-tests it
    ("plugin.probed", 2),               # self-test passed in the child, before dlopen here
    ("client.previous_swapped", 1),     # `previous` points at the old build, `current` too
    ("client.current_swapped", 1),      # `current` points at the new build, old handle still loaded
    ("client.installed", 1),            # everything done, the Outcome not yet sent
]
SERVER_POINTS = [
    ("server.chunk_sent", 30),          # mid-transfer
    ("server.db_deployment", 1),        # inside the deployment's transaction, before COMMIT
    ("server.db_target", 2),            # writing a target's state
]


def process_state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


@unittest.skipUnless(PRELOAD, "needs a build with -DNXT_CRASH_POINTS=ON")
class AnInstallCutShort(NxtTestCase):
    PUSH_TIMEOUT = 60

    def arm(self, point, count, stop, log_name):
        os.environ["NXT_CRASH_AT"] = "%s:%d%s" % (point, count, ":stop" if stop else "")
        os.environ["NXT_UNSYNCED_LOG"] = os.path.join(self.tmp, log_name)
        self.saved_env = {k: os.environ.get(k) for k in ("LD_PRELOAD", "ASAN_OPTIONS")}
        os.environ.update(preload_env(PRELOAD))

    def disarm(self):
        for k in ("NXT_CRASH_AT", "NXT_UNSYNCED_LOG"):
            os.environ.pop(k, None)
        for k, v in getattr(self, "saved_env", {}).items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def setUp(self):
        super().setUp()
        self.addCleanup(self.disarm)

    def fleet(self, slow=False):
        # A checkpoint comes every 2 s of a transfer: 1 Mbit/s and 400 KiB make one.
        # A 6 s lease: a host renews every 2 s, so it finds a restarted server
        # (which lost its sessions) within seconds instead of the default 20-odd.
        config = {"lease_seconds": 6}
        if slow:
            config["max_rate_mbit"] = 1
        server = self.start_server(config=config)
        host = self.start_client("host-1", server.v4)
        self.wait_registered(server, host)
        rng = seeded_rng("crash", self._testMethodName)
        size = 400 * 1024 if slow else SIZE
        old, old_sha = make_seeded_plugin(os.path.join(self.tmp, "old.so"), size, rng, base="1_0")
        new, new_sha = make_seeded_plugin(os.path.join(self.tmp, "new.so"), size, rng, base="2_0")
        self.ctl_ok(server, "push", old, "--to", host.id)
        self.assertEqual(host_problems(self.status(host), host.dir, host.proc.pid, old_sha), [])
        return server, host, (old, old_sha), (new, new_sha)

    def wait_hit(self, daemon, point, stop):
        daemon.wait_log("nxt crash point %s reached" % point.replace(".", r"\."), timeout=60)
        wait_for(lambda: process_state(daemon.proc.pid) in (("T", "t") if stop else ("Z", "gone")) or
                 daemon.proc.poll() is not None, 20, "%s to %s" % (daemon.name, "stop" if stop else "die"))

    def assert_old_or_new(self, host, old_sha, new_sha, what):
        st = self.status(host)
        running = sha_hex(st.get("running"))
        self.assertIn(running, (old_sha, new_sha), "%s: runs %s, neither old nor new" % (what, running[:12]))
        self.assertEqual(host_problems(st, host.dir, host.proc.pid), [], what)
        return running

    def assert_converges(self, server, host, new, new_sha):
        r = self.ctl(server, "push", new, "--to", host.id)
        self.assertIn(r.rc, (0, 1), str(r))  # 0 installed; 1 declined as already running it
        wait_for(lambda: sha_hex(self.status(host).get("running")) == new_sha, 60, "%s to run the new build" % host.id)
        self.assertEqual(host_problems(self.status(host), host.dir, host.proc.pid, new_sha), [])

    @staticmethod
    def move_to_copy(node, socket_name):
        """Points `node`'s next start at its power-cut copy (dir + "-cut")."""
        cut = node.dir + "-cut"
        node.daemon.argv = [a.replace(node.dir, cut) for a in node.daemon.argv]
        node.daemon.log_path = os.path.join(cut, os.path.basename(node.daemon.log_path))
        node.dir, node.socket = cut, os.path.join(cut, socket_name)

    # -- the client --------------------------------------------------------

    def crash_client(self, point, count, power_cut):
        server, host, (old, old_sha), (new, new_sha) = self.fleet(slow=point == "client.checkpoint_synced")
        host.stop()
        self.arm(point, count, power_cut, "client-unsynced.log")
        self.restart(host)
        self.disarm()
        push = self.ctl_async(server, "push", new, "--to", host.id)
        self.wait_hit(host.daemon, point, power_cut)
        if power_cut:  # frozen at the point: copy what a power cut would leave, then kill
            changed = power_cut_copy(host.dir, host.dir + "-cut", os.path.join(self.tmp, "client-unsynced.log"))
            print("%s power cut: %s" % (point, "; ".join(changed) or "nothing unsynced"))
            host.kill9()
            self.move_to_copy(host, "clientd.sock")
        else:
            host.kill9()
        self.restart(host)
        self.assert_old_or_new(host, old_sha, new_sha, "after a %s at %s" % ("power cut" if power_cut else "kill -9", point))
        push.wait(self.PUSH_TIMEOUT + 30)  # the push ends: installed, or reported failed
        targets = push.progress().get("targets", [])
        self.assertEqual(len(targets), 1, str(push))
        state = targets[0].get("state")
        self.assertIn(state, ("TARGET_INSTALLED", "TARGET_FAILED", "TARGET_DECLINED"), str(push))
        running = self.assert_old_or_new(host, old_sha, new_sha, "once the push ended")
        if state == "TARGET_INSTALLED":
            self.assertEqual(running, new_sha, "the push says installed but the host runs the old build")
        self.assert_converges(server, host, new, new_sha)

    def wait_session(self, server):
        """Until the restarted server has a session with the host again."""
        wait_for(lambda: counters(self.status(server)).get("sessions", 0) >= 1, 60, "the host to find the server again")

    # -- the server --------------------------------------------------------

    def crash_server(self, point, count, power_cut):
        server, host, (old, old_sha), (new, new_sha) = self.fleet()
        server.stop()
        self.arm(point, count, power_cut, "server-unsynced.log")
        self.restart(server)
        self.disarm()
        self.wait_session(server)
        push = self.ctl_async(server, "push", new, "--to", host.id)
        self.wait_hit(server.daemon, point, power_cut)
        if power_cut:
            changed = power_cut_copy(server.dir, server.dir + "-cut", os.path.join(self.tmp, "server-unsynced.log"))
            print("%s power cut: %s" % (point, "; ".join(changed) or "nothing unsynced"))
            server.kill9()
            self.move_to_copy(server, "serverd.sock")
        else:
            server.kill9()
        self.assertNotEqual(push.wait(30), 0, "nxtctl must report a push whose server died")
        self.assert_old_or_new(host, old_sha, new_sha, "while the server is down after %s" % point)
        self.restart(server)
        self.wait_session(server)
        self.assert_old_or_new(host, old_sha, new_sha, "after the server restarted")
        self.assert_converges(server, host, new, new_sha)


def _client_test(point, count, power_cut):
    return lambda self: self.crash_client(point, count, power_cut)


def _server_test(point, count, power_cut):
    return lambda self: self.crash_server(point, count, power_cut)


for _p, _n in CLIENT_POINTS:
    for _cut in (False, True):
        setattr(AnInstallCutShort, "test_client_%s_at_%s_runs_old_or_new_and_converges" % (
            "power_cut" if _cut else "kill", _p.replace(".", "_")), _client_test(_p, _n, _cut))
for _p, _n in SERVER_POINTS:
    for _cut in (False, True):
        setattr(AnInstallCutShort, "test_server_%s_at_%s_leaves_hosts_intact_and_converges" % (
            "power_cut" if _cut else "kill", _p.replace(".", "_")), _server_test(_p, _n, _cut))

if __name__ == "__main__":
    unittest.main()
