#!/usr/bin/python3
"""Side-by-side transfer benchmark: nxt against uftp, atftp and curl over HTTP
(see bench_tools.py for how each runs), on loopback and on an emulated lossy
link (bench_env.py), plus nxt's fan-out, hot-reload and idle rows. Prints one
markdown table and writes it to --out. Run through tests/bench/run.sh, which
installs the tools and builds nxt first. Needs root (network namespaces).
Never run by ctest: it prints timings, it asserts none."""
import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_cells import run_cell  # noqa: E402
from bench_nxt import fanout, idle_client, profile  # noqa: E402
from bench_env import LOSSY, Env, sweep_stale_namespaces  # noqa: E402
from bench_tools import all_tools  # noqa: E402

TOOLS = ["nxt", "uftp-1300", "uftp-8800", "atftp", "curl"]


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="nxt Release build directory")
    ap.add_argument("--rounds", type=int, default=5, help="transfers per cell; the median is shown (5)")
    ap.add_argument("--sizes", default="1,16,128", help="file sizes in MiB (1,16,128)")
    ap.add_argument("--only", default="", help="tools, comma-separated prefixes of " + ",".join(TOOLS))
    ap.add_argument("--scenarios", default="loopback,lossy", help="loopback,lossy")
    ap.add_argument("--no-extras", action="store_true", help="skip the fan-out, reload and idle rows")
    ap.add_argument("--extras-only", action="store_true", help="only the fan-out, reload and idle rows")
    ap.add_argument("--fanout-clients", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=60, help="seconds one transfer may take (60)")
    ap.add_argument("--quick", action="store_true",
                    help="iterate on speed: 3 rounds, 16 and 128 MiB, loopback, no extras")
    ap.add_argument("--profile", action="store_true",
                    help="only perf-profile one 128 MiB loopback nxt push (sender and receiver)")
    ap.add_argument("--keep-work", action="store_true", help="keep the work directory (logs of the last cell)")
    ap.add_argument("--out", help="markdown file to write (default BUILD/bench-results.md)")
    a = ap.parse_args()
    if a.quick:
        a.rounds, a.sizes, a.scenarios, a.no_extras = 3, "16,128", "loopback", True
    a.sizes = [int(s) for s in a.sizes.split(",") if s]
    a.scenarios = [s for s in a.scenarios.split(",") if s]
    a.out = a.out or os.path.join(a.build, "bench-results.md")
    return a


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = int(open("/proc/meminfo").readline().split()[1]) >> 20
    rev = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    return (f"{datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores ({cpu}), {mem} GiB, "
            f"Linux {platform.release()}, nxt {rev or '?'}, load average {os.getloadavg()[0]:.1f} at the start")


def mib(kib):
    return f"{kib / 1024:.1f} MiB" if kib else "–"


def cell_row(c, nxt):
    """One markdown row; nxt's speed-up is against the nxt cell of the same size and scenario."""
    t = c["median_s"]
    if c["status"] != "ok" or t is None:
        time_s, rate, ratio = c["status"], "–", "–"
    else:
        time_s, rate = f"{t:.3f} s", f"{c['mib'] / t:.1f}"
        ratio = "–" if c is nxt or not nxt or not nxt["median_s"] else f"{t / nxt['median_s']:.2f}×"
    if c["tool"] == "nxt":
        ratio = nxt_detail(c) or ratio
    return (f"| {c['scenario']} | {c['mib']} MiB | {c['tool']} | {time_s} | {rate} | "
            f"{mib(c['send_kib'])} | {mib(c['recv_kib'])} | {ratio} |")


def nxt_detail(c):
    """For nxt's own row: the median of the server's transfer time and of the
    client's hot reload, so the import before the transfer shows."""
    def med(key):
        v = [e[key] for e in c["extra"] if e.get(key) is not None]
        return statistics.median(v) if v else None
    xfer, reload_ms = med("transfer_ms"), med("reload_ms")
    parts = ([f"transfer {xfer / 1000:.3f} s"] if xfer is not None else []) + (
        [f"reload {reload_ms:.1f} ms"] if reload_ms is not None else [])
    return "(" + ", ".join(parts) + ")" if parts else ""


def floor_row(size, nxt):
    """The lossy link's floor: the file's bits at the link rate, headers and losses aside."""
    floor = size * 8 * 1048576 / (LOSSY["rate_mbit"] * 1e6)
    note = f"nxt at {nxt['median_s'] / floor:.2f}× the floor" if nxt and nxt["median_s"] else ""
    return f"| lossy | {size} MiB | *link floor* | {floor:.3f} s | {size / floor:.1f} | | | {note} |"


def cell_rows(cells):
    rows, groups = [], {}
    for c in cells:
        groups.setdefault((c["scenario"], c["mib"]), []).append(c)
    for (scen, size), group in groups.items():
        nxt = next((n for n in group if n["tool"] == "nxt"), None)
        rows += [cell_row(c, nxt) for c in group]
        if scen == "lossy":
            rows.append(floor_row(size, nxt))
    return rows


