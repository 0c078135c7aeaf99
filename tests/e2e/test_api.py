"""The smaller API surfaces: dry runs, deploy history, nodes, metrics, and
the event stream."""
import subprocess
import time

from orca import ORCA, check, wait_until

WEB = ('[[service]]\nname = "web"\nimage = "orca-example/web:1"\nreplicas = 2\nport = 8080\n'
       'health = "/healthz"\n\n[service.resources]\nmemory = "64Mi"\ncpu = 0.1\n')


def test_dry_run_changes_nothing(t):
    p = t.project("dry")
    cfg = t.config({p: WEB})
    s = t.server()
    r = s.cli("deploy", "--dry-run", cfg.path)
    check(r.returncode == 0 and p + "/web" in r.stdout and "create" in r.stdout,
          "dry run: " + r.stdout + r.stderr)
    check(not s.containers(p), "a dry run created containers")
    code, body = s.api("GET", "/api/v1/deploys")
    check(code == 200 and body["deploys"] == [], "a dry run was recorded: %r" % body)


def test_deploy_history_nodes_and_metrics(t):
    p = t.project("meta")
    cfg = t.config({p: WEB})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    code, body = s.api("GET", "/api/v1/deploys?limit=5")
    d = body["deploys"][0]
    check(code == 200 and d["state"] == "succeeded" and d["projects"] == [p], "deploys %r" % body)
    code, body = s.api("GET", "/api/v1/deploys/%d" % d["id"])
    svc = body["deploy"]["services"][0]
    check(svc["service"] == p + "/web" and svc["state"] == "done" and svc["healthy"] == 2,
          "deploy progress %r" % body)
    code, body = s.api("GET", "/api/v1/nodes")
    n = body["nodes"][0]
    check(code == 200 and n["name"] == "local" and n["replicas"] == 2 and
          n["memory_used"] == 2 * 64 * 1024 * 1024 and n["cpu_used"] == 200, "nodes %r" % body)
    r = s.cli("nodes")
    check(r.returncode == 0 and "local" in r.stdout, "orca nodes: " + r.stdout + r.stderr)
    code, text = s.api("GET", "/metrics")
    check(code == 200 and "orca_up 1" in text and
          'orca_service_replicas{project="%s",service="web",state="healthy"} 2' % p in text,
          "metrics: %r" % text[:600])


def test_events_follow_streams_as_it_happens(t):
    p = t.project("ev")
    cfg = t.config({p: WEB})
    s = t.server()
    proc = subprocess.Popen([ORCA, "events", "-f"], env=s.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    time.sleep(1)
    proc.send_signal(__import__("signal").SIGINT)
    out, err = proc.communicate(timeout=10)
    for kind in ("deploy.started", "replica.created", "replica.healthy", "deploy.succeeded"):
        check(kind in out, "events -f missed %s: %r %r" % (kind, out[-800:], err))
