"""The security issue's attacks, on real daemons over real UDP: spoofed, replayed and
bit-flipped datagrams, unapproved and revoked clients, an impostor server, a
world-readable identity key, and a stranger on the control socket."""

import os
import shutil
import socket
import stat
import struct
import subprocess
import unittest

from nxt_harness import (MiB, NxtTestCase, counters, make_padded_plugin, plugin, send_udp, sha256_file, wait_for)


def sealed_datagram(session, seq, payload):
    """Datagram{version=1, session, seq, sealed=payload} by hand: a forgery with a plausible header."""
    def varint(v):
        out = b""
        while v >= 0x80:
            out += bytes([(v & 0x7f) | 0x80])
            v >>= 7
        return out + bytes([v])
    return (b"\x08\x01" + b"\x11" + struct.pack("<Q", session) + b"\x18" + varint(seq) +
            b"\x7a" + varint(len(payload)) + payload)


class AnAttacker(NxtTestCase):
    def test_spoofing_a_session_from_another_socket_is_dropped_and_counted(self):
        server = self.start_server()
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        before = counters(self.status(server)).get("dropped_unauthenticated", 0)
        forged = [sealed_datagram(s, q, os.urandom(80)) for s in (1, 2, 0xdeadbeef) for q in (1, 2, 3)]
        hello_in_clear = b"\x08\x01\x82\x01\x08\x0a\x06host-1"  # Hello{client_id="host-1"} unsealed
        send_udp("127.0.0.1", server.port, forged + [hello_in_clear])
        wait_for(lambda: counters(self.status(server)).get("dropped_unauthenticated", 0) >= before + len(forged) + 1,
                 10, "the server to count the forgeries")
        # Nothing changed: still one client, still approved and serving.
        r = self.push(server, plugin("2_0"))
        self.assertEqual(r.rc, 0, str(r))
        self.assert_version_logged(client, 8, 6)

    def test_replayed_and_bit_flipped_datagrams_are_dropped_and_the_push_still_lands(self):
        server = self.start_server()
        # Every datagram is delivered twice (a replay of each) and 2% are bit-flipped.
        relay, port = self.start_impair(server.v4, "--dup", "1.0", "--corrupt", "0.02", "--seed", "11")
        client = self.start_client("host-1", "127.0.0.1:%d" % port)
        self.wait_registered(server, client)
        path = make_padded_plugin(os.path.join(self.tmp, "lib.so"), 4 * MiB)
        r = self.push(server, path)
        self.assertEqual(r.rc, 0, str(r))
        self.assert_version_logged(client, 8, 6)
        st = self.status(client)
        self.assertGreater(counters(st).get("dropped_unauthenticated", 0), 0, st)
        self.assertEqual(counters(st).get("corrupt_blocks", 0), 0,
                         "a flipped bit reached block verification: AEAD should have dropped it")
        store = os.path.join(client.dir, "store", sha256_file(path) + ".so")
        self.assertEqual(sha256_file(store), sha256_file(path))


class Enrollment(NxtTestCase):
    def test_a_new_client_is_pending_and_gets_nothing_until_approved(self):
        server = self.start_server(config={"auto_approve": False})
        client = self.start_client("host-1", server.v4)
        client.wait_log("waiting for approval")
        listed = self.clients(server)["host-1"]
        self.assertEqual(listed["enrollment"], "pending", listed)
        self.assertTrue(listed["key_fingerprint"].startswith("x25519:"), listed)
        r = self.push(server, plugin("2_0"), "host-1")
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn("not approved", r.out + r.err)
        self.ctl_ok(server, "clients", "approve", "host-1")
        r = self.push(server, plugin("2_0"), "host-1")
        self.assertEqual(r.rc, 0, str(r))
        self.assert_version_logged(client, 8, 6)

    def test_a_preapproved_key_needs_no_operator(self):
        # Start once to learn the client's key, then list it in the server's config.
        server = self.start_server(config={"auto_approve": False})
        client = self.start_client("host-1", server.v4)
        client.wait_log("waiting for approval")
        with open(os.path.join(client.dir, "identity.pub")) as f:
            key = f.read().strip()
        server.stop()
        with open(os.path.join(server.dir, "serverd.toml"), "w") as f:
            f.write('control_group = ""\nauto_approve = false\napproved_keys = ["%s"]\n' % key)
        # A key listed later approves the pending host as soon as it renews.
        self.restart(server)
        wait_for(lambda: self.clients(server).get("host-1", {}).get("enrollment") == "approved", 60,
                 "host-1 to be approved by its listed key")

    def test_a_revoked_client_is_cut_off(self):
        server = self.start_server()
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        self.ctl_ok(server, "clients", "revoke", "host-1")
        r = self.push(server, plugin("2_0"), "host-1")
        self.assertNotEqual(r.rc, 0, str(r))
        client.wait_log("revoked", timeout=60)
        self.assertEqual(self.clients(server)["host-1"]["enrollment"], "revoked")


