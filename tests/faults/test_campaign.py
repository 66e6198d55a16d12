"""The network fault campaign: many pushes through nxt-impair, a setting at a
time, each push checked on every host by SHA-256 of what is installed and of
what is loaded (faults_lib.host_problems).

Seeded and repeatable: NXT_FAULT_SEED (default 1) picks the relay's random
choices and the plug-ins' bytes. NXT_FAULT_PUSHES (default 200) is the total
number of pushes, shared out over the settings by weight; each push goes to
CLIENTS hosts, all behind the same relay. Daemons live for a whole setting.
At the end a table is printed (and written to $NXT_FAULT_TABLE if set):
setting, pushes, completed, mean time, retransmission ratio, corrupt installs.
"""

import math
import os
import signal
import time
import unittest

from faults_lib import host_problems, make_seeded_plugin, seeded_rng
from nxt_harness import NxtTestCase

SEED = int(os.environ.get("NXT_FAULT_SEED", "1"))
TOTAL_PUSHES = int(os.environ.get("NXT_FAULT_PUSHES", "200"))
CLIENTS = 3
PLUGIN_BYTES = 48 * 1024
CHUNK_BYTES = 1096  # payload per chunk at the default 1200-byte datagram (push_engine.cpp)
BLACKOUT_S = 2.0

# (name, nxt-impair flags, weight in the share of pushes, blackout per push).
# The slow settings (a push there takes seconds: lost offers back off to 2 s)
# weigh less, to keep the CI run near 3 minutes on 2 cores.
SETTINGS = [
    ("clean", [], 1.0, False),
    ("loss 5%", ["--loss", "0.05"], 1.0, False),
    ("loss 15%", ["--loss", "0.15"], 1.0, False),
    ("loss 30%", ["--loss", "0.30"], 0.5, False),
    ("dup 20% + reorder 20%", ["--dup", "0.2", "--reorder", "0.2", "--jitter-ms", "1"], 1.0, False),
    ("corrupt 5% + loss 2%", ["--corrupt", "0.05", "--loss", "0.02"], 1.0, False),
    ("delay 20 ms +- 5", ["--delay-ms", "20", "--jitter-ms", "5"], 1.0, False),
    ("loss bursts (1%, mean 20)", ["--burst", "0.01", "--burst-len", "20"], 0.4, False),
    ("flapping 600/300 ms + loss 5%", ["--flap-up-ms", "600", "--flap-down-ms", "300", "--loss", "0.05"], 0.6, False),
    ("blackout 2 s per push", [], 0.15, True),
]

ROWS = {}


def pushes_for(weight):
    total_weight = sum(s[2] for s in SETTINGS)
    return max(2, int(math.ceil(TOTAL_PUSHES * weight / total_weight)))


def print_table():
    head = ("setting", "pushes", "completed", "mean time", "retransmission", "corrupt installs")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, _, _, _ in SETTINGS:
        r = ROWS.get(name)
        if not r:
            continue
        mean = sum(r["times"]) / len(r["times"]) if r["times"] else 0
        ratio = r["retransmitted"] / r["chunks"] if r["chunks"] else 0
        lines.append("| %s | %d | %d | %.2f s | %.1f%% | %d |" % (
            name, r["pushes"], r["completed"], mean, 100 * ratio, r["corrupt"]))
    text = "\n".join(lines)
    print("\nfault campaign, seed %d, %d hosts per push, %d KiB plug-ins:\n%s" % (
        SEED, CLIENTS, PLUGIN_BYTES // 1024, text))
    if os.environ.get("NXT_FAULT_TABLE"):
        with open(os.environ["NXT_FAULT_TABLE"], "a") as f:
            f.write(text + "\n")


class AFleetBehindABadNetwork(NxtTestCase):
    PUSH_TIMEOUT = 90

    @classmethod
    def tearDownClass(cls):
        print_table()

    def run_setting(self, index):
        name, flags, weight, blackout = SETTINGS[index]
        row = ROWS.setdefault(name, {"pushes": 0, "completed": 0, "times": [], "retransmitted": 0,
                                     "chunks": 0, "corrupt": 0})
        server = self.start_server()
        relay, port = self.start_impair(server.v4, *flags, "--seed", str(SEED * 100 + index))
        hosts = [self.start_client("host-%d" % i, "127.0.0.1:%d" % port) for i in range(CLIENTS)]
        self.wait_registered(server, *hosts, timeout=60)
        rng = seeded_rng(SEED, index)
        failures = []
        for n in range(pushes_for(weight)):
            build, sha = make_seeded_plugin(os.path.join(self.tmp, "build-%d.so" % n), PLUGIN_BYTES, rng)
            started = time.monotonic()
            rc, targets = self.push_once(server, relay if blackout else None, build, hosts)
            row["times"].append(time.monotonic() - started)
            row["pushes"] += 1
            installed = {t.get("client_id", t.get("clientId")) for t in targets if t.get("state") == "TARGET_INSTALLED"}
            if rc == 0 and len(installed) == len(hosts):
                row["completed"] += 1
            else:
                failures.append("push %d: nxtctl exit %s, states %s" % (n, rc, [t.get("state") for t in targets]))
            for t in targets:
                row["retransmitted"] += int(t.get("retransmitted", 0))
                row["chunks"] += (int(t.get("bytes_total", t.get("bytesTotal", 0))) + CHUNK_BYTES - 1) // CHUNK_BYTES
            for h in hosts:
                problems = self.host_check(h, sha if h.id in installed else None)
                if problems:
                    row["corrupt"] += 1
                    failures.append("push %d, %s: %s" % (n, h.id, "; ".join(problems)))
        self.assertTrue(relay.alive() and server.alive() and all(h.alive() for h in hosts))
        self.assertEqual(row["corrupt"], 0, "\n".join(failures))
        self.assertEqual(row["completed"], row["pushes"], "\n".join(failures))

    def push_once(self, server, blackout_relay, build, hosts):
        """Pushes `build` to `hosts`; returns (nxtctl's exit code, the final targets)."""
        args = ["push", build] + [a for h in hosts for a in ("--to", h.id)]
        if blackout_relay is None:
            r = self.ctl(server, *args)
            objs = r.json()
            return r.rc, (objs[-1].get("progress", {}) if objs else {}).get("targets", [])
        push = self.ctl_async(server, *args)
        blackout_relay.proc.send_signal(signal.SIGUSR1)  # link down ...
        time.sleep(BLACKOUT_S)                           # ... for this long: the fault itself, not a wait
        blackout_relay.proc.send_signal(signal.SIGUSR1)
        rc = push.wait(self.PUSH_TIMEOUT)
        return rc, push.progress().get("targets", [])

    def host_check(self, host, expect_sha):
        """What is wrong with `host` (intact, and running `expect_sha` if given, as its log says)."""
        problems = host_problems(self.status(host), host.dir, host.daemon.proc.pid, expect_sha)
        if expect_sha:
            try:
                host.wait_log("installed %s" % expect_sha[:12], timeout=10)
            except AssertionError:
                problems.append("its log does not say it installed %s" % expect_sha[:12])
        return problems


def _make_test(index):
    return lambda self: self.run_setting(index)


for _i, (_name, _, _, _) in enumerate(SETTINGS):
    _slug = "".join(c if c.isalnum() else "_" for c in _name).strip("_").lower()
    setattr(AFleetBehindABadNetwork, "test_%02d_every_push_installs_intact_with_%s" % (_i, _slug), _make_test(_i))


if __name__ == "__main__":
    unittest.main()
