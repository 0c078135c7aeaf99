"""Pull deadlines: a deploy pulls its images before it takes the deploy
lock, so a registry that hangs delays that deploy only; a scale of another
project goes through meanwhile. The pull fails with a sentence once the
engine has reported no progress for --pull-stall seconds.

The registry is a stand-in on loopback that answers the /v2/ ping and then
holds every request without answering (Docker 20.10 would wait for that
manifest forever)."""
import threading
import time

from orca import check, wait_until
from registry import StallRegistry

WEB = '''
[[service]]
name = "web"
image = "orca-example/web:1"
replicas = 1
port = 8080
health = "/healthz"
'''

HANGS = '''
[[service]]
name = "app"
image = "%s/orca-e2e/hangs:1"
'''

STALL_S = 8


def test_stalled_pull_blocks_no_scale_and_fails_at_its_deadline(t):
    stall = StallRegistry()
    try:
        other = t.project("free")
        stuck = t.project("stuck")
        cfg = t.config({other: WEB, stuck: HANGS % stall.host})
        s = t.server(args=["--pull-stall", str(STALL_S)])
        r = s.cli("deploy", cfg.path, "-p", other)
        check(r.returncode == 0, "deploy of %s failed: %s" % (other, r.stdout + r.stderr))

        result = {}

        def deploy_stuck():
            start = time.monotonic()
            result["r"] = s.cli("deploy", cfg.path, "-p", stuck)
            result["secs"] = time.monotonic() - start

        th = threading.Thread(target=deploy_stuck)
        th.start()
        wait_until(lambda: any("/manifests/" in line for line in stall.seen), 30,
                   "the engine to ask the stalled registry for the manifest")

        start = time.monotonic()
        code, body = s.api("POST", "/api/v1/projects/%s/services/web/scale" % other,
                           {"replicas": 2}, timeout=60)
        took = time.monotonic() - start
        check(code == 202, "scale: %d %r" % (code, body))
        check(took < STALL_S, "the scale waited %.1f s, behind the hung pull" % took)
        check(th.is_alive(), "the stalled deploy ended before the scale could show anything")
        s.wait_service(other, "web", lambda v: v["healthy"] == 2, timeout=60,
                       what="the scale to converge while the pull hangs")
        check(th.is_alive(), "the stalled deploy ended before the scale converged")

        th.join(STALL_S + 60)
        check(not th.is_alive(), "the stalled deploy never ended")
        r = result["r"]
        out = r.stdout + r.stderr
        ref = "%s/orca-e2e/hangs:1" % stall.host
        check(r.returncode != 0, "the deploy of a hung pull succeeded: %s" % out)
        check("image '%s' not found locally and its pull made no progress for %d s" %
              (ref, STALL_S) in out, "no deadline sentence: %s" % out)
        check(result["secs"] < STALL_S + 30, "the deploy took %.1f s" % result["secs"])
        t.note("scale answered in %.2f s while the pull hung; the deploy failed after "
               "%.1f s: %s" % (took, result["secs"], out.strip().splitlines()[-1]))
    finally:
        stall.stop()
