"""Where a benchmark runs: network namespaces, the emulated link, processes and
their memory. Owns every namespace and process it starts and removes them on
close(); never touches the host's own network namespace or anything it did not
start.

A scenario is two ends (server side, client side) and the addresses they use:
  loopback  both ends in one fresh namespace, 127.0.0.1
  lossy     two namespaces joined by nxt-linkemu (TUN devices): 100 Mbit/s,
            5 ms one-way delay, 1 % random loss each way, 1000-packet queue
"""
import ctypes
import hashlib
import os
import re
import signal
import subprocess
import threading
import time

LIBC = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
LOSSY = {"rate_mbit": 100.0, "delay_ms": 5.0, "loss": 0.01, "queue": 1000}


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def make_file(path, mib, prefix_from=None):
    """Exactly `mib` MiB: the bytes of `prefix_from` (a plug-in, so nxt can
    load it) padded with random bytes, so every file has a new SHA-256."""
    prefix = open(prefix_from, "rb").read() if prefix_from else b""
    with open(path, "wb") as f:
        f.write(prefix)
        left = (mib << 20) - len(prefix)
        while left > 0:
            n = min(left, 8 << 20)
            f.write(os.urandom(n))
            left -= n
    os.chmod(path, 0o644)
    return sha256_file(path)


def wait_for(cond, what, timeout=20.0):
    """Polls `cond` every 20 ms until it is true or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def log_has(path, regex):
    try:
        return re.search(regex, open(path, errors="replace").read()) is not None
    except FileNotFoundError:
        return False


def proc_status(pid, key):
    """A /proc/PID/status field in KiB or count; 0 if the process is gone."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def descendants(pid):
    """pid and every process below it (nginx workers, forked helpers)."""
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def peak_rss_kib(pid):
    """Peak RSS (VmHWM) of a daemon, the largest of it and its children."""
    return max((proc_status(p, "VmHWM") for p in descendants(pid)), default=0)


def sweep_stale_namespaces():
    """Deletes the namespaces of earlier runs that were killed before their
    clean-up (their names carry the pid of a run that no longer exists)."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for m in re.finditer(r"^(nxtb(\d+)(?:lo|a|b))\b", out, re.M):
        if not os.path.exists(f"/proc/{m.group(2)}"):
            subprocess.run(["ip", "netns", "del", m.group(1)], check=False)


class Env:
    """Namespaces, the link and the daemons of one scenario."""

    def __init__(self, scenario, work, linkemu_bin):
        self.scenario, self.work = scenario, work
        self.daemons = []  # Popen, stopped in reverse order
        tag = f"nxtb{os.getpid()}"
        if scenario == "loopback":
            self.server_ns = self.client_ns = tag + "lo"
            self.server_addr = self.client_addr = "127.0.0.1"
            self.namespaces = [self.server_ns]
        else:
            self.server_ns, self.client_ns = tag + "a", tag + "b"
            self.server_addr, self.client_addr = "10.98.0.1", "10.98.0.2"
            self.namespaces = [self.server_ns, self.client_ns]
        for ns in self.namespaces:
            subprocess.run(["ip", "netns", "add", ns], check=True)
            subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up", "multicast", "on"], check=True)
        if scenario == "lossy":
            self._start_link(linkemu_bin)
        # uftpd joins a multicast group even for unicast sessions: it needs a route.
        dev = "lo" if scenario == "loopback" else "nxl0"
        for ns in self.namespaces:
            subprocess.run(["ip", "-n", ns, "route", "add", "224.0.0.0/4", "dev", dev], check=True)

    def _start_link(self, linkemu_bin):
        ready = os.path.join(self.work, "linkemu.ready")
        log = open(os.path.join(self.work, "linkemu.log"), "w")
        self.link = subprocess.Popen(
            [linkemu_bin, "--ns-a", self.server_ns, "--ns-b", self.client_ns, "--dev", "nxl0",
             "--loss", str(LOSSY["loss"]), "--delay-ms", str(LOSSY["delay_ms"]),
             "--rate-mbit", str(LOSSY["rate_mbit"]), "--queue", str(LOSSY["queue"]),
             "--ready-file", ready], stderr=log, start_new_session=True)
        self.daemons.append(self.link)
        wait_for(lambda: os.path.exists(ready), "nxt-linkemu")
        for ns, addr in ((self.server_ns, self.server_addr), (self.client_ns, self.client_addr)):
            subprocess.run(["ip", "-n", ns, "addr", "add", addr + "/24", "dev", "nxl0"], check=True)
            subprocess.run(["ip", "-n", ns, "link", "set", "nxl0", "up", "multicast", "on"], check=True)

    def cmd(self, side, argv):
        """argv as a shell command on that side (for tools that must be told where to run)."""
        ns = self.server_ns if side == "server" else self.client_ns
        return ["ip", "netns", "exec", ns] + argv

    def enter(self, side):
        """A preexec_fn that moves the child into that side's namespace before
        exec: no wrapper process, so a timing holds no `ip netns exec` start-up
        (about 15 ms here) and wait4's peak RSS is the tool's own."""
        ns = self.server_ns if side == "server" else self.client_ns

        def setns():
            fd = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
            if LIBC.setns(fd, CLONE_NEWNET) != 0:
                os._exit(126)
            os.close(fd)
        return setns

    def listening(self, side, port, proto):
        """Whether something listens on `port` on that side; proto "u" (UDP) or "t" (TCP)."""
        out = subprocess.run(self.cmd(side, ["ss", "-Hln" + proto, f"sport = :{port}"]),
                             capture_output=True, text=True).stdout
        return bool(out.strip())

    def start(self, side, argv, log, cwd=None):
        """A daemon on one side; its stdout and stderr go to `log`."""
        p = subprocess.Popen(argv, stdout=open(log, "w"), stderr=subprocess.STDOUT, cwd=cwd,
                             start_new_session=True, preexec_fn=self.enter(side))
        self.daemons.append(p)
        return p

    def run(self, side, argv, timeout, cwd=None, log=None):
        """A one-shot command: (seconds, peak RSS KiB, exit status or None on timeout).
        The peak RSS comes from GNU time, whose child is a fork of a small
        process: a fork of this Python process would report Python's RSS."""
        out = open(log, "a") if log else subprocess.DEVNULL
        rss_file = os.path.join(self.work, "time-rss")
        argv = ["/usr/bin/time", "-q", "-f", "%M", "-o", rss_file] + argv
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, preexec_fn=self.enter(side),
                             start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(p.pid, signal.SIGKILL))
        timer.start()  # the wait below blocks: no polling while timing
        p.wait()
        elapsed = time.monotonic() - t0
        timer.cancel()
        if elapsed >= timeout:
            return timeout, 0, None
        try:
            rss = int(open(rss_file).read().split()[-1])
        except (OSError, ValueError, IndexError):
            rss = 0
        return elapsed, rss, p.returncode

    def stop(self, p):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        if p in self.daemons:
            self.daemons.remove(p)

    def close(self):
        for p in reversed(list(self.daemons)):
            self.stop(p)
        for ns in self.namespaces:
            subprocess.run(["ip", "netns", "del", ns], check=False)
