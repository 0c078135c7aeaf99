"""TLS: certificates from pebble (a real ACME server, started here), kept in
the data directory 0600, renewed at two thirds of their life, failures
backing off and shown, domains leaving the config leaving ACME, brought
certificates checked with file:line errors. The proxy's side (HTTP-01
answered by the proxy, SNI, HTTP/2 with curl) is in test_tls_proxy.py."""
import os
import stat
import subprocess
import time

from orca import check, wait_until
from pebble import Pebble, free_port

SERVICE = '''
[[service]]
name = "web"
image = "orca-example/api:1"
port = 8080
%s
'''


def cluster_for(pebble, extra=""):
    return '''
[cluster]
acme_directory = "%s"
acme_ca_bundle = "%s"
acme_email = "ops@orca.test"
%s
''' % (pebble.directory, pebble.cert, extra)


def certs(s):
    code, body = s.api("GET", "/api/v1/certs")
    check(code == 200, "GET /api/v1/certs: %s %r" % (code, body))
    return body


def cert_of(s, domain):
    for c in certs(s)["certificates"]:
        if c["domain"] == domain:
            return c
    return None


def wait_cert(s, domain, pred, timeout=60, what="certificate"):
    return wait_until(lambda: (lambda c: c if c and pred(c) else None)(cert_of(s, domain)),
                      timeout, "%s for %s (certs: %r)" % (what, domain, certs(s)), interval=0.2)


def start_pebble(t, **kw):
    p = Pebble(t.base, kw.pop("http_port", free_port()), **kw).start()
    t.pebbles = getattr(t, "pebbles", []) + [p]
    return p


