"""The daemons at the end of their resources: a staging area that fills up, a
read-only store, a state directory that is gone, no file descriptors left, a
clock that jumps. Each must give the operator a clear error (nxtctl, status or
log) and leave the running plug-in untouched (faults_lib.host_problems).

Needs root for the mounts (tmpfs, read-only bind); skipped otherwise.
The clock test needs libfaketime (Debian: libfaketime, a Build-Depends).
"""

import os
import re
import resource
import subprocess
import time
import unittest

from faults_lib import host_problems, make_seeded_plugin, preload_env, seeded_rng
from nxt_harness import CLIENTD, NxtTestCase, sha_hex, wait_for

FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
ROOT = os.geteuid() == 0


def target_of(ctl_result, client_id):
    for t in ctl_result.last().get("progress", {}).get("targets", []):
        if t.get("client_id", t.get("clientId")) == client_id:
            return t
    return {}


class AHostShortOfResources(NxtTestCase):
    PUSH_TIMEOUT = 60

    def fleet(self, client_config=None):
        self.server = self.start_server()
        self.host = self.start_client("host-1", self.server.v4, config=client_config)
        self.wait_registered(self.server, self.host)
        self.rng = seeded_rng("resources", self._testMethodName)
        good, self.good_sha = self.build(64 * 1024, base="1_0")
        self.ctl_ok(self.server, "push", good)
        self.assert_untouched()

    def build(self, size, base="2_0"):
        self.n = getattr(self, "n", 0) + 1
        return make_seeded_plugin(os.path.join(self.tmp, "build-%d.so" % self.n), size, self.rng, base=base)

    def assert_untouched(self):
        self.assertTrue(self.host.alive(), "nxt-clientd died:\n" + self.host.log()[-3000:])
        st = self.status(self.host)
        self.assertEqual(host_problems(st, self.host.dir, self.host.proc.pid, self.good_sha), [], st)

    def push_refused(self, path, reason):
        r = self.ctl(self.server, "push", path)
        self.assertNotEqual(r.rc, 0, str(r))
        t = target_of(r, self.host.id)
        self.assertIn(t.get("state"), ("TARGET_FAILED", "TARGET_DECLINED"), str(r))
        self.assertRegex(t.get("reason", ""), re.compile(reason, re.I), str(r))
        human = self.ctl(self.server, "clients", json_out=False)
        self.assertRegex(human.out, re.compile(reason, re.I), "nxtctl clients must show why:\n" + human.out)
        return t

    def mount(self, *args):
        r = subprocess.run(["mount", *args], capture_output=True, text=True)
        if r.returncode != 0 and "permission denied" in r.stderr.lower():
            self.skipTest("mount is not allowed here: " + r.stderr.strip())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.addCleanup(subprocess.run, ["umount", "-l", args[-1]], capture_output=True)

    @unittest.skipUnless(ROOT, "needs root to mount a tmpfs")
    def test_a_full_disk_refuses_the_push_with_no_space_and_a_smaller_one_then_installs(self):
        # The whole state directory on a 512 KiB tmpfs (staging/ and store/
        # must share a file system: a separate staging mount fails the rename
        # into store/ with "Invalid cross-device link").
        self.mount("-t", "tmpfs", "-o", "size=512k", "nxt-faults", self._node_dir("host-1"))
        self.fleet()
        big, _ = self.build(1024 * 1024)
        self.push_refused(big, r"no space|space left")
        self.assert_untouched()
        self.host.wait_log(r"refused: .*(No space|space left)")
        small, small_sha = self.build(96 * 1024)
        self.ctl_ok(self.server, "push", small)
        self.good_sha = small_sha
        self.assert_untouched()

    @unittest.skipUnless(ROOT, "needs root for a read-only bind mount")
    def test_a_read_only_state_file_system_refuses_the_push_and_keeps_the_running_build(self):
        # As when the kernel remounts a failing disk read-only (errors=remount-ro):
        # a read-only bind mount over the running client's state directory (the
        # daemon's log, opened before, stays writable through the old mount).
        self.fleet()
        self.mount("--bind", self.host.dir, self.host.dir)
        subprocess.run(["mount", "-o", "remount,ro,bind", self.host.dir], check=True, capture_output=True)
        new, new_sha = self.build(64 * 1024)
        self.push_refused(new, r"read-only file system")
        self.assert_untouched()
        subprocess.run(["umount", self.host.dir], check=True, capture_output=True)
        self.ctl_ok(self.server, "push", new)
        self.good_sha = new_sha
        self.assert_untouched()

    def test_a_state_directory_removed_under_a_running_client_is_reported_and_made_again(self):
        self.fleet()
        moved = self.host.dir + "-moved"
        os.rename(self.host.dir, moved)  # as `rm -rf`, but the test can still look at what ran
        os.makedirs(self.host.dir)
        os.rename(os.path.join(moved, "clientd.sock"), self.host.socket)
        new, new_sha = self.build(64 * 1024)
        r = self.ctl(self.server, "push", new)
        self.assertTrue(self.host.alive(), "nxt-clientd died:\n" + self.host.log()[-3000:])
        if r.rc != 0:  # refused with a reason; the loaded build still serves
            self.assertRegex(target_of(r, self.host.id).get("reason", ""), re.compile(r"staging|state|No such", re.I))
            r = self.ctl(self.server, "push", new)
        self.assertEqual(r.rc, 0, "the client must make its directories again:\n%s" % r)
        self.good_sha = new_sha
        self.assert_untouched()

    def test_a_client_whose_state_directory_cannot_be_made_exits_with_the_path_in_its_error(self):
        blocker = os.path.join(self.tmp, "not-a-dir")
        with open(blocker, "w") as f:
            f.write("x")
        config = os.path.join(self.tmp, "clientd.toml")
        with open(config, "w") as f:
            f.write('control_group = ""\n')
        r = subprocess.run([CLIENTD, "--config", config, "--server", "127.0.0.1:1", "--id", "host-1",
                            "--state-dir", os.path.join(blocker, "client"), "--log-target", "stderr",
                            "--control-socket", os.path.join(self.tmp, "c.sock")],
                           capture_output=True, text=True, timeout=20)
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, re.compile(r"cannot start: .*not-a-dir.*(Not a directory|exists)"))

    @staticmethod
    def limit_fds(pid, soft):
        """Sets the soft RLIMIT_NOFILE of `pid` (None: back to the hard limit); returns the old one."""
        old, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (hard if soft is None else soft, hard))
        return old

    def test_a_client_out_of_file_descriptors_refuses_the_push_and_recovers(self):
        self.fleet()
        pid = self.host.proc.pid
        old = self.limit_fds(pid, len(os.listdir("/proc/%d/fd" % pid)))
        new, new_sha = self.build(64 * 1024)
        r = self.ctl(self.server, "push", new)
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertRegex(target_of(r, self.host.id).get("reason", ""), re.compile(r"open files|descriptor", re.I), str(r))
        self.limit_fds(pid, old)
        self.assert_untouched()
        self.ctl_ok(self.server, "push", new)
        self.good_sha = new_sha
        self.assert_untouched()

    def test_a_server_out_of_file_descriptors_stays_responsive_once_they_are_back(self):
        self.fleet()
        pid = self.server.proc.pid
        old = self.limit_fds(pid, len(os.listdir("/proc/%d/fd" % pid)))
        # nxtctl's connection waits in the backlog: the server cannot accept it.
        waiting = subprocess.Popen([self.ctl_argv0(), "--socket", self.server.socket, "status"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(waiting.kill)
        self.server.wait_log(r"control: accept: Too many open files", timeout=10)
        cpu_before = self.cpu_seconds(pid)
        time.sleep(1.0)  # measures a busy loop on the pending connection; not a wait for a result
        self.assertLess(self.cpu_seconds(pid) - cpu_before, 0.5, "the server spins while out of descriptors")
        self.limit_fds(pid, old)
        self.assertEqual(waiting.wait(20), 0, "the waiting nxtctl is answered once descriptors are back")
        self.assertEqual(self.ctl(self.server, "status").rc, 0)

    @staticmethod
    def ctl_argv0():
        from nxt_harness import NXTCTL
        return NXTCTL

    @staticmethod
    def cpu_seconds(pid):
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @unittest.skipUnless(os.path.exists(FAKETIME), "needs libfaketime")
    def test_a_wall_clock_jumping_back_and_forth_on_server_and_host_keeps_installing(self):
        clock = os.path.join(self.tmp, "faketime")
        with open(clock, "w") as f:
            f.write("+0\n")
        # The wall clock jumps as `date -s` would; CLOCK_MONOTONIC, which no
        # one can set, goes on (FAKETIME_DONT_FAKE_MONOTONIC).
        env = {"FAKETIME_TIMESTAMP_FILE": clock, "FAKETIME_NO_CACHE": "1",
               "FAKETIME_DONT_RESET": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1", **preload_env(FAKETIME)}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            self.fleet()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        for offset in ("-1d", "+1d", "-3h", "+0"):
            with open(clock, "w") as f:
                f.write(offset + "\n")
            new, new_sha = self.build(64 * 1024)
            r = self.ctl(self.server, "push", new)
            if r.rc != 0:  # a clear refusal (e.g. the release looks expired from a day ahead) is allowed
                self.assertRegex(target_of(r, self.host.id).get("reason", ""), re.compile(r"expire|time|clock", re.I),
                                 "clock %s:\n%s" % (offset, r))
                self.assert_untouched()
                continue
            self.good_sha = new_sha
            self.assert_untouched()
        self.assertEqual(sha_hex(self.status(self.host).get("running")), self.good_sha)


if __name__ == "__main__":
    unittest.main()