class AClient(NxtTestCase):
    def test_refuses_a_server_that_is_not_the_one_it_pinned(self):
        real = self.start_server(name="real")
        impostor = self.start_server(name="impostor")
        client = self.start_client("host-1", impostor.v4, config={"server_key": real.key})
        client.wait_log("handshake with .* refused", timeout=30)
        self.assertNotIn("host-1", self.clients(impostor))
        self.assertFalse(self.status(client).get("registered", False))

    def test_refuses_to_start_with_an_identity_key_others_can_read(self):
        server = self.start_server()
        client = self.start_client("host-1", server.v4)
        client.stop()
        os.chmod(os.path.join(client.dir, "identity"), 0o644)
        client.start()
        wait_for(lambda: not client.alive(), 20, "nxt-clientd to refuse to start")
        self.assertIn("readable by group or others", client.log())


class AnEncryptedRelease(NxtTestCase):
    def test_reaches_its_targets_as_ciphertext_and_installs_the_plaintext(self):
        server = self.start_server()
        a = self.start_client("host-a", server.v4)
        b = self.start_client("host-b", server.v6)
        self.wait_registered(server, a, b)
        path = make_padded_plugin(os.path.join(self.tmp, "lib.so"), 2 * MiB)
        plain = open(path, "rb").read()
        r = self.ctl(server, "push", path, "--encrypt")
        self.assertEqual(r.rc, 0, str(r))
        for c in (a, b):
            self.assert_version_logged(c, 8, 6)
            store = os.path.join(c.dir, "store", sha256_file(path) + ".so")
            self.assertEqual(sha256_file(store), sha256_file(path))
        # What the server shipped is not the plaintext.
        sealed = [f for f in os.listdir(os.path.join(server.dir, "artifacts")) if ".sealed-" in f]
        self.assertTrue(sealed, os.listdir(os.path.join(server.dir, "artifacts")))
        ciphertext = open(os.path.join(server.dir, "artifacts", sealed[0]), "rb").read()
        self.assertNotIn(plain[4096:4096 + 64], ciphertext)

    def test_is_wrapped_to_the_key_a_host_proved_in_its_session(self):
        # (That another host's key cannot unwrap it is crypto_test's WrapKey
        # tests; here: a host whose identity changed gets the key wrapped to
        # the new one, after the operator approved that key.)
        server = self.start_server()
        a = self.start_client("host-a", server.v4)
        self.wait_registered(server, a)
        a.stop()
        for name in ("identity", "identity.pub"):
            os.remove(os.path.join(a.dir, name))
        self.restart(a)
        self.wait_registered(server, a)
        r = self.ctl(server, "push", plugin("2_0"), "--encrypt")
        self.assertEqual(r.rc, 0, str(r))
        self.assert_version_logged(a, 8, 6)


class BoundedInput(NxtTestCase):
    def test_a_trickling_transfer_is_ended_with_a_reason(self):
        server = self.start_server()
        relay, port = self.start_impair(server.v4, "--rate-mbit", "0.05", "--seed", "3")  # ~6 KB/s
        client = self.start_client("host-1", "127.0.0.1:%d" % port,
                                   config={"min_transfer_rate": 65536, "rate_window_seconds": 2})
        self.wait_registered(server, client)
        path = make_padded_plugin(os.path.join(self.tmp, "lib.so"), 1 * MiB)
        r = self.push(server, path)
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn("too slow", r.out + r.err)
        self.assert_running(client, 5, 6)

    def test_an_offer_beyond_the_staging_quota_is_declined(self):
        server = self.start_server()
        client = self.start_client("host-1", server.v4, config={"staging_quota_mb": 1})
        self.wait_registered(server, client)
        path = make_padded_plugin(os.path.join(self.tmp, "lib.so"), 4 * MiB)
        r = self.push(server, path)
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn("staging quota", r.out + r.err)
        self.assertEqual(os.listdir(os.path.join(client.dir, "staging")), [])


class TheControlSocket(NxtTestCase):
    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("setpriv"), "needs root and setpriv")
    def test_refuses_a_user_who_is_neither_root_nor_in_group_nxt(self):
        server = self.start_server()
        # Let "nobody" reach the socket file, so the daemon's own check is what refuses.
        os.chmod(self.tmp, 0o755)
        os.chmod(server.dir, 0o755)
        os.chmod(server.socket, 0o666)
        proc = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               os.environ["NXTCTL"], "--socket", server.socket, "status"],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 1, proc)
        self.assertIn("permission denied", (proc.stdout + proc.stderr).lower())


if __name__ == "__main__":
    unittest.main()
