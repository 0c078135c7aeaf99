"""The Docker Engine missing at start, and going away mid-run.

orca is pointed at a socket path through the recording proxy: first
nothing is there (as when dockerd is not up yet), later the proxy serves
the real engine, then the proxy is cut (every connection closed, connects
refused) and brought back. The real dockerd is never stopped.

A missing engine at start is waited for with a log line that says what to
do; an outage is its own state in status, never a crash loop; when the
engine answers again the loop resyncs and converges."""
import os
import time

from dockerproxy import DockerProxy
from orca import check, docker, wait_until

WEB = '''
[[service]]
name = "web"
image = "orca-example/web:1"
replicas = 2
port = 8080
health = "/healthz"
'''


def engine(s):
    code, body = s.api("GET", "/api/v1/status")
    check(code == 200, "status: %d %r" % (code, body))
    return body["engine"]


def kinds_after(s, after_id):
    code, body = s.api("GET", "/api/v1/events?after=%d&limit=500" % after_id)
    return [(e["kind"], e["message"]) for e in body["events"]]


def last_event_id(s):
    code, body = s.api("GET", "/api/v1/events?limit=1")
    return body["events"][-1]["id"] if body["events"] else 0


def test_engine_missing_at_start_and_cut_mid_run(t):
    path = os.path.join(t.base, "engine.sock")
    proxy = DockerProxy(path, listen=False)
    p = t.project("outage")
    cfg = t.config({p: WEB})
    s = t.server(docker_host=proxy.url())

    # missing at start: the server runs, says so, and waits
    e = engine(s)
    check(e["state"] == "unreachable" and "cannot reach the Docker Engine at %s" % path in e["error"],
          "engine at start: %r" % e)
    log = s.log_text()
    check("orca keeps asking every 2 s" in log and "DOCKER_HOST=unix://" in log,
          "no retry line in the log: %s" % log[-600:])
    r = s.cli("deploy", cfg.path)
    check(r.returncode != 0 and "cannot reach the Docker Engine" in r.stdout + r.stderr,
          "deploy without an engine: %s" % (r.stdout + r.stderr))

    proxy.serve()
    wait_until(lambda: engine(s)["state"] == "reachable", 30, "the engine to be found")
    r = s.cli("deploy", cfg.path)
    check(r.returncode == 0, "deploy failed: %s" % (r.stdout + r.stderr))
    svc = s.wait_service(p, "web", lambda v: v["healthy"] == 2, timeout=60, what="2 healthy")
    restarts = svc["restarts"]
    mark = last_event_id(s)

    # cut mid-run; a replica dies meanwhile (through the real engine)
    proxy.cut()
    wait_until(lambda: engine(s)["state"] == "unreachable", 30, "the outage to be seen")
    victim = svc["replicas"][0]["container"]
    docker("kill", victim)
    time.sleep(6)
    svc = s.service(p, "web")
    check(svc["state"] == "engine_unreachable", "state during the outage: %r" % svc["state"])
    check(svc["restarts"] == restarts, "restarts counted during the outage: %d -> %d" %
          (restarts, svc["restarts"]))
    during = kinds_after(s, mark)
    check(not [k for k, _ in during if k in ("replica.crashed", "replica.failed")],
          "crashes counted during the outage: %r" % during)
    check(any(k == "engine.unreachable" for k, _ in during), "no engine.unreachable event")

    # back: resynced, the dead replica replaced at once, no crash loop
    proxy.serve()
    svc = s.wait_service(p, "web", lambda v: v["healthy"] == 2 and v["state"] == "running" and
                         victim not in [x["container"] for x in v["replicas"]],
                         timeout=60, what="convergence after the outage")
    check(svc["restarts"] == restarts, "restarts after the outage: %d" % svc["restarts"])
    after = kinds_after(s, mark)
    check(any(k == "engine.reachable" for k, _ in after), "no engine.reachable event: %r" % after)
    check(any(k == "replica.exited" and "unreachable" in m for k, m in after),
          "the replica that stopped meanwhile is not reported: %r" % after)
    check(engine(s)["state"] == "reachable", "engine: %r" % engine(s))
    t.note([m for k, m in after if k == "engine.reachable"][0])
