"""Garbage datagrams at both daemons, also mid-transfer: counted, dropped, nothing stalls."""

import os
import random
import threading
import unittest

from nxt_harness import MiB, NxtTestCase, counters, make_padded_plugin, plugin, send_udp, wait_for

WRONG_VERSION = b"\x08\x63\x82\x01\x00"  # version 99 with an empty Hello


def garbage(seed, n):
    rng = random.Random(seed)
    out = [b"", WRONG_VERSION, b"\x08\x01", b"\xff" * 1500]
    out += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 1400))) for _ in range(n)]
    return out


def dropped_total(c):
    return sum(v for k, v in c.items() if k.startswith("dropped") or "malformed" in k or "wrong_version" in k)


def udp_port(status):
    """The port of the first bound address in a status reply ("[::]:41234")."""
    return int(status["listen"][0].rsplit(":", 1)[1])


class GarbageDatagrams(NxtTestCase):
    def test_sent_to_a_client_are_counted_and_it_keeps_working(self):
        server = self.start_server()
        client = self.start_client("host-1", server.v6)
        self.wait_registered(server, client)
        st = self.status(client)
        port = udp_port(st)
        before = dropped_total(counters(st))
        junk = garbage(5, 30)
        send_udp("127.0.0.1", port, junk)
        send_udp("::1", port, junk)
        wait_for(lambda: dropped_total(counters(self.status(client))) >= before + 2 * 3, 10,
                 "the client to count the garbage (counters: %s)" % counters(self.status(client)))
        self.assertTrue(client.alive())
        r = self.push(server, plugin("2_0"))
        self.assertEqual(r.rc, 0, str(r))
        self.assert_version_logged(client, 8, 6)

    def test_sprayed_at_both_daemons_during_a_transfer_do_not_stall_it(self):
        server = self.start_server()
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        client_port = udp_port(self.status(client))
        build = make_padded_plugin(os.path.join(self.tmp, "libfunctional_8m.so"), 8 * MiB)
        stop = threading.Event()

        def spray():
            junk = garbage(9, 50)
            while not stop.is_set():
                send_udp("127.0.0.1", server.port, junk)
                send_udp("::1", client_port, junk)
                stop.wait(0.01)
        t = threading.Thread(target=spray, daemon=True)
        t.start()
        try:
            r = self.push(server, build)
        finally:
            stop.set()
            t.join(5)
        self.assertEqual(r.rc, 0, str(r))
        self.assert_version_logged(client, 8, 6)
        self.assertGreater(dropped_total(counters(self.status(server))), 0)
        self.assertGreater(dropped_total(counters(self.status(client))), 0)


if __name__ == "__main__":
    unittest.main()
