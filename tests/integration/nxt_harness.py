"""Harness for nxt's integration tests: real daemons on loopback, in temp dirs.

Each test gets its own temporary directory holding one sub-directory per
daemon (state dir, control socket, config file, captured stderr log). Daemons
log to stderr (`--log-target stderr`), which goes to `<dir>/<name>.log`.
Waits poll a condition against a deadline (`wait_for`); nothing sleeps for a
fixed time to be correct. Every daemon a test starts is stopped when it ends
(SIGTERM, then SIGKILL after a grace period), and on failure the logs of all
daemons are printed so `ctest --output-on-failure` shows what happened.

Binaries and plug-ins come from the environment (set by CMakeLists.txt):
NXT_SERVERD, NXT_CLIENTD, NXTCTL, NXT_IMPAIR, NXT_PLUGIN_DIR. Without them
the defaults point into ./build of the source tree.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

_REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
_BUILD = os.environ.get("NXT_BUILD_DIR", os.path.join(_REPO, "build"))

SERVERD = os.environ.get("NXT_SERVERD", os.path.join(_BUILD, "daemon/server/nxt-serverd"))
CLIENTD = os.environ.get("NXT_CLIENTD", os.path.join(_BUILD, "daemon/client/nxt-clientd"))
NXTCTL = os.environ.get("NXTCTL", os.path.join(_BUILD, "ctl/nxtctl"))
IMPAIR = os.environ.get("NXT_IMPAIR", os.path.join(_BUILD, "tests/tools/nxt-impair"))
PLUGINS = os.environ.get("NXT_PLUGIN_DIR", os.path.join(_BUILD, "plugins"))

MiB = 1024 * 1024

# The line the client logs at start and after every reload (DESIGN.md).
VERSION_LINE = "product version : Major = {major} Minor = {minor} productName = nxtgen"


def plugin(name):
    """Path of an in-tree plug-in, e.g. plugin("2_0") -> .../libfunctional_2_0.so."""
    base = "libfunctional.so" if name == "" else "libfunctional_%s.so" % name
    return os.path.join(PLUGINS, base)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            h.update(block)
    return h.hexdigest()


def make_padded_plugin(path, size, base="2_0"):
    """Writes an in-tree plug-in followed by random bytes up to `size` bytes.

    Trailing bytes after an ELF shared object's last section do not stop
    dlopen from loading it, so the result is a valid plug-in (same version as
    `base`) with unique content, i.e. a new SHA-256, on every call.
    """
    shutil.copyfile(plugin(base), path)
    pad = size - os.path.getsize(path)
    if pad < 0:
        raise ValueError("%d bytes is smaller than the plug-in itself" % size)
    with open(path, "ab") as f:
        while pad > 0:
            n = min(pad, 4 * MiB)
            f.write(os.urandom(n))
            pad -= n
    return path


# What ASan, LSan and UBSan print when they find something (a build with
# -DNXT_SANITIZE=ON). Any of these in a daemon's log or nxtctl's stderr fails
# the test, even where the behaviour under test went right.
SANITIZER_REPORT = re.compile(r"ERROR: (?:Address|Leak|UndefinedBehavior)Sanitizer|runtime error:")


def sanitizer_report(text):
    """The first sanitizer report line in `text` with what follows it (up to 4000 chars), or ""."""
    m = SANITIZER_REPORT.search(text or "")
    if not m:
        return ""
    start = text.rfind("\n", 0, m.start()) + 1
    return text[start:start + 4000]


def wait_for(predicate, timeout, what, interval=0.05):
    """Polls `predicate` until it returns a truthy value (returned) or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


def free_udp_port():
    """A UDP port free on both 0.0.0.0 and [::] right now (the kernel's pick)."""
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", 0))
        return s.getsockname()[1]


def send_udp(host, port, payloads):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        for p in payloads:
            s.sendto(p, (host, port))


