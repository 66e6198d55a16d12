"""nxt-serverd on its own: status, hostile datagrams, and push errors an operator can hit."""

import os
import random
import unittest

from nxt_harness import NxtTestCase, counters, plugin, send_udp, wait_for


def dropped_total(c):
    return sum(v for k, v in c.items() if k.startswith("dropped_"))


# Hand-encoded nxt.wire.Datagram bytes (field 1 = version, field 16 = hello).
WRONG_VERSION = b"\x08\x63\x82\x01\x00"  # version 99 with an empty Hello
NO_BODY = b"\x08\x01"                    # version 1, no body at all
TRUNCATED = b"\x08\x01\x82\x01\x20abc"   # Hello claims 32 bytes, 3 follow


class AServerOnItsOwn(NxtTestCase):
    def test_reports_its_listen_address_and_counters_in_status(self):
        server = self.start_server()
        st = self.status(server)
        self.assertEqual(st["daemon"], "nxt-serverd")
        self.assertIn("[::]:%d" % server.port, st["listen"])
        c = counters(st)
        self.assertIn("datagrams_received", c)
        self.assertEqual(dropped_total(c), 0, c)
        human = self.ctl_ok(server, "status", json_out=False)
        self.assertIn("nxt-serverd", human.out)

    def test_lists_no_clients_before_any_registered(self):
        server = self.start_server()
        self.assertEqual(self.clients(server), {})

    def test_drops_and_counts_garbage_datagrams_on_ipv4_and_ipv6_and_keeps_serving(self):
        server = self.start_server()
        rng = random.Random(1234)
        garbage = [b"", WRONG_VERSION, NO_BODY, TRUNCATED, b"\xff" * 1199, b"x" * 9000]
        garbage += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 1500))) for _ in range(40)]
        for host in ("127.0.0.1", "::1"):
            send_udp(host, server.port, garbage)
        sent = 2 * len(garbage)

        def all_counted():
            c = counters(self.status(server))
            return c if dropped_total(c) + c.get("datagrams_received", 0) >= sent else None
        c = wait_for(all_counted, 10, "every garbage datagram to be counted")
        # Random bytes may happen to parse, but these must never be accepted.
        self.assertGreaterEqual(c["dropped_wrong_version"], 2, c)
        self.assertGreaterEqual(c["dropped_empty"] + c["dropped_malformed"] + c["dropped_no_body"], 6, c)
        self.assertGreaterEqual(dropped_total(c), 2 * 6, c)
        self.assertTrue(server.alive(), "nxt-serverd died on garbage input")
        self.assertEqual(self.clients(server), {}, "garbage must not register a client")


class APushThatCannotStart(NxtTestCase):
    def assert_one_line_error(self, r, *words):
        self.assertNotEqual(r.rc, 0, str(r))
        lines = [l for l in r.err.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, "want exactly one error line on stderr\n" + str(r))
        for w in words:
            self.assertIn(w, lines[0], str(r))

    def test_of_a_missing_file_names_the_file(self):
        server = self.start_server()
        missing = os.path.join(self.tmp, "no-such-libfunctional.so")
        self.assert_one_line_error(self.push(server, missing), missing)
        self.assert_one_line_error(self.ctl(server, "push", missing, json_out=False), missing)

    def test_of_a_directory_says_it_is_not_a_regular_file(self):
        server = self.start_server()
        self.assert_one_line_error(self.push(server, self.tmp), self.tmp)

    def test_to_an_unknown_client_id_names_the_id(self):
        server = self.start_server()
        self.assert_one_line_error(self.push(server, plugin("2_0"), "no-such-host"), "no-such-host")
        self.assert_one_line_error(self.ctl(server, "push", plugin("2_0"), "--to", "no-such-host", json_out=False),
                                   "no-such-host")

    def test_to_a_dead_server_says_it_cannot_connect(self):
        server = self.start_server()
        server.stop()
        r = self.ctl(server, "push", plugin("2_0"), json_out=False)
        self.assert_one_line_error(r, server.socket)
        r = self.ctl(os.path.join(self.tmp, "never-existed.sock"), "push", plugin("2_0"), json_out=False)
        self.assert_one_line_error(r, "never-existed.sock")

    def test_with_no_registered_clients_fails(self):
        server = self.start_server()
        r = self.ctl(server, "push", plugin("2_0"), json_out=False)
        self.assert_one_line_error(r, "client")


if __name__ == "__main__":
    unittest.main()
