"""Container semantics: volumes per replica index, dependency order, and
replicas removed behind orca's back."""
import socket
import subprocess
import time

from orca import check, docker, wait_until


def test_volume_follows_its_replica_index(t):
    p = t.project("vol")
    cfg = t.config({p: '''
[[service]]
name = "store"
image = "orca-test/busybox:1"
replicas = 2
command = ["sh", "-c", "exec sleep 3600"]
volumes = [{ name = "data", path = "/data" }]
'''})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    reps = {r["index"]: r["container"] for r in s.service(p, "store")["replicas"]}
    docker("exec", reps[0], "sh", "-c", "echo zero > /data/who")
    docker("exec", reps[1], "sh", "-c", "echo one > /data/who")
    docker("kill", reps[0])

    def replaced(v):
        now = {r["index"]: r["container"] for r in v["replicas"] if r["state"] == "running"}
        return now.get(0) and now[0] != reps[0] and len(now) == 2

    v = s.wait_service(p, "store", replaced, what="replica 0 replaced")
    new0 = [r["container"] for r in v["replicas"] if r["index"] == 0 and r["state"] == "running"][0]
    check(docker("exec", new0, "cat", "/data/who").strip() == "zero",
          "replica 0's replacement lost its volume")
    names = docker("volume", "ls", "-q", "--filter", "name=orca_%s_" % p).split()
    check(sorted(names) == ["orca_%s_store_0_data" % p, "orca_%s_store_1_data" % p],
          "volumes %r" % names)


def test_dependents_start_after_their_dependency_is_healthy(t):
    p = t.project("deps")
    cfg = t.config({p: '''
[[service]]
name = "app"
image = "orca-example/web:1"
port = 8080
health = "/healthz"
depends_on = ["db"]

[[service]]
name = "db"
image = "orca-example/db:1"
port = 5432
health = "/healthz"
command = ["sh", "-c", "sleep 2; exec httpd -f -p 5432 -h /www"]
'''})
    s = t.server()
    r = s.cli("deploy", cfg.path)
    check(r.returncode == 0, "deploy failed: " + r.stdout + r.stderr)
    code, body = s.api("GET", "/api/v1/events?limit=1000")
    ev = [e for e in body["events"] if e["project"] == p]
    db_healthy = [e["id"] for e in ev if e["service"] == "db" and e["kind"] == "replica.healthy"]
    app_created = [e["id"] for e in ev if e["service"] == "app" and e["kind"] == "replica.created"]
    check(db_healthy and app_created and app_created[0] > db_healthy[0],
          "app was created before db was healthy: %r" % [(e["service"], e["kind"]) for e in ev])


def test_replica_removed_behind_orcas_back_is_replaced(t):
    p = t.project("gone")
    cfg = t.config({p: '[[service]]\nname = "web"\nimage = "orca-example/web:1"\nreplicas = 2\n'
                       'port = 8080\nhealth = "/healthz"\n'})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    victim = s.service(p, "web")["replicas"][1]["container"]
    docker("rm", "-f", victim)
    v = s.wait_service(p, "web", lambda v: v["healthy"] == 2 and victim not in
                       [r["container"] for r in v["replicas"]], what="a replacement")
    check(len(s.containers(p)) == 2, "containers %r" % s.containers(p))


def free_port():
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def test_api_on_loopback_tcp(t):
    port = free_port()
    s = t.server(args=["--listen", "127.0.0.1:%d" % port])
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/api/v1/health")
    r = c.getresponse()
    check(r.status == 200 and b'"status"' in r.read(), "health over TCP: %d" % r.status)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/api/v1/nope")
    r = c.getresponse()
    body = r.read()
    check(r.status == 404 and b'"error"' in body, "unknown path: %d %r" % (r.status, body))
    p = subprocess.run([__import__("orca").ORCA, "status", "--socket", "http://127.0.0.1:%d" % port],
                       capture_output=True, text=True, timeout=30)
    check(p.returncode == 0, "CLI over TCP: %s" % (p.stdout + p.stderr))
