"""The tools compared, each run the way a user would run it between the
scenario's two ends. A tool starts its daemon(s) once per table cell
(start), moves one file per round (transfer) and reports the peak RSS of its
daemons over the cell (daemon_peaks). Every received file's SHA-256 is checked
by the caller against the sent one.

  nxt        nxt-serverd (sender) pushes to nxt-clientd (receiver), security
             on as deployed (sealed datagrams, signed release, pinned key);
             timed from `nxtctl push` start to its exit (all targets verified,
             installed, reloaded)
  uftp-B     uftp (sender) to uftpd (receiver), unicast, block size B, no
             encryption; -R -1 (as fast as it can) on loopback, -R at the
             link rate on the lossy link (its best case there: with -C tfmcc
             it is many times slower)
  atftp      atftpd (sender) serves, atftp (receiver) gets, RFC 7440
             windowsize 16, blksize 1428 (a 1500-byte MTU) and timeout 1 (the
             RFC 2349 minimum: atftp recovers a loss only by timeout, so with
             its default of 5 s a 4 MiB file took over a minute on the lossy
             link; with 512-byte blocks 4x longer than with 1428)
  curl       nginx (sender) serves over HTTP, curl (receiver) downloads
"""
import glob
import json
import os
import re

from bench_env import LOSSY, log_has, peak_rss_kib, sha256_file, wait_for

PORT = 5599


class Tool:
    name = "?"
    plugin_prefix = False  # nxt needs a loadable plug-in at the file's start

    def start(self, env, work):
        self.env, self.work = env, work
        self.recv = os.path.join(work, "recv")
        os.makedirs(self.recv, exist_ok=True)

    def daemon_peaks(self):
        return None, None  # (sender KiB, receiver KiB) for daemons; None = measured per run

    def explain(self, rc):
        return ""  # what a non-zero exit status means, for the table

    def stop(self):
        for p in list(self.env.daemons):
            if p is not getattr(self.env, "link", None):
                self.env.stop(p)


class Nxt(Tool):
    name = "nxt"
    plugin_prefix = True

    def __init__(self, build):
        self.build = build

    def start(self, env, work):
        super().start(env, work)
        b, w = self.build, work
        self.ctl = [f"{b}/ctl/nxtctl", "--socket", f"{w}/S/serverd.sock"]
        open(f"{w}/empty.toml", "w").close()
        env.run("server", [f"{b}/ctl/nxtctl", "keygen", "--out", f"{w}/publisher.key"], 20)
        self.server = env.start("server", [
            f"{b}/daemon/server/nxt-serverd", "--config", f"{w}/empty.toml",
            "--listen", f"{env.server_addr}:{PORT}", "--state-dir", f"{w}/S",
            "--control-socket", f"{w}/S/serverd.sock", "--publisher-key", f"{w}/publisher.key",
            "--auto-approve", "true", "--log-target", "stderr"], f"{w}/server.log")
        wait_for(lambda: log_has(f"{w}/server.log", "listening on"), "nxt-serverd")
        self.clients = []

    def add_client(self, cid):
        b, w, env = self.build, self.work, self.env
        log = f"{w}/client-{cid}.log"
        p = env.start("client", [
            f"{b}/daemon/client/nxt-clientd", "--config", f"{w}/empty.toml",
            "--server", f"{env.server_addr}:{PORT}",
            "--server-key", open(f"{w}/S/identity.pub").read().strip(),
            "--trusted-publishers", open(f"{w}/publisher.key.pub").read().strip(),
            "--state-dir", f"{w}/C-{cid}", "--control-socket", f"{w}/C-{cid}/clientd.sock", "--id", cid,
            "--default-plugin", f"{b}/plugins/libfunctional.so", "--log-target", "stderr"], log)
        self.clients.append((cid, p, log))
        return p, log

    def wait_registered(self, timeout=60):
        for cid, _, log in self.clients:
            wait_for(lambda: log_has(log, "registered with"), f"nxt-clientd {cid} to register", timeout)

    def start_one_client(self):
        self.add_client("bench")
        self.wait_registered()

    def push(self, path, timeout, to=None):
        """(seconds, peak RSS of nxtctl, exit status); the JSON replies go to push.log."""
        argv = self.ctl + ["--json", "--timeout", str(int(timeout)), "push", path]
        if to:
            argv += ["--to"] + to
        open(f"{self.work}/push.log", "w").close()
        return self.env.run("server", argv, timeout, log=f"{self.work}/push.log")

    def transfer_ms(self):
        """The server's own elapsed time for the (first) target of the last push:
        the transfer alone, without the import before it or nxtctl around it."""
        for line in reversed(open(f"{self.work}/push.log", errors="replace").read().splitlines()):
            try:
                targets = json.loads(line)["progress"]["targets"]
                return int(targets[0]["elapsed_ms"])
            except (ValueError, KeyError, IndexError, TypeError):
                continue
        return None

    def received(self, sha, cid="bench"):
        """The file client `cid` installed, named after `sha` (the caller checks its content)."""
        for f in glob.glob(f"{self.work}/C-{cid}/**/*", recursive=True):
            if sha[:12] in os.path.basename(f) and os.path.isfile(f) and not f.endswith((".part", ".state")):
                return f
        return None

    def reload_ms(self, sha, cid="bench"):
        log = open(f"{self.work}/client-{cid}.log", errors="replace").read()
        m = re.findall(rf"installed {sha[:12]} \(reload (\d+) us\)", log)
        return int(m[-1]) / 1000 if m else None

    def transfer(self, src, sha, timeout):
        secs, _, rc = self.push(src, timeout)
        out = self.received(sha) if rc == 0 else None
        return secs, rc, out, None, None, {"reload_ms": self.reload_ms(sha), "transfer_ms": self.transfer_ms()}

    def daemon_peaks(self):
        return peak_rss_kib(self.server.pid), max(peak_rss_kib(p.pid) for _, p, _ in self.clients)


