"""HTTP through the proxy: 50 MB each way, WebSocket, HTTP/1.0, chunked
uploads, per-service limits and the first-byte timeout."""
import asyncio
import http.client
import threading
import time

import websockets

import orca
from orca import check
from proxyfix import domain, echo_service, rss_kb, start, wait_healthy

MB = 1024 * 1024
SANITIZED = "/san/" in orca.ORCA


class Peak(threading.Thread):
    """The highest VmRSS of a process while it runs."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.kb, self.stop = pid, 0, False

    def run(self):
        while not self.stop:
            self.kb = max(self.kb, rss_kb(self.pid))
            time.sleep(0.02)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.join()


def fnv(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xffffffff
    return h


def test_proxy_streams_50mb_each_way(t):
    p = t.project("pxs")
    host = domain("big")
    s, _, proxy = start(t, {p: echo_service("web", host, replicas=1)})
    proxy.wait_ok(host)
    idle = rss_kb(s.proc.pid)
    for chunked in (0, 1):
        c = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=60)
        c.request("GET", "/download?bytes=%d&chunked=%d" % (50 * MB, chunked), headers={"Host": host})
        r = c.getresponse()
        got = 0
        with Peak(s.proc.pid) as down:
            while True:
                b = r.read(256 * 1024)
                if not b:
                    break
                got += len(b)
                time.sleep(0.002)   # a client slower than the replica
        c.close()
        check(r.status == 200 and got == 50 * MB, "download: %d, %d bytes" % (r.status, got))
        # ASan's shadow memory and quarantine make RSS meaningless under SAN
        check(down.kb < 40 * 1024 or SANITIZED,
              "RSS %d KiB during a 50 MB download (chunked=%d)" % (down.kb, chunked))
        t.note("50 MB download (chunked=%d, slow client): peak RSS %.1f MiB (idle %.1f MiB)" % (
            chunked, down.kb / 1024, idle / 1024))
    body = bytes(range(256)) * (50 * MB // 256)
    with Peak(s.proc.pid) as up:
        st, _, out = proxy.request(host, "POST", "/upload", body=body, timeout=120)
    check(st == 200, "upload: %d %r" % (st, out))
    check(out.decode().startswith("bytes=%d " % len(body)), "upload arrived whole: %r" % out)
    small = bytes(range(256)) * 40
    st, _, out = proxy.request(host, "POST", "/upload", body=small)
    check(out.decode().strip() == "bytes=%d fnv=%08x" % (len(small), fnv(small)),
          "upload bytes intact: %r" % out)
    t.note("50 MB upload: peak RSS %.1f MiB (h2o 2.2.5 buffers a request body before the "
           "handler; above 4 MiB in a temporary file, whose pages count in RSS)" % (up.kb / 1024))


def test_proxy_websocket_echo(t):
    p = t.project("pxw")
    host = domain("ws")
    s, _, proxy = start(t, {p: echo_service("web", host, replicas=1)})
    proxy.wait_ok(host)

    async def talk():
        uri = "ws://%s:%d/ws" % (host, proxy.port)   # Host: from the URI
        async with websockets.connect(uri, host="127.0.0.1", port=proxy.port,
                                      open_timeout=10) as ws:
            got = []
            for msg in ("hello", "x" * 5000, b"\x00\x01binary"):
                await ws.send(msg)
                got.append(await asyncio.wait_for(ws.recv(), 10))
            return got, ws.response.headers

    got, headers = asyncio.run(talk())
    check(got == ["hello", "x" * 5000, b"\x00\x01binary"], "echo: %r" % [g[:20] for g in got])
    check(headers.get("sec-websocket-accept"), "Sec-WebSocket-Accept arrived: %s" % headers)
    check(headers.get("x-backend"), "the replica's headers came with the 101")


def test_proxy_http10_chunked_upload_and_limits(t):
    p = t.project("pxl")
    host = domain("lim")
    small = domain("small")
    proj = (echo_service("web", host, replicas=1) +
            echo_service("tiny", small, replicas=1,
                         extra='[service.proxy]\nmax_header_size = "2Ki"\nmax_body_size = "1Ki"'))
    s, _, proxy = start(t, {p: proj}, extra_cluster='first_byte_timeout = "1s"')
    wait_healthy(s, p, "tiny", 1)
    proxy.wait_ok(host)
    proxy.wait_ok(small)
    # HTTP/1.0 without keep-alive
    out = proxy.raw(b"GET / HTTP/1.0\r\nHost: " + host.encode() + b"\r\n\r\n")
    check(out.startswith(b"HTTP/1.") and b" 200 " in out.split(b"\r\n")[0] and b"hostname=" in out,
          "HTTP/1.0: %r" % out[:200])
    # a chunked upload arrives whole
    out = proxy.raw(b"POST /upload HTTP/1.1\r\nHost: " + host.encode() +
                    b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    check(b"bytes=11 " in out, "chunked upload: %r" % out[-200:])
    # per-service limits: the small service refuses what the other takes
    big_header = {"X-Big": "y" * 3000}
    check(proxy.get(small, headers=big_header)[0] == 431, "431 for 3 KB of headers on 'tiny'")
    check(proxy.get(host, headers=big_header)[0] == 200, "the default limit takes them")
    check(proxy.request(small, "POST", "/upload", body=b"z" * 2000)[0] == 413, "413 on 'tiny'")
    check(proxy.request(host, "POST", "/upload", body=b"z" * 2000)[0] == 200, "default takes it")
    # first_byte_timeout = 1s: a replica that takes 3 s gets 504
    t0 = time.monotonic()
    st = proxy.get(host, "/slow?ms=3000")[0]
    took = time.monotonic() - t0
    check(st == 504 and took < 2.5, "first-byte timeout: %d after %.1f s" % (st, took))
    check(proxy.get(host, "/slow?ms=200")[0] == 200, "under the timeout it answers")
    t.note("HTTP/1.0, chunked upload, 431/413 per service, 504 after first_byte_timeout=1s "
           "(%.2f s)" % took)
