"""nxt-linkemu, the IP link emulator the side-by-side benchmark runs TCP and
UDP tools over: real TUN devices between two network namespaces. Needs root
(CI runs as root); skipped otherwise."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

LINKEMU = os.environ.get("NXT_LINKEMU", "")

# Runs inside namespace B: echoes one UDP datagram and one TCP line back.
ECHO = """
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("10.97.0.2", 7000))
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("10.97.0.2", 7001)); t.listen()
print("ready", flush=True)
data, peer = u.recvfrom(65536); u.sendto(data, peer)
c, _ = t.accept(); c.sendall(c.recv(65536)); c.close()
"""

# Runs inside namespace A: sends both and prints what came back.
CLIENT = """
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(10)
u.sendto(b"x" * 1400, ("10.97.0.2", 7000)); print("udp", u.recv(65536) == b"x" * 1400)
t = socket.create_connection(("10.97.0.2", 7001), timeout=10); t.sendall(b"hello over tcp")
print("tcp", t.recv(65536) == b"hello over tcp")
"""


@unittest.skipUnless(os.geteuid() == 0 and os.path.exists("/dev/net/tun"), "needs root and /dev/net/tun")
class ALinkBetweenTwoNamespaces(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="nxt-linkemu-test.")
        tag = "nxtlt%d" % os.getpid()
        self.ns = [tag + "a", tag + "b"]
        for ns in self.ns:
            subprocess.run(["ip", "netns", "add", ns], check=True)
            self.addCleanup(subprocess.run, ["ip", "netns", "del", ns])

    def start_link(self, *flags):
        ready = os.path.join(self.tmp, "ready")
        self.link = subprocess.Popen([LINKEMU, "--ns-a", self.ns[0], "--ns-b", self.ns[1], "--dev", "nxlt0",
                                      "--ready-file", ready, *flags], stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.link.stderr.close)
        self.addCleanup(self.link.kill)
        deadline = time.monotonic() + 10
        while not os.path.exists(ready):
            self.assertLess(time.monotonic(), deadline, "nxt-linkemu never became ready")
            self.assertIsNone(self.link.poll(), self.link.stderr.read() if self.link.poll() is not None else "")
            time.sleep(0.02)
        for ns, addr in zip(self.ns, ("10.97.0.1", "10.97.0.2")):
            subprocess.run(["ip", "-n", ns, "addr", "add", addr + "/24", "dev", "nxlt0"], check=True)
            subprocess.run(["ip", "-n", ns, "link", "set", "nxlt0", "up"], check=True)

    def stop_link(self):
        self.link.send_signal(signal.SIGTERM)
        _, err = self.link.communicate(timeout=10)
        self.assertEqual(self.link.returncode, 0, err)
        return err

    def exchange(self):
        echo = subprocess.Popen(["ip", "netns", "exec", self.ns[1], sys.executable, "-c", ECHO],
                                stdout=subprocess.PIPE, text=True)
        self.addCleanup(echo.stdout.close)
        self.addCleanup(echo.kill)
        self.assertEqual(echo.stdout.readline().strip(), "ready")
        return subprocess.run(["ip", "netns", "exec", self.ns[0], sys.executable, "-c", CLIENT],
                              capture_output=True, text=True, timeout=30)

    def test_carries_udp_and_tcp_intact_through_a_delayed_rate_limited_link(self):
        self.start_link("--delay-ms", "5", "--rate-mbit", "50")
        r = self.exchange()
        self.assertEqual(r.stdout.split(), ["udp", "True", "tcp", "True"], r.stderr)
        err = self.stop_link()
        self.assertRegex(err, r"lost 0 ")

    def test_drops_every_packet_at_loss_one(self):
        self.start_link("--loss", "1")
        sender = ("import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                  "[s.sendto(b'x', ('10.97.0.2', 7000)) for _ in range(5)]")
        subprocess.run(["ip", "netns", "exec", self.ns[0], sys.executable, "-c", sender], check=True)
        err = self.stop_link()
        a_to_b = next(line for line in err.splitlines() if "%s->%s" % tuple(self.ns) in line)
        received = int(re.search(r"received (\d+)", a_to_b).group(1))
        self.assertGreaterEqual(received, 5, err)
        self.assertRegex(a_to_b, r"forwarded 0 lost %d " % received)


if __name__ == "__main__":
    unittest.main()
