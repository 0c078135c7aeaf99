"""One writer of revisions: an automatic rollback racing a deploy or a scale
never loses the other's revision, whichever writes first.

The races are ordered, not hoped for: the server runs with
ORCA_TESTHOOK_DIR, and a test holds the control thread (or an API thread)
between reading the current revision and writing its own (src/base/
testhook.h), makes the other change, and lets it go.
"""
import json
import os
import sqlite3
import threading
import time

from orca import check, docker, wait_until

WEB = '''
[[service]]
name = "web"
image = "orca-example/web:1"
replicas = 1
port = 8080
health = "/healthz"
env = { VERSION = "%s" }
%s
[[service]]
name = "side"
image = "orca-example/web:1"
replicas = 1
port = 8080
health = "/healthz"
'''
GOOD = WEB % ("1", "")
BROKEN = WEB % ("2", 'command = ["sh", "-c", "exit 3"]')
FIXED = WEB % ("3", "")


class Hook:
    """A pause point of src/base/testhook.h in the server's hook directory."""

    def __init__(self, directory, name):
        self.armed = os.path.join(directory, name + ".pause")
        self.paused = os.path.join(directory, name + ".paused")

    def arm(self):
        open(self.armed, "w").close()

    def wait(self, what, timeout=60):
        wait_until(lambda: os.path.exists(self.paused), timeout, what)

    def release(self):
        if os.path.exists(self.armed):
            os.unlink(self.armed)


def hooked_server(t):
    hooks = os.path.join(t.base, "hooks")
    os.makedirs(hooks, exist_ok=True)
    return t.server(env={"ORCA_TESTHOOK_DIR": hooks}), hooks


def put(s, p, text):
    code, body = s.api("PUT", "/api/v1/projects/" + p, {"source": text})
    check(code == 202, "deploy: %d %r" % (code, body))
    return body["deploy"]["id"]


def wait_deploy(s, deploy_id, timeout=90):
    def finished():
        code, body = s.api("GET", "/api/v1/deploys/%d" % deploy_id)
        return body["deploy"] if body["deploy"]["state"] != "running" else None
    return wait_until(finished, timeout, "deploy %d to finish" % deploy_id)


