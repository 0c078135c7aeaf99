"""pebble, Let's Encrypt's test ACME server (Debian package `pebble`), for
orca's TLS tests: started and stopped by the test, on 127.0.0.1 only.

pebble's HTTPS certificate is made here (openssl, a self-signed certificate
for 127.0.0.1) and given to orca as `acme_ca_bundle`. pebble-challtestsrv
runs beside it as the DNS server of pebble's validation authority and
answers every name with 127.0.0.1, so that HTTP-01 checks reach orca's
proxy on `http_port`.
"""
import json
import os
import socket
import ssl
import subprocess
import tempfile
import urllib.request

from orca import Fail, wait_until


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Pebble:
    def __init__(self, base, http_port, validity_s=None, always_valid=False,
                 nonce_reject=0):
        self.dir = tempfile.mkdtemp(prefix="pebble-", dir=base)
        self.port, self.mgmt, self.dns = free_port(), free_port(), free_port()
        self.http_port = http_port
        self.cert = os.path.join(self.dir, "pebble.pem")
        self.key = os.path.join(self.dir, "pebble.key")
        self.log = os.path.join(self.dir, "pebble.log")
        self.procs = []
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                        "-subj", "/CN=pebble test", "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", self.key, "-out", self.cert],
                       check=True, capture_output=True)
        cfg = {"pebble": {
            "listenAddress": "127.0.0.1:%d" % self.port,
            "managementListenAddress": "127.0.0.1:%d" % self.mgmt,
            "certificate": self.cert, "privateKey": self.key,
            "httpPort": http_port, "tlsPort": free_port(),
            "ocspResponderURL": "", "externalAccountBindingRequired": False}}
        if validity_s:
            cfg["pebble"]["certificateValidityPeriod"] = validity_s
        self.config = os.path.join(self.dir, "pebble.json")
        with open(self.config, "w") as f:
            json.dump(cfg, f)
        self.env = dict(os.environ, PEBBLE_VA_NOSLEEP="1",
                        PEBBLE_WFE_NONCEREJECT=str(nonce_reject),
                        PEBBLE_AUTHZREUSE="0")
        if always_valid:
            self.env["PEBBLE_VA_ALWAYS_VALID"] = "1"

    @property
    def directory(self):
        return "https://127.0.0.1:%d/dir" % self.port

    def _ctx(self):
        return ssl.create_default_context(cafile=self.cert)

    def start(self):
        logf = open(self.log, "a")
        self.procs.append(subprocess.Popen(
            ["pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
             "-dns01", "127.0.0.1:%d" % self.dns, "-http01", "", "-https01", "",
             "-tlsalpn01", "", "-management", "127.0.0.1:%d" % free_port()],
            stdout=logf, stderr=logf))
        self.procs.append(subprocess.Popen(
            ["pebble", "-config", self.config, "-dnsserver", "127.0.0.1:%d" % self.dns],
            stdout=logf, stderr=logf, env=self.env))
        logf.close()

        def up():
            for p in self.procs:
                if p.poll() is not None:
                    raise Fail("pebble exited: " + open(self.log).read()[-2000:])
            with urllib.request.urlopen(self.directory, context=self._ctx(), timeout=2) as r:
                return r.status == 200
        wait_until(up, 20, "pebble at " + self.directory, interval=0.2)
        return self

    def root_pem(self):
        """pebble's root CA for the certificates it issues (random per run)."""
        url = "https://127.0.0.1:%d/roots/0" % self.mgmt
        with urllib.request.urlopen(url, context=self._ctx(), timeout=5) as r:
            return r.read().decode()

    def root_file(self):
        path = os.path.join(self.dir, "root.pem")
        with open(path, "w") as f:
            f.write(self.root_pem())
        return path

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        self.procs = []
