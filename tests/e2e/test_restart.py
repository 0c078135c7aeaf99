"""The server can stop or die at any moment: the workloads keep running, and
the next server adopts them and converges without duplicates or orphans."""
import subprocess
import time

from orca import ORCA, check, docker, wait_until

WEB = '''
[[service]]
name = "web"
image = "orca-example/web:1"
replicas = 3
port = 8080
health = "/healthz"
env = { VERSION = "%s" }
'''


def running_ids(s, p):
    return sorted(docker("ps", "-q", "--no-trunc", "--filter", "label=orca.instance=" + s.instance(),
                         "--filter", "label=orca.project=" + p).split())


def test_sigterm_leaves_workloads_and_restart_adopts(t):
    p = t.project("keep")
    cfg = t.config({p: WEB % "1"})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    before = running_ids(s, p)
    check(len(before) == 3, "containers: %r" % before)
    rc = s.stop()
    check(rc == 0, "orca server exited %r on SIGTERM" % rc)
    check(running_ids(s, p) == before, "stopping the server stopped workloads")
    s.start()
    svc = s.wait_service(p, "web", lambda v: v["healthy"] == 3, what="adopted replicas healthy")
    check(sorted(r["container"] for r in svc["replicas"]) == before,
          "the restarted server replaced adopted containers")
    check(svc["state"] == "running", "state after adoption: %r" % svc["state"])


def test_kill9_mid_deploy_converges_without_duplicates(t):
    p, bystander = t.project("crash"), t.project("bystander")
    cfg = t.config({p: WEB % "1", bystander: WEB % "b"})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "first deploy failed")
    untouched = running_ids(s, bystander)
    old_hash = s.service(p, "web")["replicas"][0]["spec"]
    cfg.set_project(p, WEB % "2")
    deploy = subprocess.Popen([ORCA, "deploy", "--project", p, cfg.path], env=s.env(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def new_replica_started():
        svc = s.service(p, "web")
        return svc and any(r["spec"] != old_hash for r in svc["replicas"])

    wait_until(new_replica_started, 30, "the first replica of the new revision")
    s.kill9()
    deploy.wait(30)
    mid = running_ids(s, p)
    s.start()

    def converged(v):
        return (v["healthy"] == 3 and v["running"] == 3 and v["draining"] == 0 and
                all(r["spec"] != old_hash for r in v["replicas"]))

    svc = s.wait_service(p, "web", converged, timeout=60, what="convergence after kill -9")
    want = sorted(r["container"] for r in svc["replicas"])
    wait_until(lambda: sorted(s.containers(p)) == want, 30,
               "exactly the 3 new containers (found %r, mid-deploy %d)" % (s.containers(p), len(mid)))
    log = s.log_text()
    check("resumed after a restart" in log, "the interrupted deploy was not resumed")
    check(running_ids(s, bystander) == untouched, "the other project's containers changed")


def test_replica_lost_while_no_server_watched_is_reported_and_replaced(t):
    p = t.project("lost")
    cfg = t.config({p: WEB % "1"})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    victim = s.service(p, "web")["replicas"][2]["container"]
    s.stop()
    docker("rm", "-f", victim)
    s.start()
    s.wait_service(p, "web", lambda v: v["healthy"] == 3 and victim not in
                   [r["container"] for r in v["replicas"]], what="a replacement")
    code, body = s.api("GET", "/api/v1/events?limit=1000")
    lost = [e for e in body["events"] if e["kind"] == "replica.lost"]
    check(len(lost) == 1 and victim[:12] in lost[0]["message"] and lost[0]["project"] == p,
          "replica.lost events: %r" % lost)
