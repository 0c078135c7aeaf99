"""Fixtures for the proxy's end-to-end tests: free loopback ports, a
cluster.toml that puts the proxy on them, an HTTP client that names the
Host, and the server's resident memory."""
import http.client
import socket
import time

from orca import check, unique, wait_until

ECHO = '''
[[service]]
name = "%(name)s"
image = "orca-test/echo:1"
replicas = %(replicas)d
port = 8080
health = "/healthz"
domain = %(domain)s
%(extra)s
'''


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cluster_toml(http_port, https_port=None, extra=""):
    # no ACME: tests never talk to anything but loopback and their containers
    return '[cluster]\nacme_directory = "off"\n[proxy]\nhttp = "127.0.0.1:%d"\nhttps = "%s"\n%s\n' % (
        http_port, "127.0.0.1:%d" % https_port if https_port else "off", extra)


def echo_service(name, domain, replicas=2, extra=""):
    dom = '"%s"' % domain if isinstance(domain, str) else "[%s]" % ", ".join(
        '"%s"' % d for d in domain)
    return ECHO % {"name": name, "replicas": replicas, "domain": dom, "extra": extra}


def domain(prefix="app"):
    return "%s.test" % unique(prefix)


class Proxy:
    """Requests to the proxy at 127.0.0.1:port with a chosen Host."""

    def __init__(self, port):
        self.port = port

    def request(self, host, method="GET", path="/", body=None, headers=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            h = {"Host": host}
            h.update(headers or {})
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            return r.status, r.getheaders(), r.read()
        finally:
            c.close()

    def get(self, host, path="/", **kw):
        return self.request(host, "GET", path, **kw)

    def wait_ok(self, host, path="/", timeout=60):
        return wait_until(lambda: self.get(host, path)[0] == 200, timeout,
                          "the proxy to serve %s%s" % (host, path))

    def raw(self, data, timeout=10, read=True):
        """Sends raw bytes on a fresh connection; returns what came back."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(data)
            if not read:
                return b""
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                out += chunk
            return out
        finally:
            s.close()


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def deploy(server, cfg):
    p = server.cli("deploy", cfg.path)
    check(p.returncode == 0, "deploy failed: %s%s" % (p.stdout, p.stderr))


def start(t, projects, replicas_ready=None, extra_cluster=""):
    """A server with the proxy on a free port, the projects deployed."""
    port = free_port()
    cfg = t.config(projects, cluster_toml(port, extra=extra_cluster))
    s = t.server()
    deploy(s, cfg)
    return s, cfg, Proxy(port)


def backends_seen(proxy, host, n, path="/"):
    seen = set()
    for _ in range(n):
        st, hdrs, _ = proxy.get(host, path)
        check(st == 200, "GET %s%s: %d" % (host, path, st))
        seen.add(dict((k.lower(), v) for k, v in hdrs).get("x-backend"))
    return seen


def wait_healthy(server, project, name, n, timeout=60):
    return server.wait_service(project, name, lambda s: s["healthy"] >= n and s["state"] == "running",
                               timeout, "%s/%s to have %d healthy replicas" % (project, name, n))
