"""TLS through the proxy, with pebble as the ACME server: pebble's HTTP-01
check reaches the proxy's HTTP port, the certificate is served by SNI,
curl speaks HTTP/2 to it, HTTP redirects to HTTPS, and a renewal swaps the
certificate under a load loop of TLS requests without one failing."""
import socket
import ssl
import subprocess
import threading
import time

from orca import check, wait_until
from pebble import Pebble
from proxyfix import Proxy, deploy, echo_service, free_port, wait_healthy
from test_tls import certs, wait_cert


def cluster(pebble, http_port, https_port):
    return '''
[cluster]
acme_directory = "%s"
acme_ca_bundle = "%s"

[proxy]
http = "127.0.0.1:%d"
https = "127.0.0.1:%d"
''' % (pebble.directory, pebble.cert, http_port, https_port)


def curl(args):
    p = subprocess.run(["curl", "-sS", "--max-time", "20", *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


class TLSLoad:
    """Threads doing GET / over TLS (SNI host, verified against root):
    half on a new connection each time, half on one kept-alive connection.
    Records failures and the notBefore of every certificate seen."""

    def __init__(self, port, host, root, n=4):
        self.port, self.host, self.n = port, host, n
        self.ctx = ssl.create_default_context(cafile=root)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ok, self.errors, self.seen = 0, [], set()

    def _connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        s = self.ctx.wrap_socket(raw, server_hostname=self.host)
        with self.lock:
            self.seen.add(s.getpeercert()["notBefore"])
        return s

    def _get(self, s, close):
        s.sendall(("GET / HTTP/1.1\r\nHost: %s\r\n%s\r\n" %
                   (self.host, "Connection: close\r\n" if close else "")).encode())
        f = s.makefile("rb")
        status = f.readline()
        length = 0
        while True:
            line = f.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        f.read(length)
        f.close()
        if b" 200 " not in status:
            raise OSError("status %r" % status)

    def run(self, keep):
        s = None
        while not self.stop.is_set():
            try:
                if s is None:
                    s = self._connect()
                self._get(s, not keep)
                with self.lock:
                    self.ok += 1
                if not keep:
                    s.close()
                    s = None
            except (OSError, ssl.SSLError, ValueError) as e:
                with self.lock:
                    self.errors.append(repr(e))
                if s is not None:
                    s.close()
                s = None
        if s is not None:
            s.close()

    def __enter__(self):
        self.threads = [threading.Thread(target=self.run, args=(i % 2 == 1,))
                        for i in range(self.n)]
        for th in self.threads:
            th.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for th in self.threads:
            th.join()


def test_acme_through_the_proxy_http2_and_renewal_under_load(t):
    http_port, https_port = free_port(), free_port()
    # 30 s certificates: renewed 20 s after each is issued
    pebble = Pebble(t.base, http_port, validity_s=30).start()
    try:
        host = "app.orca.test"
        p = t.project("tlsp")
        cfg = t.config({p: echo_service("web", host, replicas=2)},
                       cluster(pebble, http_port, https_port))
        s = t.server()
        deploy(s, cfg)
        wait_healthy(s, p, "web", 2)
        # pebble checked http://app.orca.test:<http_port>/.well-known/acme-challenge/...
        first = wait_cert(s, host, lambda c: c["state"] == "valid")
        root = pebble.root_file()
        base = ["--cacert", root, "--resolve", "%s:%d:127.0.0.1" % (host, https_port)]
        url = "https://%s:%d/" % (host, https_port)
        rc, out, err = curl(base + ["--http2", "-w", "\n%{http_version}", url])
        check(rc == 0 and out.endswith("\n2") and "hostname=" in out,
              "curl --http2: rc %d %r %s" % (rc, out[-300:], err))
        # plain HTTP now redirects to HTTPS for this host
        for h in (host, "%s:%d" % (host, http_port)):   # the HTTP port is not kept
            st, hdrs, _ = Proxy(http_port).get(h, "/x?y=1")
            loc = dict((k.lower(), v) for k, v in hdrs).get("location")
            check(st == 308 and loc == "https://%s:%d/x?y=1" % (host, https_port),
                  "redirect for Host %s: %d %r" % (h, st, loc))
        rc, out, err = curl(base + ["-L", "-w", "\n%{url_effective}", "--resolve",
                                    "%s:%d:127.0.0.1" % (host, http_port),
                                    "http://%s:%d/" % (host, http_port)])
        check(rc == 0 and out.endswith("\n" + url) and "hostname=" in out,
              "curl -L from http: rc %d %r %s" % (rc, out[-300:], err))
        # renewal under load: no failed request across the swap
        with TLSLoad(https_port, host, root) as load:
            before = wait_cert(s, host, lambda c: c["state"] == "valid")
            second = wait_cert(s, host, lambda c: c["not_before"] > before["not_before"] and
                               c["state"] == "valid", timeout=60, what="a renewal")
            wait_until(lambda: len(load.seen) >= 2, 20, "the load to see the new certificate")
            time.sleep(2)
        check(not load.errors, "%d of %d requests failed during the renewal: %s" %
              (len(load.errors), load.ok + len(load.errors), load.errors[:5]))
        check(load.ok > 50, "only %d requests in the load loop" % load.ok)
        rc, out, err = curl(base + ["--http2", "-w", "\n%{http_version}", url])
        check(rc == 0 and out.endswith("\n2"), "after renewal: rc %d %s" % (rc, err))
        t.note("renewal at %.1f s of a %.0f s certificate; %d TLS requests, none failed; "
               "certificates seen: %d" % ((second["not_before"] - before["not_before"]) / 1000,
                                          (before["not_after"] - before["not_before"]) / 1000,
                                          load.ok, len(load.seen)))
    finally:
        pebble.stop()
