"""Zero downtime through the proxy: rolling redeploys under load lose no
request, and a replica killed with SIGKILL costs only what was in flight."""
import http.client
import threading
import time

from orca import check, docker, wait_until
from proxyfix import deploy, domain, echo_service, start, wait_healthy


class Load:
    """Requests through the proxy from several threads: some keep their
    connection alive, some open a new one for every request."""

    def __init__(self, port, host, keepalive=3, fresh=2, path="/", rate=400):
        self.port, self.host, self.path = port, host, path
        # paced, so that the load does not starve the Docker Engine of CPU
        self.interval = (keepalive + fresh) / float(rate)
        self.ok = 0
        self.errors = []
        self.stop = False
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(True,), daemon=True)
                        for _ in range(keepalive)]
        self.threads += [threading.Thread(target=self.run, args=(False,), daemon=True)
                         for _ in range(fresh)]

    def run(self, keep):
        conn = None
        next_at = time.monotonic()
        while not self.stop:
            next_at += self.interval
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", self.path, headers={"Host": self.host})
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    raise OSError("HTTP %d" % r.status)
                with self.lock:
                    self.ok += 1
                if not keep or r.getheader("connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                with self.lock:
                    self.errors.append("%.3f %s" % (time.monotonic(), e))
                if conn:
                    conn.close()
                conn = None
                time.sleep(0.01)
        if conn:
            conn.close()

    def __enter__(self):
        self.started = time.monotonic()
        for th in self.threads:
            th.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        for th in self.threads:
            th.join(15)
        self.secs = time.monotonic() - self.started

    def rate(self):
        return self.ok / max(time.monotonic() - self.started, 0.001)


def test_proxy_rolling_redeploys_lose_nothing(t):
    p = t.project("pz")
    host = domain("zd")
    svc = lambda i: echo_service("web", host, replicas=2,
                                 extra='env = { APP_MESSAGE = "v%d" }' % i)
    s, cfg, proxy = start(t, {p: svc(0)})
    wait_healthy(s, p, "web", 2)
    proxy.wait_ok(host)
    with Load(proxy.port, host) as load:
        wait_until(lambda: load.ok > 200, 30, "the load to get going")
        for i in range(1, 21):
            cfg.set_project(p, svc(i))
            deploy(s, cfg)
        rate = load.rate()
    body = proxy.get(host)[2].decode()
    check("message=v20" in body, "the last revision serves: %r" % body)
    check(rate >= 200, "load was %.0f req/s, want >= 200" % rate)
    check(not load.errors, "%d errors in %d requests, first: %s" % (
        len(load.errors), load.ok + len(load.errors), load.errors[:5]))
    t.note("20 rolling redeploys: %d requests at %.0f req/s in %.0f s, 0 errors" % (
        load.ok, load.ok / load.secs, load.secs))


def test_proxy_replica_killed_costs_only_its_requests(t):
    p = t.project("pk")
    host = domain("kill")
    s, cfg, proxy = start(t, {p: echo_service("web", host, replicas=3)})
    wait_healthy(s, p, "web", 3)
    proxy.wait_ok(host)
    with Load(proxy.port, host, path="/slow?ms=20") as load:
        wait_until(lambda: load.ok > 100, 30, "the load to get going")
        victim = s.service(p, "web")["replicas"][0]["container"]
        before = len(load.errors)
        docker("kill", "-s", "KILL", victim)
        time.sleep(3)
        wait_healthy(s, p, "web", 3)
        time.sleep(1)
        after = len(load.errors)
    errs = load.errors[before:after]
    # each client thread has at most one request in flight: at most 5 can
    # have been on the killed replica
    check(len(errs) <= 5, "%d errors after kill -9 of one replica: %s" % (len(errs), errs))
    t.note("kill -9 of 1 of 3 replicas under load (%d requests): %d failed requests" % (
        load.ok, len(errs)))