class Daemon:
    """One daemon process with its output captured to a log file."""

    def __init__(self, name, argv, log_path, cwd):
        self.name, self.argv, self.log_path, self.cwd = name, argv, log_path, cwd
        self.proc = None
        self.starts = 0

    def start(self):
        assert self.proc is None or self.proc.poll() is not None, self.name + " is already running"
        with open(self.log_path, "ab") as log:
            if self.starts:
                log.write(("---- %s restarted ----\n" % self.name).encode())
            self.proc = subprocess.Popen(self.argv, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.starts += 1
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_since_last_start(self):
        text = self.log()
        marker = "---- %s restarted ----\n" % self.name
        return text.rsplit(marker, 1)[-1]

    def count(self, needle):
        return self.log().count(needle)

    def wait_log(self, pattern, timeout=20, count=1):
        """Waits until regex `pattern` matched `count` times in the log; returns the last match."""
        rx = re.compile(pattern)

        def found():
            if not self.alive() and len(rx.findall(self.log())) < count:
                raise AssertionError("%s exited (status %s) before logging %r"
                                     % (self.name, self.proc.returncode, pattern))
            matches = list(rx.finditer(self.log()))
            return matches[count - 1] if len(matches) >= count else None

        return wait_for(found, timeout, "%s to log %r" % (self.name, pattern))

    def kill9(self):
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, grace=10):
        """SIGTERM, then SIGKILL after `grace` seconds. Returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait(10)
        return self.proc.returncode


class Ctl:
    """Result of one nxtctl run."""

    def __init__(self, argv, proc):
        self.argv, self.rc, self.out, self.err = argv, proc.returncode, proc.stdout, proc.stderr

    def json(self):
        """Every stdout line that is a JSON object (--json prints one per reply)."""
        objs = []
        for line in self.out.splitlines():
            line = line.strip()
            if line.startswith("{"):
                objs.append(json.loads(line))
        return objs

    def last(self):
        objs = self.json()
        if not objs:
            raise AssertionError("no JSON reply from %s: %s" % (" ".join(self.argv), self))
        return objs[-1]

    def __str__(self):
        lines = self.out.splitlines()
        shown = "\n".join(lines[-4:])  # a push streams hundreds of progress lines
        skipped = "(%d earlier lines)\n" % (len(lines) - 4) if len(lines) > 4 else ""
        return "%s\nexit %s\nstdout:\n%s%s\nstderr:\n%s" % (" ".join(self.argv), self.rc, skipped, shown, self.err)


def _config(path, lines):
    with open(path, "w") as f:
        f.write("".join("%s = %s\n" % (k, json.dumps(v)) for k, v in lines.items()))
    return path


class Node:
    """A daemon and the directory it owns."""

    def __init__(self, daemon, directory, control_socket):
        self.daemon, self.dir, self.socket = daemon, directory, control_socket

    def __getattr__(self, name):  # start/stop/log/wait_log/... of the daemon
        return getattr(self.daemon, name)


class Server(Node):
    port = None

    @property
    def v4(self):
        return "127.0.0.1:%d" % self.port

    @property
    def v6(self):
        return "[::1]:%d" % self.port


class Client(Node):
    id = None


def running_version(info):
    """(major, minor) of an ArtifactInfo in JSON form (proto3 JSON leaves zeros out)."""
    info = info or {}
    return (int(info.get("major", 0)), int(info.get("minor", 0)))


def sha_hex(info):
    raw = (info or {}).get("sha256", "")
    return base64.b64decode(raw).hex() if raw else ""


def counters(status):
    return {c["name"]: int(c.get("value", 0)) for c in status.get("counters", [])}


class NxtTestCase(unittest.TestCase):
    """Base class: temp dir, daemon lifecycle, nxtctl, log dump on failure."""

    # Seconds: generous for a loaded 2-core CI machine, never a fixed sleep.
    START_TIMEOUT = 20
    REGISTER_TIMEOUT = 30
    PUSH_TIMEOUT = 120

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="nxt-it-%s-" % self._testMethodName[:40])
        self.daemons = []
        self.addCleanup(self._cleanup)

    # -- lifecycle --------------------------------------------------------

    def _failed(self):
        # unittest resets _outcome.success for each cleanup, so look at the
        # result's records of this test instead.
        result = getattr(getattr(self, "_outcome", None), "result", None)
        if result is None:
            return False
        return any(test is self for test, _ in result.errors + result.failures)

    def _cleanup(self):
        statuses = {}
        problems = []
        for d in reversed(self.daemons):
            was_running = d.alive()
            statuses[d.name] = d.stop()
            # SIGTERM is the normal stop: anything but exit 0 is a bug (under
            # ASan, LeakSanitizer's exit status at the end of main lands here).
            if was_running and statuses[d.name] != 0:
                problems.append("%s exited with status %s on SIGTERM" % (d.name, statuses[d.name]))
            report = sanitizer_report(d.log())
            if report:
                problems.append("sanitizer report in %s's log:\n%s" % (d.name, report))
        if problems or self._failed() or os.environ.get("NXT_IT_VERBOSE"):
            for d in self.daemons:
                print("\n======== %s (%s, exit %s) ========" % (d.name, " ".join(d.argv), statuses.get(d.name)))
                print(d.log()[-30000:])
            print("temp dir kept: " + self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        if problems:
            raise AssertionError("\n".join(problems))

    def publisher(self):
        """(private key path, public key text) of this test's publisher key, made on first use."""
        if not getattr(self, "_publisher", None):
            path = os.path.join(self.tmp, "publisher.key")
            subprocess.run([NXTCTL, "keygen", "--out", path], check=True, capture_output=True)
            with open(path + ".pub") as f:
                self._publisher = (path, f.read().strip())
        return self._publisher

    def _node_dir(self, name):
        d = os.path.join(self.tmp, name)
        os.makedirs(d, exist_ok=True)
        return d

    def start_server(self, name="S", port=None, config=None, extra=()):
        """Starts nxt-serverd on '[::]:PORT' (dual-stack) and waits until nxtctl can reach it."""
        d = self._node_dir(name)
        sock = os.path.join(d, "serverd.sock")
        # An explicit config keeps /etc/nxt/serverd.toml out of the test; the
        # empty control_group keeps the socket usable where no `nxt` group exists.
        # Tests about pushing approve every client; test_security covers enrollment.
        # The server signs plain pushes with a publisher key the clients trust.
        conf = {"control_group": "", "auto_approve": True, "publisher_key": self.publisher()[0]}
        conf.update(config or {})
        cfg = _config(os.path.join(d, "serverd.toml"), conf)
        port = port or free_udp_port()
        argv = [SERVERD, "--config", cfg, "--listen", "[::]:%d" % port, "--state-dir", d,
                "--control-socket", sock, "--log-target", "stderr", *extra]
        node = Server(Daemon(name, argv, os.path.join(d, name + ".log"), self.tmp), d, sock)
        node.port = port
        self.daemons.append(node.daemon)
        node.start()
        self.wait_ready(node)
        # Clients started after this pin this server's key, as a real deployment does.
        with open(os.path.join(d, "identity.pub")) as f:
            node.key = f.read().strip()
        self.server_key = node.key
        return node

    def start_client(self, client_id, server_addr, name=None, config=None, extra=(), clientd=None, launcher=(),
                     default_plugin=None):
        """Starts nxt-clientd for `server_addr` ("127.0.0.1:P" or "[::1]:P") and waits for its socket.

        `clientd`, `launcher` and `default_plugin` run another build, e.g. an
        arm64 one under ["qemu-aarch64-static"] with its own shipped plug-in.
        """
        name = name or client_id
        d = self._node_dir(name)
        sock = os.path.join(d, "clientd.sock")
        conf = {"control_group": "", "trusted_publishers": [self.publisher()[1]]}
        if getattr(self, "server_key", None):
            conf["server_key"] = self.server_key
        conf.update(config or {})
        cfg = _config(os.path.join(d, "clientd.toml"), conf)
        argv = [*launcher, clientd or CLIENTD, "--config", cfg, "--server", server_addr, "--state-dir", d,
                "--control-socket", sock, "--id", client_id, "--log-target", "stderr",
                "--default-plugin", default_plugin or plugin(""), *extra]
        node = Client(Daemon(name, argv, os.path.join(d, name + ".log"), self.tmp), d, sock)
        node.id = client_id
        self.daemons.append(node.daemon)
        node.start()
        self.wait_ready(node)
        return node

    def restart(self, node):
        node.start()
        self.wait_ready(node)
        return node

    def wait_ready(self, node, timeout=None):
        def ready():
            if not node.alive():
                raise AssertionError("%s exited with status %s during start-up:\n%s"
                                     % (node.daemon.name, node.daemon.proc.returncode, node.log()[-5000:]))
            return os.path.exists(node.socket) and self.ctl(node, "status").rc == 0
        wait_for(ready, timeout or self.START_TIMEOUT, node.daemon.name + " to answer on its control socket")

    def start_impair(self, upstream, *args, name="impair"):
        """Starts nxt-impair relaying to `upstream`; returns (daemon, port clients send to)."""
        d = self._node_dir(name)
        port_file = os.path.join(d, "port")
        listen = "[::1]:0" if upstream.startswith("[") else "127.0.0.1:0"
        argv = [IMPAIR, "--listen", listen, "--upstream", upstream, "--port-file", port_file, *args]
        daemon = Daemon(name, argv, os.path.join(d, name + ".log"), self.tmp)
        self.daemons.append(daemon)
        daemon.start()

        def port():
            if not daemon.alive():
                raise AssertionError("nxt-impair exited:\n" + daemon.log())
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                return int(text) if text else None
            except (FileNotFoundError, ValueError):
                return None
        return daemon, wait_for(port, self.START_TIMEOUT, "nxt-impair to write its port")

    # -- nxtctl -----------------------------------------------------------

    def ctl(self, node_or_socket, *args, json_out=True, timeout=None):
        sock = node_or_socket if isinstance(node_or_socket, str) else node_or_socket.socket
        argv = [NXTCTL, "--socket", sock, *args] + (["--json"] if json_out else [])
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout or self.PUSH_TIMEOUT + 30)
        report = sanitizer_report(proc.stderr)
        if report:
            self.fail("sanitizer report from %s:\n%s" % (" ".join(argv), report))
        return Ctl(argv, proc)

    def ctl_ok(self, node, *args, **kw):
        r = self.ctl(node, *args, **kw)
        self.assertEqual(r.rc, 0, str(r))
        return r

    def ctl_async(self, node, *args):
        """Starts nxtctl in the background; returns a StreamedCtl that collects its JSON lines."""
        argv = [NXTCTL, "--socket", node.socket, *args, "--json"]
        s = StreamedCtl(argv)
        self.addCleanup(s.kill)
        return s

    def push(self, server, path, *to, timeout=None):
        args = ["push", path]
        for t in to:
            args += ["--to", t]
        return self.ctl(server, *args, timeout=timeout)

    # -- queries ----------------------------------------------------------

    def status(self, node):
        return self.ctl_ok(node, "status").last()["status"]

    def clients(self, server):
        r = self.ctl_ok(server, "clients").last()
        return {c["id"]: c for c in r.get("clients", {}).get("clients", [])}

    def wait_registered(self, server, *clients, timeout=None):
        ids = [c.id if isinstance(c, Client) else c for c in clients]

        def registered():
            known = self.clients(server)
            return all(known.get(i, {}).get("state") == "active" for i in ids) and known
        return wait_for(registered, timeout or self.REGISTER_TIMEOUT, "%s to register" % ", ".join(ids))

    def assert_version_logged(self, client, major, minor, count=1, timeout=30):
        client.wait_log(re.escape(VERSION_LINE.format(major=major, minor=minor)), timeout=timeout, count=count)

    def assert_running(self, client, major, minor):
        st = self.status(client)
        self.assertEqual(running_version(st.get("running")), (major, minor), json.dumps(st))
        return st