def db_rows(s, sql, *args):
    con = sqlite3.connect("file:%s?mode=ro" % os.path.join(s.data, "orca.db"), uri=True,
                          timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def current(s, p):
    return db_rows(s, "SELECT current_rev FROM projects WHERE name = ?", p)[0][0]


def revision(s, p, n):
    source, spec = db_rows(s, "SELECT source, spec FROM revisions WHERE project = ? AND number = ?",
                           p, n)[0]
    return source, json.loads(spec)["services"]


def env_of(s, p, service):
    svc = s.service(p, service)
    out = []
    for r in svc["replicas"]:
        if r["state"] == "running" and r["container"]:
            out.append(docker("inspect", "-f", "{{json .Config.Env}}", r["container"]))
    return out


def start_broken_rollout(t):
    """A server with GOOD deployed, then BROKEN deployed with the control
    thread held just before it writes the automatic rollback."""
    s, hooks = hooked_server(t)
    p = t.project("race")
    check(wait_deploy(s, put(s, p, GOOD))["state"] == "succeeded", "first deploy failed")
    rollback = Hook(hooks, "rollback-write")
    rollback.arm()
    put(s, p, BROKEN)
    rollback.wait("the control thread to decide the rollback of the broken web")
    return s, p, hooks, rollback


def test_rollback_never_undoes_a_deploy_that_came_first(t):
    s, p, hooks, rollback = start_broken_rollout(t)
    try:
        fixed = put(s, p, FIXED)      # the operator's fix, while the rollback waits
        fixed_rev = current(s, p)
    finally:
        rollback.release()
    d = wait_deploy(s, fixed)
    check(d["state"] == "succeeded", "the fix's deploy: %r" % d)
    time.sleep(1)                     # anything else the control thread would do
    now = current(s, p)
    source, _ = revision(s, p, now)
    check('VERSION = "3"' in source,
          "revision %d (after the fix's %d) lost the fix: %s" % (now, fixed_rev, source))
    svc = s.wait_service(p, "web", lambda v: v["healthy"] == 1 and v["state"] == "running",
                         what="web running the fix")
    envs = env_of(s, p, "web")
    check(envs and all('"VERSION=3"' in x for x in envs), "web runs %r" % envs)
    check(svc["revision"] == now, "web is at revision %d, current is %d" % (svc["revision"], now))


def test_rollback_keeps_a_scale_that_came_first(t):
    s, p, hooks, rollback = start_broken_rollout(t)
    try:
        code, body = s.api("POST", "/api/v1/projects/%s/services/side/scale" % p, {"replicas": 3})
        check(code == 202, "scale: %d %r" % (code, body))
        scaled = current(s, p)
    finally:
        rollback.release()
    wait_until(lambda: current(s, p) > scaled, 30, "the rollback revision")
    s.wait_service(p, "web", lambda v: v["healthy"] == 1 and v["state"] == "running",
                   what="web rolled back")
    time.sleep(1)
    now = current(s, p)
    _, meta = revision(s, p, now)
    check(meta["side"].get("replicas") == 3, "the scale was lost: revision %d is %r" % (now, meta))
    check(meta["web"].get("from_revision") == 1, "web was not rolled back: %r" % meta)
    side = s.wait_service(p, "side", lambda v: v["healthy"] == 3, what="side at 3 replicas")
    check(side["desired"] == 3, "side desires %r" % side["desired"])
    envs = env_of(s, p, "web")
    check(envs and all('"VERSION=1"' in x for x in envs), "web runs %r" % envs)


def test_scale_planned_before_a_rollback_is_made_again_after_it(t):
    s, p, hooks, rollback = start_broken_rollout(t)
    lifecycle = Hook(hooks, "lifecycle-write")
    lifecycle.arm()
    reply = {}

    def scale():
        reply["r"] = s.api("POST", "/api/v1/projects/%s/services/side/scale" % p,
                           {"replicas": 2})

    th = threading.Thread(target=scale, daemon=True)
    try:
        th.start()
        lifecycle.wait("the scale to read the broken revision")
        broken = current(s, p)
        rollback.release()            # the rollback writes first ...
        wait_until(lambda: current(s, p) > broken, 30, "the rollback revision")
        rolled = current(s, p)
    finally:
        rollback.release()
        lifecycle.release()           # ... then the scale, planned before it
    th.join(60)
    check(reply.get("r", (0,))[0] == 202, "scale: %r" % (reply.get("r"),))
    now = current(s, p)
    check(now == rolled + 1, "revisions: broken %d, rollback %d, now %d" % (broken, rolled, now))
    _, meta = revision(s, p, now)
    check(meta["web"].get("from_revision") == 1,
          "the scale undid the rollback: revision %d is %r" % (now, meta))
    check(meta["side"].get("replicas") == 2, "revision %d is %r" % (now, meta))
    s.wait_service(p, "side", lambda v: v["healthy"] == 2, what="side at 2 replicas")
    s.wait_service(p, "web", lambda v: v["healthy"] == 1 and v["state"] == "running",
                   what="web rolled back")
    envs = env_of(s, p, "web")
    check(envs and all('"VERSION=1"' in x for x in envs), "web runs %r" % envs)


def bump(s, p):
    """Another writer moves the project's current revision (a copy of it)."""
    con = sqlite3.connect(os.path.join(s.data, "orca.db"), timeout=10)
    try:
        with con:
            cur, last = con.execute("SELECT current_rev, last_rev FROM projects WHERE name = ?",
                                    (p,)).fetchone()
            con.execute("INSERT INTO revisions (project, number, source, spec, created_at,"
                        " deploy_id, state) SELECT project, ?, source, spec, created_at, 0,"
                        " 'pending' FROM revisions WHERE project = ? AND number = ?",
                        (last + 1, p, cur))
            con.execute("UPDATE projects SET current_rev = ?, last_rev = ? WHERE name = ?",
                        (last + 1, last + 1, p))
        return last + 1
    finally:
        con.close()


def race(s, p, hook, times, call):
    """Runs call() in a thread; each of the first `times` times it reaches
    hook, another writer comes first. Returns call()'s result."""
    out = {}
    th = threading.Thread(target=lambda: out.update(r=call()), daemon=True)
    hook.arm()
    try:
        th.start()
        for i in range(times):
            hook.wait("attempt %d to reach the write" % (i + 1))
            out.setdefault("bumped", []).append(bump(s, p))
            os.unlink(hook.paused)            # let this attempt go, stay armed
            wait_until(lambda: os.path.exists(hook.paused) or "r" in out, 30,
                       "the next attempt or the answer")
    finally:
        hook.release()
    th.join(60)
    return out


def test_scale_gives_up_with_409_after_three_writers_came_first(t):
    s, hooks = hooked_server(t)
    p = t.project("busy")
    check(wait_deploy(s, put(s, p, GOOD))["state"] == "succeeded", "deploy failed")
    out = race(s, p, Hook(hooks, "lifecycle-write"), 3,
               lambda: s.api("POST", "/api/v1/projects/%s/services/side/scale" % p,
                             {"replicas": 2}))
    code, body = out["r"]
    check(code == 409 and "changed under 'scale' 3 times in a row" in body["error"]["message"]
          and "try again" in body["error"]["message"], "after 3 conflicts: %d %r" % (code, body))
    check(current(s, p) == out["bumped"][-1], "the scale wrote a revision after all")
    _, meta = revision(s, p, current(s, p))
    check(meta["side"].get("replicas", -1) != 2, "the scale was applied: %r" % meta)


def test_deploy_planned_on_a_moved_revision_is_planned_again(t):
    s, hooks = hooked_server(t)
    p = t.project("replan")
    check(wait_deploy(s, put(s, p, GOOD))["state"] == "succeeded", "deploy failed")
    hook = Hook(hooks, "deploy-write")
    out = race(s, p, hook, 1, lambda: s.api("PUT", "/api/v1/projects/" + p, {"source": FIXED}))
    code, body = out["r"]
    check(code == 202, "a deploy raced once: %d %r" % (code, body))
    now = current(s, p)
    check(now == out["bumped"][0] + 1, "the deploy was not recorded on top of revision %d: %d"
          % (out["bumped"][0], now))
    check('VERSION = "3"' in revision(s, p, now)[0], "revision %d is not the deploy's" % now)
    check(wait_deploy(s, body["deploy"]["id"])["state"] == "succeeded", "the deploy failed")

    out = race(s, p, hook, 3, lambda: s.api("PUT", "/api/v1/projects/" + p, {"source": GOOD}))
    code, body = out["r"]
    check(code == 409 and "planned 3 times and each time another change came first" in
          body["error"]["message"], "after 3 conflicts: %d %r" % (code, body))
    check(current(s, p) == out["bumped"][-1], "the deploy wrote a revision after all")
