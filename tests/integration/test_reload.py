"""SIGHUP (systemctl reload): the config file is read again; a bad file is refused and the old config keeps running."""

import os
import signal
import unittest

from nxt_harness import NxtTestCase


class AReloadedDaemon(NxtTestCase):
    def write(self, node, name, text):
        with open(os.path.join(node.dir, name), "w") as f:
            f.write(text)

    def test_a_client_without_a_server_idles_until_a_reload_names_one(self):
        server = self.start_server()
        client = self.start_client("host-1", "")  # no --server: nothing configured
        client.wait_log("no server configured")
        self.assertFalse(self.status(client).get("registered", False))
        self.assert_version_logged(client, 5, 6)  # still serving the shipped plug-in
        self.write(client, "clientd.toml",
                   'control_group = ""\nserver = "%s"\nserver_key = "%s"\n' % (server.v4, server.key))
        os.kill(client.daemon.proc.pid, signal.SIGHUP)
        client.wait_log("configuration reloaded")
        self.wait_registered(server, client)
        self.assertTrue(self.status(client).get("registered"))

    def test_a_bad_file_is_refused_with_file_and_line_and_the_daemons_keep_serving(self):
        server = self.start_server()
        client = self.start_client("host-1", server.v4)
        self.wait_registered(server, client)
        for node, name in ((client, "clientd.toml"), (server, "serverd.toml")):
            self.write(node, name, 'control_group = ""\nlease_seconds = "sixty"\n'
                       if node is server else 'control_group = ""\nselftest_timeout_ms = -5\n')
            os.kill(node.daemon.proc.pid, signal.SIGHUP)
            node.wait_log(r"reload refused, keeping the running configuration: .*%s:2:" % name)
            self.assertTrue(node.alive())
            self.status(node)  # still answers on its control socket
        self.wait_registered(server, client)


if __name__ == "__main__":
    unittest.main()