class Uftp(Tool):
    uid = "0x0000000a"

    def __init__(self, block):
        self.block, self.name = block, f"uftp-{block}"

    def start(self, env, work):
        super().start(env, work)
        self.rxd = env.start("client", ["uftpd", "-d", "-x", "1", "-U", self.uid, "-p", str(PORT),
                                        "-D", self.recv], f"{work}/uftpd.log")
        wait_for(lambda: env.listening("client", PORT, "u"), "uftpd")

    def transfer(self, src, sha, timeout):
        rate = "-1" if self.env.scenario == "loopback" else str(int(LOSSY["rate_mbit"] * 1000))
        secs, rss, rc = self.env.run("server", [
            "uftp", "-M", self.env.client_addr, "-p", str(PORT), "-H", self.uid, "-b", str(self.block),
            "-R", rate, "-x", "1", os.path.basename(src)], timeout, cwd=os.path.dirname(src),
            log=f"{self.work}/uftp.log")
        out = os.path.join(self.recv, os.path.basename(src))
        return secs, rc, out, rss, None, {}

    def daemon_peaks(self):
        return None, peak_rss_kib(self.rxd.pid)

    def explain(self, rc):
        return {7: "no client answered", 8: "no client answered FILEINFO",
                9: "the client dropped out or aborted", 10: "no file received"}.get(rc, "")


class Atftp(Tool):
    name = "atftp"

    def start(self, env, work):
        super().start(env, work)
        self.serve = os.path.join(work, "src")
        os.chmod(self.serve, 0o777)
        self.srv = env.start("server", [
            "atftpd", "--daemon", "--no-fork", "--port", str(PORT), "--bind-address", env.server_addr,
            "--user", "root", "--group", "root", "--logfile", "-", "--maxthread", "100", self.serve],
            f"{work}/atftpd.log")
        wait_for(lambda: env.listening("server", PORT, "u"), "atftpd")

    def transfer(self, src, sha, timeout):
        out = os.path.join(self.recv, os.path.basename(src))
        secs, rss, rc = self.env.run("client", [
            "atftp", "--option", "windowsize 16", "--option", "blksize 1428", "--option", "timeout 1", "--get",
            "-r", os.path.basename(src), "-l", out, self.env.server_addr, str(PORT)], timeout,
            log=f"{self.work}/atftp.log")
        return secs, rc, out, None, rss, {}

    def daemon_peaks(self):
        return peak_rss_kib(self.srv.pid), None


NGINX_CONF = """daemon off; master_process on; worker_processes 1; user root;
error_log {w}/nginx-error.log; pid {w}/nginx.pid;
events {{ worker_connections 64; }}
http {{ access_log off; sendfile on; tcp_nopush on; types {{ }} default_type application/octet-stream;
  client_body_temp_path {w}/nginx-tmp; proxy_temp_path {w}/nginx-tmp; fastcgi_temp_path {w}/nginx-tmp;
  uwsgi_temp_path {w}/nginx-tmp; scgi_temp_path {w}/nginx-tmp;
  server {{ listen {addr}:{port}; root {root}; }} }}
"""


class Curl(Tool):
    name = "curl"

    def start(self, env, work):
        super().start(env, work)
        os.makedirs(f"{work}/nginx-tmp", exist_ok=True)
        conf = f"{work}/nginx.conf"
        open(conf, "w").write(NGINX_CONF.format(w=work, addr=env.server_addr, port=PORT, root=f"{work}/src"))
        self.srv = env.start("server", ["nginx", "-c", conf, "-p", work], f"{work}/nginx.log")
        wait_for(lambda: env.listening("server", PORT, "t"), "nginx")

    def transfer(self, src, sha, timeout):
        out = os.path.join(self.recv, os.path.basename(src))
        url = f"http://{self.env.server_addr}:{PORT}/{os.path.basename(src)}"
        secs, rss, rc = self.env.run("client", ["curl", "-sSf", "-o", out, url], timeout,
                                     log=f"{self.work}/curl.log")
        return secs, rc, out, None, rss, {}

    def daemon_peaks(self):
        return peak_rss_kib(self.srv.pid), None


def all_tools(build):
    return [Nxt(build), Uftp(1300), Uftp(8800), Atftp(), Curl()]


def verified(out, sha):
    return out is not None and os.path.isfile(out) and sha256_file(out) == sha
