"""Only signed releases load, and never an older one: unsigned, untrusted, tampered and
rolled-back releases are refused with a reason, nothing is installed, the running version stays."""

import os
import subprocess
import unittest

from nxt_harness import NXTCTL, NxtTestCase, plugin, sha256_file


class ASignedRelease(NxtTestCase):
    def sign(self, path, key, *extra):
        out = os.path.join(self.tmp, os.path.basename(path) + ".nxt")
        subprocess.run([NXTCTL, "sign", path, "--key", key, "--out", out, *extra], check=True, capture_output=True)
        return out

    def keygen(self, name):
        path = os.path.join(self.tmp, name)
        subprocess.run([NXTCTL, "keygen", "--out", path], check=True, capture_output=True)
        return path

    def assert_refused(self, server, client, path, reason):
        r = self.push(server, path)
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn(reason, r.out + r.err)
        self.assert_running(client, 5, 6)
        self.assertEqual(os.listdir(os.path.join(client.dir, "store")), [], "something was installed")

    def test_signed_off_the_server_is_pushed_by_a_server_without_the_key(self):
        server = self.start_server(config={"publisher_key": ""})
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        bundle = self.sign(plugin("2_0"), self.publisher()[0])
        r = self.push(server, bundle)
        self.assertEqual(r.rc, 0, str(r))
        self.assert_version_logged(client, 8, 6)
        store = os.path.join(client.dir, "store", sha256_file(plugin("2_0")) + ".so")
        self.assertTrue(os.path.exists(store), "the installed file is the payload, not the bundle")

    def test_unsigned_is_refused(self):
        server = self.start_server(config={"publisher_key": ""})
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        self.assert_refused(server, client, plugin("2_0"), "release is not signed")

    def test_signed_by_an_untrusted_key_is_refused(self):
        stranger = self.keygen("stranger.key")
        server = self.start_server(config={"publisher_key": stranger})
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        self.assert_refused(server, client, plugin("2_0"), "not a trusted publisher")

    def test_a_tampered_signed_manifest_is_refused(self):
        server = self.start_server(config={"publisher_key": ""})
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        bundle = self.sign(plugin("2_0"), self.publisher()[0])
        data = bytearray(open(bundle, "rb").read())
        # The release's minor version sits inside the signed bytes: 8.6 -> 8.7.
        at = data.find(b"\x18\x06")  # ArtifactInfo.minor = 6
        self.assertGreater(at, 0)
        data[at + 1] = 7
        tampered = bundle + ".tampered"
        open(tampered, "wb").write(bytes(data))
        self.assert_refused(server, client, tampered, "does not verify")

    def test_a_bundle_whose_payload_was_changed_is_refused_by_the_server(self):
        server = self.start_server(config={"publisher_key": ""})
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        bundle = self.sign(plugin("2_0"), self.publisher()[0])
        with open(bundle, "r+b") as f:
            f.seek(-100, os.SEEK_END)
            byte = f.read(1)
            f.seek(-100, os.SEEK_END)
            f.write(bytes([byte[0] ^ 0xff]))
        r = self.push(server, bundle)
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn("does not describe its payload", r.out + r.err)
        self.assert_running(client, 5, 6)


class AntiRollback(NxtTestCase):
    def test_an_older_release_is_refused_unless_signed_as_a_downgrade_even_after_a_restart(self):
        server = self.start_server()
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        self.assertEqual(self.push(server, plugin("2_0")).rc, 0)
        self.assert_version_logged(client, 8, 6)
        client.stop()
        self.restart(client)  # the floor survives the restart
        self.wait_registered(server, client)
        r = self.push(server, plugin("1_0"))
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn("older than 8.6", r.out + r.err)
        self.assert_running(client, 8, 6)
        r = self.ctl(server, "push", plugin("1_0"), "--downgrade")
        self.assertEqual(r.rc, 0, str(r))
        self.assert_running(client, 5, 6)


if __name__ == "__main__":
    unittest.main()
