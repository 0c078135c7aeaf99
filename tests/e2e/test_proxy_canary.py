"""Canary deploys through the proxy: the weight holds, promote finishes the
rollout, and a canary that answers 500 is aborted while the stable
revision keeps serving."""
import threading
import time

from orca import check, wait_until
from proxyfix import deploy, domain, echo_service, start, wait_healthy


def svc(host, msg, extra_env="", deploy_extra=""):
    return echo_service("web", host, replicas=2, extra=(
        'env = { APP_MESSAGE = "%s"%s }\n[service.deploy]\nstrategy = "canary"\n'
        'canary_weight = 20\n%s' % (msg, extra_env, deploy_extra)))


def messages(proxy, host, n, headers=None):
    got = {}
    for _ in range(n):
        st, hdrs, _ = proxy.get(host, headers=headers)
        m = dict((k.lower(), v) for k, v in hdrs).get("x-message", "?") if st == 200 else st
        got[m] = got.get(m, 0) + 1
    return got


def start_canary(s, cfg, p, text):
    cfg.set_project(p, text)
    r = s.cli("deploy", "--no-wait", cfg.path)
    check(r.returncode == 0, "canary deploy: %s%s" % (r.stdout, r.stderr))
    return s.wait_service(p, "web", lambda v: v.get("canary") and v["healthy"] >= 3, 60,
                          "the canary replica beside the 2 stable ones")


def test_proxy_canary_weight_and_promote(t):
    p = t.project("pc")
    host = domain("canary")
    s, cfg, proxy = start(t, {p: svc(host, "v1")})
    wait_healthy(s, p, "web", 2)
    proxy.wait_ok(host)
    start_canary(s, cfg, p, svc(host, "v2"))
    wait_until(lambda: messages(proxy, host, 1, {"X-Orca-Canary": "always"}).get("v2"), 30,
               "X-Orca-Canary: always to reach the canary")
    got = messages(proxy, host, 2000)
    share = got.get("v2", 0) / 2000.0
    check(set(got) <= {"v1", "v2"}, "only the two revisions answer: %s" % got)
    check(0.15 <= share <= 0.25, "canary share %.1f%% of 2000 (want 15-25%%): %s" % (100 * share, got))
    st = s.cli("status", "%s/web" % p)
    check("canary 20%" in st.stdout and "stable" in st.stdout,
          "orca status shows both revisions:\n%s" % st.stdout)
    r = s.cli("promote", "%s/web" % p)
    check(r.returncode == 0, "promote: %s%s" % (r.stdout, r.stderr))
    svc_now = s.wait_service(p, "web", lambda v: v["state"] == "running" and not v.get("canary")
                             and all(x["revision"] == v["revision"] for x in v["replicas"]), 60,
                             "promote to leave only the new revision")
    check(len(svc_now["replicas"]) == 2, "two replicas after promote: %s" % svc_now["replicas"])
    got = messages(proxy, host, 50)
    check(got == {"v2": 50}, "after promote only v2 answers: %s" % got)
    t.note("canary_weight 20: %.1f%% of 2000 requests reached the canary; promote left only it"
           % (100 * share))


def test_proxy_failing_canary_is_aborted(t):
    p = t.project("pca")
    host = domain("abort")
    s, cfg, proxy = start(t, {p: svc(host, "v1")})
    wait_healthy(s, p, "web", 2)
    proxy.wait_ok(host)
    counts, stop = {"v1": 0, "500": 0, "other": 0}, [False]

    def load():
        while not stop[0]:
            try:
                st, hdrs, _ = proxy.get(host, timeout=5)
                m = dict((k.lower(), v) for k, v in hdrs).get("x-message")
                key = "v1" if st == 200 and m == "v1" else "500" if st == 500 else "other"
            except OSError:
                key = "other"
            counts[key] += 1
            time.sleep(0.005)

    th = threading.Thread(target=load, daemon=True)
    th.start()
    try:
        start_canary(s, cfg, p, svc(host, "v2", ', FAIL = "1"', "canary_min_requests = 50\n"))
        v = s.wait_service(p, "web", lambda v: not v.get("canary") and v["state"] == "running",
                           90, "the failing canary to be aborted")
        time.sleep(1)
    finally:
        stop[0] = True
        th.join(10)
    check("aborted" in v["last_error"], "the reason says it: %r" % v["last_error"])
    got = messages(proxy, host, 50)
    check(got == {"v1": 50}, "the stable revision serves alone again: %s" % got)
    check(counts["other"] == 0, "the stable revision never stopped serving: %s" % counts)
    t.note("failing canary aborted after %d 500s; stable answered %d requests meanwhile: %s" % (
        counts["500"], counts["v1"], v["last_error"]))