def reload_row(a, build, linkemu, plugin, tmp):
    os.makedirs(f"{tmp}/reload")
    env = Env("loopback", f"{tmp}/reload", linkemu)
    try:
        c = run_cell(env, all_tools(build)[0], 1, a.rounds, a.timeout, f"{tmp}/reload/cell", plugin)
    finally:
        env.close()
    ms = sorted(e["reload_ms"] for e in c["extra"] if e.get("reload_ms") is not None)
    if not ms:
        return f"| hot reload, 1 MiB plug-in | {c['status']} |"
    return (f"| hot reload, 1 MiB plug-in (last byte received → new version running, fsync included) | "
            f"median {statistics.median(ms):.1f} ms (min {ms[0]:.1f}, max {ms[-1]:.1f}, {len(ms)} pushes) |")


def fanout_row(a, build, linkemu, plugin, tmp):
    os.makedirs(f"{tmp}/fanout")
    f = fanout(build, linkemu, f"{tmp}/fanout", plugin, a.fanout_clients, 16, min(a.rounds, 3), a.timeout * 4)
    if f["status"] != "ok":
        return f"| fan-out, {f['clients']} clients × 16 MiB | {f['status']} |"
    one, agg = 16 / f["one_s"], f["clients"] * 16 / f["all_s"]
    return (f"| fan-out, {f['clients']} clients × 16 MiB, loopback | {f['all_s']:.2f} s for all, "
            f"aggregate {agg:.1f} MiB/s = {agg / one:.2f}× one client's {one:.1f} MiB/s; "
            f"server peak RSS {mib(f['server_kib'])} |")


def idle_row(build, linkemu, tmp):
    os.makedirs(f"{tmp}/idle")
    i = idle_client(build, linkemu, f"{tmp}/idle")
    if i["status"] != "ok":
        return f"| idle nxt-clientd | {i['status']} |"
    top = sorted(i["syscalls"].items(), key=lambda kv: -kv[1])[:4]
    return (f"| idle nxt-clientd ({i['threads']} threads) | RSS {mib(i['rss_kib'])} (peak {mib(i['hwm_kib'])}; "
            f"anonymous {mib(i['anon_kib'])}, mapped files {mib(i['file_kib'])}); "
            f"{i['wakeups']} wake-ups (context switches) in {i['seconds']} s; syscalls in {i['seconds']} s: "
            + (", ".join(f"{k} {v}" for k, v in top) or "none") + " |")


def run_profile(a, build, linkemu, plugin, tmp):
    keep = os.path.join(build, "profile")
    r = profile(build, linkemu, tmp, plugin, 128, a.timeout, keep)
    print(f"nxt 128 MiB loopback push under perf: {r.pop('push_s'):.3f} s")
    for k, text in r.items():
        print(f"\n## {k}\n{text}")
    print(f"\n(perf.data files in {keep}: perf report -i {keep}/sender.data)")


def run_cells(a, tools, linkemu, plugin, tmp):
    """Every tool x size x scenario; each row is printed as soon as it is known."""
    cells = []
    for scen in a.scenarios:
        env = Env(scen, tmp, linkemu)
        try:
            for size in a.sizes:
                for t in tools:
                    c = run_cell(env, t, size, a.rounds, a.timeout, f"{tmp}/cell", plugin)
                    cells.append(c)
                    nxt = next((n for n in cells if n["tool"] == "nxt" and n["mib"] == size
                                and n["scenario"] == scen), None)
                    print("  " + cell_row(c, nxt), flush=True)
        finally:
            env.close()
    return ["| scenario | size | tool | median time | MiB/s | sender peak RSS | receiver peak RSS "
            "| nxt speed-up |", "|---|---|---|---|---|---|---|---|"] + cell_rows(cells)


def main():
    a = parse_args()
    if os.geteuid() != 0:
        sys.exit("bench.py: needs root (network namespaces, TUN devices)")
    build = os.path.abspath(a.build)
    sweep_stale_namespaces()
    linkemu = f"{build}/tests/tools/nxt-linkemu"
    plugin = f"{build}/plugins/libfunctional_2_0.so"
    tmp = tempfile.mkdtemp(prefix="nxt-bench.", dir="/var/tmp")  # on disk, like a real install
    try:
        if a.profile:
            return run_profile(a, build, linkemu, plugin, tmp)
        tools = [t for t in all_tools(build)
                 if not a.only or any(t.name.startswith(p) for p in a.only.split(","))]
        lines = [f"Machine: {machine()}. Median of {a.rounds}; loopback = one network namespace, 127.0.0.1; "
                 f"lossy = two namespaces joined by nxt-linkemu at {LOSSY['rate_mbit']:.0f} Mbit/s, "
                 f"{LOSSY['delay_ms']:.0f} ms one-way delay, {LOSSY['loss'] * 100:.0f} % random loss each way. "
                 "Time = start of the sending/fetching command → verified file (SHA-256 checked by the benchmark); "
                 "nxt speed-up = tool's time / nxt's time; in nxt's own row, the server's transfer time "
                 "(without the import before it) and the client's hot reload.", ""]
        print(lines[0], flush=True)
        if not a.extras_only:
            lines += run_cells(a, tools, linkemu, plugin, tmp)
        if (not a.no_extras or a.extras_only) and any(t.name == "nxt" for t in tools):
            lines += ["", "| nxt | measured |", "|---|---|", reload_row(a, build, linkemu, plugin, tmp),
                      fanout_row(a, build, linkemu, plugin, tmp), idle_row(build, linkemu, tmp)]
        text = "\n".join(lines) + "\n"
        print("\n" + text)
        open(a.out, "w").write(text)
        print(f"(written to {a.out})")
    finally:
        if a.keep_work:
            print(f"(work directory kept: {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
