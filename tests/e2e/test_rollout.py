"""Rolling updates without failed requests, and rollback of a revision whose
health check fails."""
import http.client
import threading
import time

from orca import check, wait_until

WEB = '''
[[service]]
name = "web"
image = "orca-example/web:1"
replicas = %d
port = 8080
health = "/healthz"
env = { VERSION = "%s" }
'''


class Client(threading.Thread):
    """Sends requests continuously to the service's replicas, the way a load
    balancer does: to the replicas orca reports as running and healthy (not
    draining), refreshing that list every 50 ms."""

    def __init__(self, server, project):
        super().__init__(daemon=True)
        self.server, self.project = server, project
        self.ok = self.failed = 0
        self.errors = []
        self.stop = False
        self.endpoints = []
        self.min_healthy = None

    def refresh(self):
        svc = self.server.service(self.project, "web")
        if svc is None:
            return
        self.endpoints = [r["ip"] for r in svc["replicas"]
                          if r["state"] == "running" and r["health"] == "healthy" and r["ip"]]
        h = len(self.endpoints)
        self.min_healthy = h if self.min_healthy is None else min(self.min_healthy, h)

    def run(self):
        last, i = 0.0, 0
        while not self.stop:
            if time.monotonic() - last > 0.05:
                self.refresh()
                last = time.monotonic()
            if not self.endpoints:
                time.sleep(0.01)
                continue
            ip = self.endpoints[i % len(self.endpoints)]
            i += 1
            try:
                c = http.client.HTTPConnection(ip, 8080, timeout=5)
                c.request("GET", "/")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    self.ok += 1
                    continue
                err = "HTTP %d from %s" % (r.status, ip)
            except OSError as e:
                err = "%s: %s" % (ip, e)
            self.failed += 1
            self.errors.append(err)


def test_rolling_update_drops_no_request(t):
    p = t.project("roll")
    cfg = t.config({p: WEB % (3, "1")})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "first deploy failed")
    client = Client(s, p)
    client.start()
    wait_until(lambda: client.ok > 50, 20, "the client to get going")
    before = {r["container"] for r in s.service(p, "web")["replicas"]}
    # a new image and a new env at once
    cfg.set_project(p, (WEB % (3, "2")).replace("orca-example/web:1", "orca-example/api:1"))
    r = s.cli("deploy", cfg.path)
    time.sleep(3)        # past the drain of the last old replica
    client.stop = True
    client.join()
    check(r.returncode == 0, "redeploy failed: %s%s" % (r.stdout, r.stderr))
    after = s.service(p, "web")
    check(not before & {x["container"] for x in after["replicas"]},
          "old containers survived the update")
    check(client.failed == 0, "%d of %d requests failed: %s" %
          (client.failed, client.ok + client.failed, client.errors[:5]))
    check(client.min_healthy >= 3, "healthy replicas dipped to %d" % client.min_healthy)
    t.note("%d requests during the update, 0 failed" % client.ok)


def test_one_replica_never_has_zero_healthy(t):
    p = t.project("single")
    cfg = t.config({p: WEB % (1, "1")})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "first deploy failed")
    seen = []
    done = threading.Event()

    def watch():
        while not done.is_set():
            svc = s.service(p, "web")
            seen.append(svc["healthy"])
            time.sleep(0.02)

    w = threading.Thread(target=watch, daemon=True)
    w.start()
    cfg.set_project(p, WEB % (1, "2"))
    r = s.cli("deploy", cfg.path)
    time.sleep(2)
    done.set()
    w.join()
    check(r.returncode == 0, "redeploy failed: " + r.stdout + r.stderr)
    check(min(seen) >= 1, "healthy replicas seen during the deploy: %r" % sorted(set(seen)))


def test_failing_health_check_rolls_back(t):
    p = t.project("bad")
    good = WEB % (2, "1")
    cfg = t.config({p: good})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "first deploy failed")
    old = s.service(p, "web")
    cfg.set_project(p, good.replace('"/healthz"', '"/missing"').replace('"1"', '"2"'))
    r = s.cli("deploy", cfg.path)
    out = r.stdout + r.stderr
    check(r.returncode == 1, "a failing deploy exited %d: %s" % (r.returncode, out))
    check("did not become healthy" in out and "GET /missing: 404" in out and "rolled back" in out,
          "the reason is missing: " + out)
    svc = s.wait_service(p, "web", lambda v: v["state"] == "running" and v["healthy"] == 2,
                         what="the rolled-back service to settle")
    check({x["container"] for x in svc["replicas"]} == {x["container"] for x in old["replicas"]},
          "the old replicas were replaced during the rollback")
    check(svc["revision"] > old["revision"], "no rollback revision recorded")
