"""The nxt-only rows: fan-out to many clients, an idle client, and a perf
profile of one push. Each runs nxt on a fresh loopback namespace and returns
plain dicts for bench.py."""
import contextlib
import os
import re
import statistics
import subprocess
import time

from bench_env import Env, make_file, proc_status
from bench_tools import Nxt, verified


@contextlib.contextmanager
def nxt_on_loopback(build, linkemu, work):
    """An nxt-serverd (no clients yet) in its own loopback namespace."""
    env = Env("loopback", work, linkemu)
    nxt = Nxt(build)
    try:
        os.makedirs(f"{work}/src", exist_ok=True)
        nxt.start(env, work)
        yield nxt
    finally:
        nxt.stop()
        env.close()


def fanout(build, linkemu, work, plugin, clients, mib, rounds, timeout):
    """One server, `clients` clients on loopback: a push to one of them, then to
    all; server peak RSS and aggregate goodput against the single-client rate."""
    res = {"clients": clients, "mib": mib, "status": "ok"}
    try:
        with nxt_on_loopback(build, linkemu, work) as nxt:
            _fanout(nxt, work, plugin, clients, mib, rounds, timeout, res)
    except Exception as e:
        res["status"] = f"FAILED ({e})"
    return res


def _fanout(nxt, work, plugin, clients, mib, rounds, timeout, res):
    for i in range(clients):
        nxt.add_client(f"fan-{i}")
    nxt.wait_registered(timeout=120)
    one, many = [], []
    for r in range(rounds):
        src = f"{work}/src/one-{r}.so"
        sha = make_file(src, mib, plugin)
        secs, _, rc = nxt.push(src, timeout, to=["fan-0"])
        if rc != 0 or not verified(nxt.received(sha, "fan-0"), sha):
            raise RuntimeError(f"single-client push failed (exit {rc})")
        one.append(secs)
    for r in range(rounds):
        src = f"{work}/src/all-{r}.so"
        sha = make_file(src, mib, plugin)
        secs, _, rc = nxt.push(src, timeout)
        bad = [c for c, _, _ in nxt.clients if not verified(nxt.received(sha, c), sha)]
        if rc != 0 or bad:
            raise RuntimeError(f"{clients}-client push failed (exit {rc}; {len(bad)} hosts without the file)")
        many.append(secs)
    res.update(one_s=statistics.median(one), all_s=statistics.median(many),
               server_kib=proc_status(nxt.server.pid, "VmHWM"))


def idle_client(build, linkemu, work, seconds=10):
    """RSS of a registered, idle nxt-clientd; its context switches (= wake-ups)
    and system calls over `seconds`."""
    res = {"seconds": seconds, "status": "ok"}
    try:
        with nxt_on_loopback(build, linkemu, work) as nxt:
            _idle(nxt, work, seconds, res)
    except Exception as e:
        res["status"] = f"FAILED ({e})"
    return res


def _idle(nxt, work, seconds, res):
    p, _ = nxt.add_client("bench")
    nxt.wait_registered()
    time.sleep(2)  # past start-up: its first lease renewal and the plug-in load

    def switches():
        total = 0
        for t in os.listdir(f"/proc/{p.pid}/task"):
            total += proc_status(f"{p.pid}/task/{t}", "voluntary_ctxt_switches")
            total += proc_status(f"{p.pid}/task/{t}", "nonvoluntary_ctxt_switches")
        return total

    before = switches()
    time.sleep(seconds)
    res["wakeups"] = switches() - before
    res["rss_kib"] = proc_status(p.pid, "VmRSS")
    res["hwm_kib"] = proc_status(p.pid, "VmHWM")
    res["anon_kib"] = proc_status(p.pid, "RssAnon")  # heap and stacks: nxt's own
    res["file_kib"] = proc_status(p.pid, "RssFile")  # mapped libraries and the plug-in
    res["threads"] = len(os.listdir(f"/proc/{p.pid}/task"))
    out = f"{work}/strace.txt"
    subprocess.run(["timeout", "-s", "INT", str(seconds), "strace", "-c", "-f", "-o", out, "-p", str(p.pid)],
                   stderr=subprocess.DEVNULL)
    calls = {}
    for line in open(out):
        f = line.split()
        if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
            calls[f[-1]] = int(f[3])
    res["syscalls"] = calls


def _perf_lines(data, *args):
    out = subprocess.run(["perf", "report", "-i", data, "--stdio", "-g", "none", *args],
                         capture_output=True, text=True).stdout
    return [line[:110].rstrip() for line in out.splitlines() if line.strip() and not line.startswith("#")]


def _perf_summary(data):
    """Self time by shared object and by symbol, then the time spent inside
    each nxt function (children included), which is where the phases show."""
    samples = sum(int(line.split()[0]) for line in _perf_lines(data, "--sort", "comm", "-F", "sample,comm"))
    return ([f"{samples} samples at 1 kHz = about {samples} ms of CPU on this side", "self time by shared object:"]
            + _perf_lines(data, "--no-children", "--sort", "dso", "--percent-limit", "1")
            + ["self time by symbol:"]
            + _perf_lines(data, "--no-children", "--sort", "sym", "--percent-limit", "1.5")
            + ["time inside nxt functions and syscalls (children included):"]
            + [line for line in _perf_lines(data, "--children", "--sort", "sym", "--percent-limit", "2")
               if re.search(r"nxt::|\[\.\] (__)?(libc_)?(sendmmsg|recvmmsg|sendto|pwrite|pread|write|fsync|epoll_wait)",
                            line)])


def profile(build, linkemu, work, plugin, mib, timeout, keep):
    """perf record of nxt-serverd and nxt-clientd during one `mib` MiB
    loopback push; returns per side the _perf_summary. The perf.data files
    stay in `keep` for `perf report`."""
    reports = {}
    with nxt_on_loopback(build, linkemu, work) as nxt:
        nxt.start_one_client()
        pid = {"sender (nxt-serverd)": nxt.server.pid, "receiver (nxt-clientd)": nxt.clients[0][1].pid}
        src = f"{work}/src/profile.so"
        sha = make_file(src, mib, plugin)
        os.makedirs(keep, exist_ok=True)
        # DWARF unwinding: nxt and libcrypto have no frame pointers. 1 kHz.
        perfs = {k: subprocess.Popen(["perf", "record", "--call-graph", "dwarf,16384", "-F", "1000",
                                      "-o", f"{keep}/{k.split()[0]}.data", "-p", str(v)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for k, v in pid.items()}
        time.sleep(0.5)  # perf attaches
        secs, _, rc = nxt.push(src, timeout)
        for p in perfs.values():
            p.send_signal(2)
            p.wait()
        if rc != 0 or not verified(nxt.received(sha), sha):
            raise RuntimeError(f"push failed (exit {rc})")
        reports["push_s"] = secs
        for k in pid:
            data = f"{keep}/{k.split()[0]}.data"
            reports[k] = "\n".join(_perf_summary(data))
    return reports