class StreamedCtl:
    """nxtctl running in the background (e.g. a long push), read line by line."""

    def __init__(self, argv):
        self.argv = argv
        self.lines = []
        self.err = ""
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._out = threading.Thread(target=self._read_out, daemon=True)
        self._err = threading.Thread(target=self._read_err, daemon=True)
        self._out.start()
        self._err.start()

    def _read_out(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def _read_err(self):
        self.err = self.proc.stderr.read()

    def progress(self):
        """The latest PushProgress seen, or {}."""
        for line in reversed(list(self.lines)):
            if line.startswith("{"):
                obj = json.loads(line)
                if "progress" in obj:
                    return obj["progress"]
        return {}

    def bytes_done(self, client_id):
        for t in self.progress().get("targets", []):
            if t.get("clientId", t.get("client_id")) == client_id:
                return int(t.get("bytesDone", t.get("bytes_done", 0)))
        return 0

    def wait(self, timeout):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s still running after %d s; last output: %s"
                                 % (" ".join(self.argv), timeout, "".join(self.lines[-3:])))
        self._close()
        report = sanitizer_report(self.err)
        if report:
            raise AssertionError("sanitizer report from %s:\n%s" % (" ".join(self.argv), report))
        return self.proc.returncode

    def _close(self):
        self._out.join(5)
        self._err.join(5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if not pipe.closed:
                pipe.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._close()

    def __str__(self):
        return "nxtctl exit %s\nstdout (last lines):\n%s\nstderr:\n%s" % (
            self.proc.returncode, "".join(self.lines[-5:]), self.err)
