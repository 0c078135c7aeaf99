"""Self-healing: a replica that dies is replaced at once; a crash loop
backs off and says why."""
import os
import signal
import time

from orca import check, docker, wait_until

WEB = '''
[[service]]
name = "web"
image = "orca-example/web:1"
replicas = %d
port = 8080
health = "/healthz"
'''


def test_kill9_replica_is_replaced(t):
    p = t.project("heal")
    cfg = t.config({p: WEB % 2})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    victim = s.service(p, "web")["replicas"][0]
    pid = int(docker("inspect", "-f", "{{.State.Pid}}", victim["container"]).strip())
    start = time.monotonic()
    os.kill(pid, signal.SIGKILL)

    def healed(svc):
        ids = [r["container"] for r in svc["replicas"] if r["health"] == "healthy"]
        return svc["healthy"] == 2 and victim["container"] not in ids and svc["restarts"] >= 1

    svc = s.wait_service(p, "web", healed, timeout=30, what="a healthy replacement")
    took = time.monotonic() - start
    check("exited with code 137" in svc["last_error"], "last_error: %r" % svc["last_error"])
    check(len(s.containers(p)) == 2, "containers after healing: %r" % s.containers(p))
    t.note("replacement healthy %.2f s after kill -9" % took)


def test_crash_loop_backs_off_and_says_why(t):
    p = t.project("loop")
    cfg = t.config({p: '''
[[service]]
name = "crashy"
image = "orca-test/busybox:1"
command = ["sh", "-c", "echo starting; exit 3"]
'''})
    s = t.server()
    s.cli("deploy", cfg.path)        # fails: the replica never stays up
    svc = s.wait_service(p, "crashy", lambda v: v["restarts"] >= 3, timeout=30,
                         what="three restarts")
    check("exited with code 3" in svc["last_error"], "last_error: %r" % svc["last_error"])
    time.sleep(5)
    later = s.service(p, "crashy")
    # back-off 0, 1, 2, 4, 8 s: far fewer than one restart a second
    check(later["restarts"] - svc["restarts"] <= 3,
          "restarts went from %d to %d in 5 s: no back-off" % (svc["restarts"], later["restarts"]))
    check(later["state"] in ("crashloop", "failed", "deploying"), "state %r" % later["state"])


def test_oom_killed_replica_is_replaced_and_reported(t):
    p = t.project("oom")
    cfg = t.config({p: '''
[[service]]
name = "hog"
image = "orca-test/busybox:1"
command = ["sh", "-c", "sleep 1; x=0123456789; while true; do x=$x$x; done"]

[service.resources]
memory = "16Mi"
'''})
    s = t.server()
    s.cli("deploy", cfg.path)
    svc = s.wait_service(p, "hog", lambda v: "out of memory" in v["last_error"], timeout=60,
                         what="an OOM kill to be reported")
    check(svc["restarts"] >= 1, "restarts %d" % svc["restarts"])