def deploy(s, cfg):
    r = s.cli("deploy", cfg.path)
    check(r.returncode == 0, "deploy failed: " + r.stdout + r.stderr)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_acme_certificate_from_pebble(t):
    # 30% of nonces rejected: every request may need the badNonce retry
    pebble = start_pebble(t, always_valid=True, nonce_reject=30)
    try:
        proj = t.project("tls")
        cfg = t.config({proj: SERVICE % 'domain = "app.orca.test"'}, cluster_for(pebble))
        s = t.server()
        deploy(s, cfg)
        c = wait_cert(s, "app.orca.test", lambda c: c["state"] == "valid")
        check(c["source"] == "acme" and c["issuer"].startswith("Pebble Intermediate CA"),
              "cert %r" % c)
        life = c["not_after"] - c["not_before"]
        check(abs(c["renew_at"] - (c["not_before"] + life * 2 // 3)) < 1000, "renew_at %r" % c)
        acme = certs(s)["acme"]
        check(acme["enabled"] and acme["directory"] == pebble.directory and
              acme["account"].startswith("https://127.0.0.1:"), "acme %r" % acme)
        # files: 0700 directories, 0600 key material, chain verifies to pebble's root
        tls_dir = os.path.join(s.data, "tls")
        check(mode(tls_dir) == 0o700, "tls dir mode %o" % mode(tls_dir))
        acme_dir = os.path.join(tls_dir, "acme", os.listdir(os.path.join(tls_dir, "acme"))[0])
        for f in ("account.key", "app.orca.test.pem"):
            check(mode(os.path.join(acme_dir, f)) == 0o600,
                  "%s mode %o" % (f, mode(os.path.join(acme_dir, f))))
        pem = open(os.path.join(acme_dir, "app.orca.test.pem")).read()
        check(pem.startswith("-----BEGIN PRIVATE KEY-----") and
              pem.count("BEGIN CERTIFICATE") >= 2, "stored file: %r" % pem[:200])
        chain = os.path.join(t.base, "chain.pem")
        with open(chain, "w") as f:
            f.write(pem[pem.index("-----BEGIN CERTIFICATE"):])
        v = subprocess.run(["openssl", "verify", "-CAfile", pebble.root_file(), "-untrusted",
                            chain, chain], capture_output=True, text=True)
        check(v.returncode == 0, "openssl verify: " + v.stdout + v.stderr)
        # the CLI shows it
        out = s.cli("certs")
        check(out.returncode == 0 and "app.orca.test" in out.stdout and "valid" in out.stdout
              and "Pebble Intermediate CA" in out.stdout, "orca certs: " + out.stdout)
        ev = s.api("GET", "/api/v1/events?limit=1000")[1]["events"]
        check(any(e["kind"] == "certificate.issued" and "app.orca.test" in e["message"]
                  for e in ev), "no certificate.issued event")
        # a restarted server serves the stored certificate, without a new order
        s.stop()
        s.start()
        again = wait_cert(s, "app.orca.test", lambda c: c["state"] == "valid", timeout=20)
        check(again["not_after"] == c["not_after"], "restart re-issued: %r vs %r" % (again, c))
    finally:
        pebble.stop()


def test_acme_failure_backs_off_and_a_removed_domain_stops(t):
    # nothing answers HTTP-01 on pebble's httpPort: validation fails
    pebble = start_pebble(t)
    try:
        proj = t.project("tlsf")
        cfg = t.config({proj: SERVICE % 'domain = ["bad.orca.test", "other.orca.test"]'},
                       cluster_for(pebble))
        s = t.server()
        deploy(s, cfg)
        c = wait_cert(s, "bad.orca.test", lambda c: c["state"] == "failed", what="a failure")
        check(c["failures"] == 1 and c["last_error"], "failed cert %r" % c)
        ev = [e for e in s.api("GET", "/api/v1/events?limit=1000")[1]["events"]
              if e["kind"] == "certificate.failed" and e["message"].startswith("bad.orca.test")]
        check(ev and "connection refused" in ev[0]["message"], "failed events %r" % ev)
        wait = c["next_attempt"] - ev[0]["at"]
        check(29000 <= wait <= 31000, "next attempt %.1f s after the failure, want 30 s"
              % (wait / 1000))
        check(c["next_attempt"] > time.time() * 1000, "no back-off: %r" % c)
        out = s.cli("certs").stdout
        check("failed: " in out and "next attempt in" in out, "orca certs: " + out)
        out = s.cli("status").stdout   # failures show in the status too
        check("certificate bad.orca.test: failed: " in out and "next attempt in" in out,
              "orca status: " + out)
        # the domain leaves the config: its ACME work and entry go
        cfg.set_project(proj, SERVICE % 'domain = "other.orca.test"')
        deploy(s, cfg)
        wait_until(lambda: cert_of(s, "bad.orca.test") is None, 20, "bad.orca.test to go")
        check(cert_of(s, "other.orca.test") is not None, "other.orca.test vanished too")
    finally:
        pebble.stop()


def test_renewal_at_two_thirds_of_a_short_life(t):
    pebble = start_pebble(t, always_valid=True, validity_s=24)
    try:
        proj = t.project("tlsr")
        cfg = t.config({proj: SERVICE % 'domain = "renew.orca.test"'}, cluster_for(pebble))
        s = t.server()
        deploy(s, cfg)
        first = wait_cert(s, "renew.orca.test", lambda c: c["state"] == "valid")
        check(first["not_after"] - first["not_before"] < 30000, "lifetime %r" % first)
        second = wait_cert(s, "renew.orca.test", lambda c: c["not_before"] > first["not_before"]
                           and c["state"] == "valid", timeout=60, what="a renewal")
        # renewed after its renew_at, before it expired
        renewed = [e for e in s.api("GET", "/api/v1/events?limit=1000")[1]["events"]
                   if e["kind"] == "certificate.renewed"]
        check(renewed, "no certificate.renewed event")
        check(first["renew_at"] - 1000 <= renewed[0]["at"] < first["not_after"],
              "renewed at %d; renew_at %d, not_after %d" % (renewed[0]["at"], first["renew_at"],
                                                             first["not_after"]))
        check(second["renew_at"] > first["renew_at"], "second %r" % second)
    finally:
        pebble.stop()


def make_cert(base, name, cn, sans):
    key, crt = os.path.join(base, name + ".key"), os.path.join(base, name + ".pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "30", "-subj", "/CN=" + cn,
                    "-addext", "subjectAltName=" + ",".join("DNS:" + n for n in sans),
                    "-keyout", key, "-out", crt], check=True, capture_output=True)
    return crt, key


def test_brought_certificates_and_wildcards(t):
    crt, key = make_cert(t.base, "shop", "shop.orca.test", ["shop.orca.test", "*.shop.orca.test"])
    _, other_key = make_cert(t.base, "other", "x.orca.test", ["x.orca.test"])
    proj = t.project("tlsb")
    wild = SERVICE % 'domain = ["shop.orca.test", "*.shop.orca.test"]'
    bad = '''[cluster]
acme_directory = "off"

[[proxy.certificate]]
domains = ["shop.orca.test", "*.shop.orca.test", "www.orca.test"]
cert = "%s"
key = "%s"
''' % (crt, other_key)
    cfg = t.config({proj: wild}, bad)
    r = t.server(start=False).cli("validate", cfg.path)
    check(r.returncode == 3, "validate exited %d: %s" % (r.returncode, r.stderr))
    check("cluster.toml:5:11: proxy.certificate #1: cert '%s' does not cover 'www.orca.test'"
          % crt in r.stderr and "cluster.toml:7:7: proxy.certificate #1: key '%s' does not "
          "belong to cert '%s'" % (other_key, crt) in r.stderr, "validate said: " + r.stderr)
    s = t.server()
    r = s.cli("deploy", cfg.path)   # the server checks the files again, on its host
    check(r.returncode == 3 and "does not belong to cert" in r.stderr, "deploy: " + r.stderr)
    # a wildcard without a brought certificate, ACME on: refused with a sentence
    cfg.write("cluster.toml", "")
    r = s.cli("deploy", cfg.path)
    check(r.returncode == 3 and "needs a certificate brought in cluster.toml" in r.stderr and
          "DNS-01" in r.stderr, "wildcard deploy: " + r.stderr)
    cfg.write("cluster.toml", '''[[proxy.certificate]]
domains = ["shop.orca.test", "*.shop.orca.test"]
cert = "%s"
key = "%s"
''' % (crt, key))
    deploy(s, cfg)
    for d in ("shop.orca.test", "*.shop.orca.test"):
        c = wait_cert(s, d, lambda c: c["state"] == "valid")
        check(c["source"] == "file" and c["issuer"] == "shop.orca.test" and c["cert"] == crt,
              "brought cert %r" % c)


def test_a_domain_removed_mid_issuance_is_abandoned(t):
    # pebble's HTTP-01 check hangs on a port that accepts and never answers,
    # so orca sits polling a pending authorization when the domain leaves
    import socket
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(16)
    pebble = start_pebble(t, http_port=hang.getsockname()[1])
    try:
        proj = t.project("tlsm")
        cfg = t.config({proj: SERVICE % 'domain = "slow.orca.test"'}, cluster_for(pebble))
        s = t.server()
        deploy(s, cfg)
        wait_cert(s, "slow.orca.test", lambda c: c["state"] == "issuing", what="issuing")
        time.sleep(1)   # polling the pending authorization
        check(cert_of(s, "slow.orca.test")["state"] == "issuing", "no longer issuing")
        start = time.monotonic()
        cfg.set_project(proj, SERVICE % "")
        deploy(s, cfg)
        wait_until(lambda: cert_of(s, "slow.orca.test") is None, 20, "slow.orca.test to go")
        took = time.monotonic() - start
        time.sleep(2)
        ev = [e for e in s.api("GET", "/api/v1/events?limit=1000")[1]["events"]
              if e["kind"].startswith("certificate.")]
        check(not ev, "abandoned work recorded as %r" % ev)
        t.note("domain removed while its authorization was pending: gone after %.1f s" % took)
    finally:
        pebble.stop()
        hang.close()
