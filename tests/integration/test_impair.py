"""Pushes through nxt-impair, the seeded UDP impairment relay (this kernel has no tc netem)."""

import os
import unittest

from nxt_harness import MiB, NxtTestCase, make_padded_plugin, sha256_file, sha_hex


class APushThroughABadNetwork(NxtTestCase):
    def push_through(self, upstream_of, *impairments, size=4 * MiB):
        server = self.start_server()
        relay, port = self.start_impair(upstream_of(server), *impairments)
        host = "[::1]" if upstream_of(server).startswith("[") else "127.0.0.1"
        client = self.start_client("host-1", "%s:%d" % (host, port))
        self.wait_registered(server, client, timeout=60)
        build = make_padded_plugin(os.path.join(self.tmp, "libfunctional_lossy.so"), size)
        r = self.push(server, build)
        self.assertEqual(r.rc, 0, str(r))
        self.assert_version_logged(client, 8, 6)
        st = self.assert_running(client, 8, 6)
        self.assertEqual(sha_hex(st.get("running")), sha256_file(build))
        self.assertTrue(relay.alive())
        return server, client

    def test_delivers_a_correct_file_at_20_percent_loss_over_ipv4(self):
        self.push_through(lambda s: s.v4, "--loss", "0.2", "--seed", "20")

    def test_delivers_a_correct_file_at_20_percent_loss_over_ipv6(self):
        self.push_through(lambda s: s.v6, "--loss", "0.2", "--seed", "6")

    def test_delivers_a_correct_file_despite_duplication_reordering_and_corruption(self):
        # 2% of datagrams corrupted after the UDP checksum: every datagram is
        # AEAD-sealed, so a flipped bit makes that one datagram fail to open
        # and costs what a loss costs, never a whole block.
        server, _ = self.push_through(lambda s: s.v4, "--loss", "0.05", "--dup", "0.1", "--reorder", "0.1",
                                      "--corrupt", "0.02", "--delay-ms", "2", "--jitter-ms", "1", "--seed", "7")
        self.assertTrue(server.alive())


if __name__ == "__main__":
    unittest.main()
