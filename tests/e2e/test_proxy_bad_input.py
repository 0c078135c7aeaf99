"""Hostile and broken clients at the proxy, while 50 well-behaved clients
keep being served at normal latency."""
import http.client
import resource
import socket
import threading
import time

from orca import check
from proxyfix import domain, echo_service, rss_kb, start


class GoodClients:
    """50 keep-alive clients, each timing every request."""

    def __init__(self, port, host, n=50):
        self.port, self.host = port, host
        self.lat = []
        self.errors = []
        self.stop = False
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(n)]

    def run(self):
        c = None
        while not self.stop:
            try:
                if c is None:
                    c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                t0 = time.monotonic()
                c.request("GET", "/", headers={"Host": self.host})
                r = c.getresponse()
                r.read()
                took = time.monotonic() - t0
                with self.lock:
                    if r.status == 200:
                        self.lat.append(took)
                    else:
                        self.errors.append("HTTP %d" % r.status)
            except (OSError, http.client.HTTPException) as e:
                with self.lock:
                    self.errors.append(str(e))
                c = None
            time.sleep(0.05)

    def __enter__(self):
        for th in self.threads:
            th.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        for th in self.threads:
            th.join(15)

    def p99_ms(self, since=0):
        lat = sorted(self.lat[since:])
        return lat[int(len(lat) * 0.99) - 1] * 1000 if lat else -1


def status_of(raw):
    line = raw.split(b"\r\n", 1)[0]
    parts = line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def test_proxy_refuses_bad_requests_and_keeps_serving(t):
    p = t.project("pxb")
    host = domain("bad")
    s, _, proxy = start(t, {p: echo_service("web", host, replicas=2)},
                        extra_cluster='head_timeout = "3s"\naccess_log = false')
    proxy.wait_ok(host)
    hb = host.encode()
    with GoodClients(proxy.port, host) as good:
        time.sleep(2)
        base = good.p99_ms()
        n0 = len(good.lat)
        # oversized headers: 431 (default limit 32 KiB)
        out = proxy.raw(b"GET / HTTP/1.1\r\nHost: " + hb + b"\r\nX-Big: " + b"a" * 40000 +
                        b"\r\n\r\n")
        check(status_of(out) == 431, "oversized headers: %r" % out[:80])
        # Content-Length and Transfer-Encoding together: 400
        out = proxy.raw(b"POST /upload HTTP/1.1\r\nHost: " + hb + b"\r\nContent-Length: 5\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        check(status_of(out) == 400, "CL+TE: %r" % out[:80])
        out = proxy.raw(b"POST /upload HTTP/1.1\r\nHost: " + hb + b"\r\nContent-Length: 5\r\n"
                        b"Content-Length: 6\r\n\r\nhello!")
        check(status_of(out) in (400, None), "two Content-Lengths: %r" % out[:80])
        # invalid and missing Host: 400
        for bad in (b"exa mple.test", b"a..b", b"evil/path", b"x:99999"):
            out = proxy.raw(b"GET / HTTP/1.1\r\nHost: " + bad + b"\r\n\r\n")
            check(status_of(out) == 400, "Host %r: %r" % (bad, out[:80]))
        out = proxy.raw(b"GET / HTTP/1.1\r\n\r\n")
        check(status_of(out) == 400, "no Host on HTTP/1.1: %r" % out[:80])
        # slowloris: a byte a second is cut at head_timeout (3 s)
        sl = socket.create_connection(("127.0.0.1", proxy.port))
        t0 = time.monotonic()
        closed_after = None
        for b in b"GET / HTTP/1.1\r\nHost: " + hb + b"\r\nX-Slow: " + b"z" * 30:
            try:
                sl.send(bytes([b]))
                sl.settimeout(1.0)
                if sl.recv(1024) == b"":
                    closed_after = time.monotonic() - t0
                    break
            except socket.timeout:
                continue
            except OSError:
                closed_after = time.monotonic() - t0
                break
        sl.close()
        check(closed_after is not None and 2.5 <= closed_after <= 6,
              "slowloris closed after %s s (head_timeout 3 s)" % closed_after)
        after = good.p99_ms(n0)
    check(not good.errors, "good clients saw errors: %s" % good.errors[:5])
    check(after < max(100, 5 * base), "good clients' p99 went from %.1f to %.1f ms" % (base, after))
    t.note("431, 400 (CL+TE, bad Host), slowloris closed after %.1f s; good clients' p99 "
           "%.1f ms before, %.1f ms during" % (closed_after, base, after))


def test_proxy_holds_10000_idle_connections(t):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 10000 + 500
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(want, soft), hard), hard))
    check(resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= want,
          "need %d descriptors, the hard limit is %d" % (want, hard))
    p = t.project("pxi")
    host = domain("idle")
    s, _, proxy = start(t, {p: echo_service("web", host, replicas=2)},
                        extra_cluster='head_timeout = "60s"\naccess_log = false')
    proxy.wait_ok(host)
    before = rss_kb(s.proc.pid)
    socks = []
    try:
        with GoodClients(proxy.port, host) as good:
            time.sleep(1)
            time.sleep(2)
            base = good.p99_ms()
            for _ in range(10000):
                socks.append(socket.create_connection(("127.0.0.1", proxy.port)))
            time.sleep(1)
            n0 = len(good.lat)   # latency with the idle connections open
            time.sleep(3)
            rss = rss_kb(s.proc.pid)
            after = good.p99_ms(n0)
            alive = sum(1 for x in socks[:100] if x.fileno() >= 0)
        check(alive == 100, "idle connections stayed open")
        check(not good.errors, "good clients saw errors: %s" % good.errors[:5])
        check(after < max(100, 5 * base), "p99 went from %.1f to %.1f ms" % (base, after))
        t.note("10,000 idle connections: server RSS %.1f MiB (%.1f MiB before); good "
               "clients' p99 %.1f ms before, %.1f ms with them" % (rss / 1024, before / 1024,
                                                                   base, after))
    finally:
        for x in socks:
            x.close()
