"""HTTPS on the proxy: HTTP/2 chosen by ALPN, HTTP/1.1 over TLS too.

The certificate here is brought by the test through ORCA_PROXY_TEST_CERT
(a test-only knob of `orca server`); issued certificates and SNI come from
src/tls."""
import os
import re
import subprocess
import time

from orca import check
from proxyfix import Proxy, cluster_toml, deploy, domain, echo_service, free_port, wait_healthy


def make_cert(dirpath, host):
    key, crt = os.path.join(dirpath, "key.pem"), os.path.join(dirpath, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt,
                    "-days", "2", "-subj", "/CN=%s" % host, "-addext",
                    "subjectAltName=DNS:%s" % host], check=True, capture_output=True)
    return crt, key


def curl(args):
    p = subprocess.run(["curl", "-sS", "--max-time", "20", *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def test_proxy_https_speaks_http2_and_http11(t):
    p = t.project("pxt")
    host = domain("tls")
    crt, key = make_cert(t.base, host)
    http_port, https_port = free_port(), free_port()
    cfg = t.config({p: echo_service("web", host, replicas=2)}, cluster_toml(http_port, https_port))
    os.environ["ORCA_PROXY_TEST_CERT"], os.environ["ORCA_PROXY_TEST_KEY"] = crt, key
    try:
        s = t.server()
    finally:
        del os.environ["ORCA_PROXY_TEST_CERT"], os.environ["ORCA_PROXY_TEST_KEY"]
    deploy(s, cfg)
    wait_healthy(s, p, "web", 2)
    Proxy(http_port).wait_ok(host)
    base = ["--cacert", crt, "--resolve", "%s:%d:127.0.0.1" % (host, https_port)]
    url = "https://%s:%d" % (host, https_port)
    rc, out, err = curl(base + ["--http2", "-w", "\n%{http_version}", url + "/"])
    check(rc == 0 and out.endswith("\n2") and "hostname=" in out, "h2: rc %d %r %s" % (rc, out, err))
    rc, out, err = curl(base + ["--http2", url + "/headers"])
    check(rc == 0 and "x-forwarded-proto: https" in out.lower(),
          "X-Forwarded-Proto over TLS: rc %d %r %s" % (rc, out, err))
    rc, out, err = curl(base + ["--http2", "-D", "-", "-o", "/dev/null", url + "/cookies"])
    check(out.lower().count("set-cookie:") == 2, "both Set-Cookie over h2: %r" % out)
    # names h2o has no token for are copied, not pointed at the replica's buffer
    check("x-backend: " in out.lower() and "location: /elsewhere?x=1" in out.lower(),
          "the replica's own headers over h2: %r" % out)
    rc, out, err = curl(base + ["--http1.1", "-w", "\n%{http_version}", url + "/"])
    check(rc == 0 and out.endswith("\n1.1"), "HTTP/1.1 over TLS: rc %d %r %s" % (rc, out, err))
    # many streams on one connection reach both replicas
    rc, out, err = curl(base + ["--http2", "-s"] + [url + "/"] * 20)
    backends = {l for l in out.splitlines() if l.startswith("hostname=")}
    check(rc == 0 and len(backends) == 2, "20 h2 streams saw %s" % backends)
    # the server stops cleanly with h2 and HTTP/1 load running through it
    h2 = subprocess.Popen(["h2load", "-t1", "-c20", "-m10", "-D", "4", "-H",
                           ":authority: " + host, "https://127.0.0.1:%d/" % https_port],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(2)
    rc = s.stop()
    out = h2.communicate(timeout=30)[0]
    check(rc == 0, "orca server exited %s when stopped under load" % rc)
    check(re.search(r"status codes: [1-9]\d* 2xx", out), "h2load got answers: %s" % out[-400:])
    t.note("HTTPS: h2 via ALPN and HTTP/1.1, 20 multiplexed streams over 2 replicas; "
           "stopped cleanly under h2 load")
