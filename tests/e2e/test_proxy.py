"""The reverse proxy: routing by host and path, both replicas serving, and
every header carried the way a production proxy carries it."""
import os
import subprocess

from orca import check
from proxyfix import backends_seen, domain, echo_service, start, wait_healthy


def brought_cert(dirpath, name):
    """A self-signed certificate for name: a wildcard needs one brought."""
    key, crt = os.path.join(dirpath, "w.key"), os.path.join(dirpath, "w.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt,
                    "-days", "2", "-subj", "/CN=%s" % name, "-addext",
                    "subjectAltName=DNS:%s" % name], check=True, capture_output=True)
    return '[[proxy.certificate]]\ndomains = ["%s"]\ncert = "%s"\nkey = "%s"\n' % (name, crt, key)


def hmap(headers):
    out = {}
    for k, v in headers:
        out.setdefault(k.lower(), []).append(v)
    return out


def test_proxy_serves_a_domain_from_both_replicas(t):
    p = t.project("px")
    host = domain()
    s, _, proxy = start(t, {p: echo_service("web", host)})
    wait_healthy(s, p, "web", 2)
    proxy.wait_ok(host)
    seen = backends_seen(proxy, host, 40)
    check(len(seen) == 2, "both replicas should serve, saw %s" % seen)
    # the port in Host does not matter; case does not either
    check(proxy.get(host.upper() + ":%d" % proxy.port)[0] == 200, "Host with port and case")
    st, hdrs, body = proxy.get("nobody-%s" % host)
    check(st == 404 and len(body) < 100, "unknown host: %d %r" % (st, body))
    check(hmap(hdrs)["content-type"][0].startswith("text/plain"), "404 is plain text")
    t.note("2 replicas served %d requests between them" % 40)


def test_proxy_carries_headers(t):
    p = t.project("pxh")
    host = domain()
    s, _, proxy = start(t, {p: echo_service("web", host, replicas=1)})
    proxy.wait_ok(host)
    st, hdrs, _ = proxy.get(host, "/cookies")
    h = hmap(hdrs)
    check(st == 200, "cookies: %d" % st)
    check(h.get("set-cookie") == ["a=1; Path=/", "b=2; HttpOnly"], "Set-Cookie: %s" % h.get("set-cookie"))
    check(h.get("location") == ["/elsewhere?x=1"], "Location: %s" % h.get("location"))
    check(h.get("content-type") == ["text/x-orca; charset=utf-8"], "Content-Type: %s" % h.get("content-type"))
    check(h.get("cache-control") == ["no-store"], "Cache-Control: %s" % h.get("cache-control"))
    st, _, body = proxy.get(host, "/headers?q=1", headers={
        "Connection": "keep-alive, X-Hop", "X-Hop": "secret", "Keep-Alive": "timeout=5",
        "X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "gopher",
        "X-Custom": "kept", "Proxy-Authorization": "Basic Zm9vOmJhcg=="})
    head = body.decode()
    lines = [l.lower() for l in head.split("\r\n")]
    check(st == 200, "headers: %d" % st)
    check(lines[0] == "get /headers?q=1 http/1.1", "request line: %r" % lines[0])
    check("host: %s" % host in lines, "Host preserved: %s" % head)
    check("x-custom: kept" in lines, "end-to-end header kept: %s" % head)
    for hop in ("x-hop:", "keep-alive:", "proxy-authorization:"):
        check(not any(l.startswith(hop) for l in lines), "%s must be dropped: %s" % (hop, head))
    check("x-forwarded-for: 198.51.100.7, 127.0.0.1" in lines, "X-Forwarded-For: %s" % head)
    check("x-forwarded-proto: http" in lines, "X-Forwarded-Proto: %s" % head)
    check("x-forwarded-host: %s" % host in lines, "X-Forwarded-Host: %s" % head)
    check('forwarded: for=127.0.0.1;host="%s";proto=http' % host in lines, "Forwarded: %s" % head)


def test_proxy_paths_share_a_domain_and_wildcards_route(t):
    p = t.project("pxr")
    host = domain("shared")
    wild = domain("wild")
    proj = (echo_service("site", host, replicas=1, extra='env = { APP_MESSAGE = "site" }') +
            echo_service("api", host, replicas=1,
                         extra='routes = ["/api/*", "/login"]\nenv = { APP_MESSAGE = "api" }') +
            echo_service("any", "*." + wild, replicas=1, extra='env = { APP_MESSAGE = "any" }'))
    s, _, proxy = start(t, {p: proj}, extra_cluster=brought_cert(t.base, "*." + wild))
    for name in ("site", "api", "any"):
        wait_healthy(s, p, name, 1)

    def who(h, path):
        st, hdrs, _ = proxy.get(h, path)
        return st, hmap(hdrs).get("x-message", [""])[0]

    proxy.wait_ok(host, "/api/x")
    proxy.wait_ok("a." + wild)
    cases = [(host, "/", "site"), (host, "/api", "api"), (host, "/api/v1/x?y=/", "api"),
             (host, "/apix", "site"), (host, "/login", "api"), (host, "/login/x", "site"),
             ("a." + wild, "/", "any"), ("b.c." + wild, "/x", "any")]
    for h, path, want in cases:
        st, got = who(h, path)
        check(st == 200 and got == want, "%s%s went to %r (%d), want %r" % (h, path, got, st, want))
    st, _ = who(wild, "/")
    check(st == 404, "the bare wildcard parent is not covered: %d" % st)
