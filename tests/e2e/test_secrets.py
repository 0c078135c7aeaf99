"""Secrets: a project's containers see its own secrets and cluster-wide ones;
values are never written in clear to the store, the log or an API reply."""
import glob
import os
import subprocess

from orca import check, docker

APP = '''
[[service]]
name = "app"
image = "orca-example/api:1"
port = 8080
health = "/healthz"
env = { DB_PASS = "${secrets.DB_PASS}", REGION = "${secrets.REGION}", LITERAL = "cost $$5" }
'''

OTHER = '''
[[service]]
name = "other"
image = "orca-example/api:1"
port = 8080
env = { REGION = "${secrets.REGION}" }
'''


def env_of(container):
    out = docker("exec", container, "env")
    return dict(l.split("=", 1) for l in out.splitlines() if "=" in l)


def test_secret_scopes_and_no_leak(t):
    value = "pw-%s-zebra" % os.urandom(6).hex()
    region = "eu-%s" % os.urandom(3).hex()
    backend, frontend = t.project("back"), t.project("front")
    cfg = t.config({backend: APP, frontend: OTHER})
    s = t.server()
    r = s.cli("secrets", "set", "--project", backend, "DB_PASS", input=value)
    check(r.returncode == 0, "secrets set: " + r.stdout + r.stderr)
    check(s.cli("secrets", "set", "REGION", region).returncode == 0, "cluster-wide set failed")
    # the frontend project must not be able to use the backend's secret
    r = s.cli("deploy", cfg.path)
    check(r.returncode == 0, "deploy failed: " + r.stdout + r.stderr)
    b = env_of(s.service(backend, "app")["replicas"][0]["container"])
    check(b.get("DB_PASS") == value, "backend sees DB_PASS=%r" % b.get("DB_PASS"))
    check(b.get("REGION") == region and b.get("LITERAL") == "cost $5", "backend env %r" % b)
    f = env_of(s.service(frontend, "other")["replicas"][0]["container"])
    check(value not in "".join(f.values()), "the frontend container holds the backend secret")
    check(f.get("REGION") == region, "cluster-wide secret missing in frontend: %r" % f)
    lst = s.api("GET", "/api/v1/projects/%s/secrets" % backend)
    check(lst[0] == 200 and [x["name"] for x in lst[1]["secrets"]] == ["DB_PASS"], "list %r" % (lst,))
    check(s.api("GET", "/api/v1/projects/%s/secrets/DB_PASS" % backend)[0] == 501,
          "the API returned a secret value")
    got = s.cli("secrets", "get", "--project", backend, "DB_PASS", "--data", s.data)
    check(got.stdout.strip() == value, "secrets get (local) printed %r" % got.stdout)
    s.responses.pop()    # that one printed the value on purpose, locally
    # a second process opening and closing the store must leave the
    # server's WAL alone (regression: the server lost its database)
    import os as _os
    check(_os.path.exists(_os.path.join(s.data, "orca.db-wal")),
          "orca.db-wal vanished after 'orca secrets get' closed its connection")
    check(s.cli("secrets", "set", "--project", backend, "OTHER", "x").returncode == 0,
          "the server cannot write after 'orca secrets get'")
    for extra in (["status", "-o", "json"], ["events"], ["secrets", "list", "--project", backend]):
        s.cli(*extra)
    s.api("GET", "/api/v1/status")
    s.api("GET", "/api/v1/events?limit=1000")
    for i, body in enumerate(s.responses):
        check(value not in body, "API/CLI reply %d holds the secret value" % i)
    s.stop()
    for path in glob.glob(os.path.join(s.data, "*")):
        if os.path.isfile(path):
            with open(path, "rb") as fh:
                check(value.encode() not in fh.read(), "%s holds the secret in clear" % path)
    check(value not in s.log_text(), "the daemon's log holds the secret")


def test_unknown_secret_fails_the_deploy_with_its_name(t):
    p, owner = t.project("nosec"), t.project("owner")
    cfg = t.config({p: APP})
    s = t.server()
    # set in another project only: it must not count for this one
    check(s.cli("secrets", "set", "--project", owner, "DB_PASS", "x").returncode == 0, "set")
    check(s.cli("secrets", "set", "REGION", "eu").returncode == 0, "set")
    r = s.cli("deploy", cfg.path)
    out = r.stdout + r.stderr
    check(r.returncode == 1, "exit %d: %s" % (r.returncode, out))
    check("secret 'DB_PASS' is not set for project '%s'" % p in out, "reason missing: " + out)
    check(not s.containers(p), "containers were created")


def test_import_env_file(t):
    p = t.project("imp")
    s = t.server()
    path = os.path.join(t.base, "prod.env")
    with open(path, "w") as f:
        f.write("# comment\nDB_PASS='one two'\nexport REGION=\"eu\\n1\"\n")
    r = s.cli("secrets", "import", "--project", p, path)
    check(r.returncode == 0 and "2" in r.stdout, "import: " + r.stdout + r.stderr)
    got = s.cli("secrets", "get", "--project", p, "REGION", "--data", s.data)
    check(got.stdout == "eu\n1\n" or got.stdout.rstrip("\n") == "eu\n1", "REGION %r" % got.stdout)


def test_secret_removed_later_fails_replacements_with_back_off(t):
    import time
    p = t.project("gone")
    # web's health checks keep the control loop busy: without a back-off the
    # failing create would be retried on every turn
    cfg = t.config({p: '[[service]]\nname = "app"\nimage = "orca-test/busybox:1"\n'
                       'command = ["sleep", "3600"]\nenv = { K = "${secrets.TOKEN}" }\n\n'
                       '[[service]]\nname = "web"\nimage = "orca-example/web:1"\nreplicas = 3\n'
                       'port = 8080\n\n[service.healthcheck]\npath = "/healthz"\n'
                       'interval = "200ms"\n'})
    s = t.server()
    check(s.cli("secrets", "set", "--project", p, "TOKEN", "abc").returncode == 0, "set")
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    check(s.cli("secrets", "rm", "--project", p, "TOKEN").returncode == 0, "rm")
    docker("kill", s.service(p, "app")["replicas"][0]["container"])
    svc = s.wait_service(p, "app", lambda v: "secret 'TOKEN' is not set" in v["last_error"],
                         timeout=20, what="the create failure to be reported")
    time.sleep(5)
    code, body = s.api("GET", "/api/v1/events?limit=1000")
    fails = [e for e in body["events"] if e["kind"] == "replica.failed" and e["project"] == p]
    check(1 <= len(fails) <= 5, "%d failed creates in ~5 s: no back-off" % len(fails))
    check("abc" not in str(body), "an event holds the old value")
    r = s.cli("restart", "--no-wait", p + "/app")
    check(r.returncode == 1 and "secret 'TOKEN' is not set" in r.stderr,
          "a restart that cannot create replicas was accepted: %d %s" % (r.returncode, r.stdout + r.stderr))
    check(s.cli("secrets", "set", "--project", p, "TOKEN", "xyz").returncode == 0, "set again")
    s.wait_service(p, "app", lambda v: v["running"] == 1, timeout=40, what="recovery")
