"""One table cell: a tool moving one file size over one scenario, several
rounds. Returns a plain dict that bench.py turns into a table row."""
import os
import shutil
import statistics

from bench_env import make_file
from bench_tools import Nxt, verified


def run_cell(env, tool, mib, rounds, timeout, work, plugin):
    """Median seconds over `rounds` transfers of a fresh `mib` MiB file, peak
    RSS of sender and receiver, and why it stopped early if it did."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(f"{work}/src")
    cell = {"tool": tool.name, "mib": mib, "scenario": env.scenario, "times": [], "status": "ok",
            "send_kib": 0, "recv_kib": 0, "extra": []}
    try:
        tool.start(env, work)
        if isinstance(tool, Nxt):
            tool.start_one_client()
        for r in range(rounds):
            src = f"{work}/src/payload-{mib}m-{r}.so"
            sha = make_file(src, mib, plugin if tool.plugin_prefix else None)
            secs, rc, out, send_kib, recv_kib, extra = tool.transfer(src, sha, timeout)
            if rc is None:
                cell["status"] = f"timeout (> {timeout:.0f} s) in round {r + 1}"
                break
            if rc != 0 or not verified(out, sha):
                why = tool.explain(rc) if rc else ""
                cell["status"] = (f"FAILED in round {r + 1} (exit {rc}{': ' + why if why else ''}; file "
                                  f"{'wrong' if out and os.path.exists(out) else 'missing'})")
                break
            cell["times"].append(secs)
            cell["extra"].append(extra)
            cell["send_kib"] = max(cell["send_kib"], send_kib or 0)
            cell["recv_kib"] = max(cell["recv_kib"], recv_kib or 0)
            os.unlink(src)
            if out.startswith(work + "/recv"):
                os.unlink(out)
        send, recv = tool.daemon_peaks()
        cell["send_kib"] = max(cell["send_kib"], send or 0)
        cell["recv_kib"] = max(cell["recv_kib"], recv or 0)
    except Exception as e:  # a tool that cannot even start is a row that says so
        cell["status"] = f"FAILED ({e})"
    finally:
        tool.stop()
    cell["median_s"] = statistics.median(cell["times"]) if cell["times"] else None
    return cell
