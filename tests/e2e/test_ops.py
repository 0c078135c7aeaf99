"""Running orca server as an operator does: one server per data directory,
its log file, and what it keeps."""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess

from dockerproxy import DockerProxy
from orca import ORCA, check, docker, wait_until

WEB = '''
[[service]]
name = "web"
image = "orca-example/web:1"
replicas = %d
port = 8080
health = "/healthz"
'''


def db_count(data, table):
    con = sqlite3.connect("file:%s?mode=ro" % os.path.join(data, "orca.db"), uri=True, timeout=10)
    try:
        return con.execute("SELECT count(*) FROM %s" % table).fetchone()[0]
    finally:
        con.close()


def test_second_server_on_a_data_dir_leaves_at_once_and_touches_nothing(t):
    p = t.project("owner")
    cfg = t.config({p: WEB % 2})
    first = t.server()
    check(first.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    before = {c: docker("inspect", "-f", "{{.State.StartedAt}}", c).strip()
              for c in first.containers(p)}
    events = db_count(first.data, "events")
    proxy = DockerProxy(os.path.join(t.base, "docker.sock"))
    try:
        r = subprocess.run([ORCA, "server", "--data", first.data], capture_output=True, text=True,
                           timeout=30, env=dict(os.environ, DOCKER_HOST=proxy.url()))
    finally:
        proxy.close()
    out = r.stdout + r.stderr
    check(r.returncode != 0, "the second server exited %d: %s" % (r.returncode, out))
    check("in use by another orca server (pid %d" % first.proc.pid in out,
          "the refusal does not name the holder's pid %d: %s" % (first.proc.pid, out))
    check(not proxy.requests, "the second server talked to Docker: %r" %
          [(x["method"], x["path"]) for x in proxy.requests])
    check(db_count(first.data, "events") == events, "the second server wrote events")
    after = {c: docker("inspect", "-f", "{{.State.StartedAt}}", c).strip()
             for c in first.containers(p)}
    check(after == before, "containers changed: %r -> %r" % (before, after))
    check(first.alive() and first.api("GET", "/api/v1/health")[0] == 200,
          "the first server stopped answering")


def json_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def test_sighup_reopens_the_log_file_and_lines_are_json(t):
    p = t.project("logs")
    cfg = t.config({p: WEB % 1})
    log = os.path.join(t.base, "orca.log")
    s = t.server(args=["--log", log, "--log-format", "json"])
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    lines = json_lines(log)
    check(lines and all({"time", "level", "msg"} <= set(x) for x in lines),
          "lines without time, level and msg: %r" % lines[:3])
    created = [x for x in lines if x.get("kind") == "replica.created"]
    check(created and created[0].get("project") == p and created[0].get("service") == "web"
          and created[0].get("replica") == 0 and created[0]["level"] == "info",
          "no replica.created line with its fields: %r" % lines)
    os.rename(log, log + ".1")                 # what logrotate does
    s.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: os.path.exists(log), 10, "the server to open a new log file")
    check(s.alive(), "SIGHUP stopped the server: %s" % s.log_text()[-500:])
    check(s.cli("scale", p + "/web", "2").returncode == 0, "scale after SIGHUP failed")
    s.wait_service(p, "web", lambda v: v["healthy"] == 2, what="two replicas")
    new = json_lines(log)
    check(any("reopened the log file" in x["msg"] for x in new), "new file: %r" % new[:3])
    check(any(x.get("kind") == "replica.created" and x.get("replica") == 1 for x in new),
          "the scale's lines are not in the new file: %r" % new)
    old = json_lines(log + ".1")
    check(not any(x.get("replica") == 1 for x in old), "the old file got new lines")
    check(s.api("GET", "/api/v1/health")[0] == 200, "the server stopped answering")


def test_log_format_is_checked_and_text_is_the_default(t):
    log = os.path.join(t.base, "orca.log")
    r = subprocess.run([ORCA, "server", "--log-format", "xml"], capture_output=True, text=True,
                       timeout=30)
    check(r.returncode == 2 and "must be 'text' or 'json'" in r.stderr, "xml: %r" % (r,))
    s = t.server(args=["--log", log])
    s.proc.send_signal(signal.SIGHUP)
    wait_until(lambda: "reopened the log file" in open(log).read(), 10, "the reopen line")
    with open(log) as f:
        first = f.readline()
    check(re.match(r"^\d{4}-\d\d-\d\dT[0-9:.]+Z orca: serving the API", first),
          "text line: %r" % first)
    check(s.alive(), "SIGHUP stopped the server")


NOBODY = 65534
AS_NOBODY = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"]


def test_server_memory_cannot_be_read_by_its_own_uid(t):
    """PR_SET_DUMPABLE 0: no core dump, and another process of the server's
    uid can no longer read /proc/PID/environ (or mem, or ptrace it). Run as
    nobody: for root the check would prove nothing."""
    os.chmod(t.base, 0o711)
    binary = os.path.join(t.base, "orca")
    shutil.copy(ORCA, binary)
    os.chmod(binary, 0o755)
    proxy = DockerProxy(os.path.join(t.base, "docker.sock"))
    os.chmod(proxy.path, 0o666)
    try:
        s = t.server(start=False, docker_host=proxy.url(), wrap=AS_NOBODY, binary=binary)
        os.chmod(s.dir, 0o711)
        os.makedirs(s.data, mode=0o700)
        os.chown(s.data, NOBODY, NOBODY)
        s.start()
        pid = s.proc.pid
        with open("/proc/%d/status" % pid) as f:
            uid = [line.split()[1] for line in f if line.startswith("Uid:")][0]
        check(uid == str(NOBODY), "the server runs as uid %s" % uid)
        check(os.stat("/proc/%d/environ" % pid).st_uid == 0,
              "/proc/%d is owned by the server's uid: it is dumpable" % pid)
        r = subprocess.run([*AS_NOBODY, "cat", "/proc/%d/environ" % pid], capture_output=True,
                           text=True, timeout=10)
        check(r.returncode != 0 and "Permission denied" in r.stderr,
              "another process of uid %d read the server's environment: rc %d %r" %
              (NOBODY, r.returncode, r.stderr))
    finally:
        proxy.close()


PAIR = '''
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


def db_revisions(data, project):
    con = sqlite3.connect("file:%s?mode=ro" % os.path.join(data, "orca.db"), uri=True, timeout=10)
    try:
        return [n for (n,) in con.execute("SELECT number FROM revisions WHERE project = ?"
                                          " ORDER BY number", (project,))]
    finally:
        con.close()


def db_good(data, project):
    con = sqlite3.connect("file:%s?mode=ro" % os.path.join(data, "orca.db"), uri=True, timeout=10)
    try:
        return con.execute("SELECT good_rev FROM projects WHERE name = ?", (project,)).fetchone()[0]
    finally:
        con.close()


def test_prune_keeps_what_a_rollback_needs_and_history_stays_bounded(t):
    p = t.project("prune")
    cfg = t.config({p: PAIR % ("1", "")}, cluster="[cluster]\nkeep_revisions = 3\n")
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "first deploy failed")

    def scale_side(times):                         # a revision each, nothing to roll out
        for _ in range(times):
            code, body = s.api("POST", "/api/v1/projects/%s/services/side/scale" % p,
                               {"replicas": 1})
            check(code == 202, "scale: %d %r" % (code, body))

    scale_side(8)                                 # revisions 2..9
    revs = wait_until(lambda: (lambda r: r if r[-1] == 9 and len(r) <= 4 else None)(
        db_revisions(s.data, p)), 20, "pruning to the last 3 (plus the good one)")
    good = wait_until(lambda: (lambda g: g if g == 9 else None)(db_good(s.data, p)), 30,
                      "revision 9 to become the good one")

    broken = PAIR % ("2", 'command = ["sh", "-c", "exit 3"]')
    code, body = s.api("PUT", "/api/v1/projects/" + p, {"source": broken})
    check(code == 202, "broken deploy: %d %r" % (code, body))
    d = wait_until(lambda: (lambda b: b["deploy"] if b["deploy"]["state"] != "running" else None)(
        s.api("GET", "/api/v1/deploys/%d" % body["deploy"]["id"])[1]), 90, "the broken deploy")
    check("rolled back to revision %d" % good in d["message"], "deploy %r" % d)
    s.wait_service(p, "web", lambda v: v["healthy"] == 1 and v["state"] == "running",
                   what="web back on revision %d" % good)

    scale_side(6)                                  # the good one moves on; 9 stays in use
    wait_until(lambda: db_revisions(s.data, p)[-1] == 17 and len(db_revisions(s.data, p)) <= 5,
               20, "pruning after the rollback")
    wait_until(lambda: db_good(s.data, p) == 17, 30, "revision 17 to become the good one")
    scale_side(1)
    # the prune follows the new revision's reload: wait for it, not just for 18
    revs = wait_until(lambda: (lambda r: r if r[-1] == 18 and len(r) <= 5 else None)(
        db_revisions(s.data, p)), 20, "revision 18 and the prune after it")
    check(good in revs, "revision %d, which web's definition comes from, was pruned: %r" %
          (good, revs))
    check(len(revs) <= 5, "revisions kept: %r" % revs)

    s.stop()                                       # a new server loads it all back
    s.start()
    svc = s.wait_service(p, "web", lambda v: v["healthy"] == 1, what="web after a restart")
    env = docker("inspect", "-f", "{{json .Config.Env}}", svc["replicas"][0]["container"])
    check('"VERSION=1"' in env, "web runs %s" % env)

    for _ in range(4):                            # deploys that change nothing
        check(s.cli("deploy", cfg.path).returncode in (0, 1), "redeploy failed")
    deploys = wait_until(lambda: (lambda n: n if n <= 3 else None)(db_count(s.data, "deploys")),
                         20, "the deploy history pruned to 3")
    t.note("revisions kept %r, deploys kept %d" % (revs, deploys))


def test_master_key_outside_the_data_dir(t):
    keydir = os.path.join(t.base, "keys")
    os.makedirs(keydir, mode=0o700)
    key = os.path.join(keydir, "orca-master-key")
    s = t.server(args=["--key-file", key])
    r = s.cli("secrets", "set", "DB_PASSWORD", "hunter2")
    check(r.returncode == 0, "secrets set: %s%s" % (r.stdout, r.stderr))
    check(os.stat(key).st_mode & 0o777 == 0o600, "key mode %o" % os.stat(key).st_mode)
    check(not os.path.exists(os.path.join(s.data, "master.key")), "a key was made in the data dir")

    def get(*extra, env=None):
        return subprocess.run([ORCA, "secrets", "get", "DB_PASSWORD", "--data", s.data, *extra],
                              capture_output=True, text=True, timeout=30,
                              env=dict(os.environ, **(env or {})))

    r = get("--key-file", key)
    check(r.returncode == 0 and r.stdout == "hunter2", "get --key-file: %r" % (r,))
    r = get(env={"ORCA_KEY_FILE": key})
    check(r.returncode == 0 and r.stdout == "hunter2", "get with ORCA_KEY_FILE: %r" % (r,))
    r = get(env={"CREDENTIALS_DIRECTORY": keydir})
    check(r.returncode == 0 and r.stdout == "hunter2", "get with systemd credentials: %r" % (r,))
    r = get()
    check(r.returncode == 1 and "master key" in r.stderr and "missing" in r.stderr,
          "get without the key: %r" % (r,))
    r = get("--key-file", key + ".typo")
    check(r.returncode == 1 and "no master key at" in r.stderr, "get with a typo: %r" % (r,))
    check(not os.path.exists(key + ".typo"), "secrets get created a key")

    s.stop()
    os.chmod(key, 0o640)
    r = subprocess.run([ORCA, "server", "--data", s.data, "--key-file", key],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 1 and "accessible by group or others (mode 0640)" in r.stderr,
          "a group-readable key was accepted: %r" % (r,))
    os.chmod(key, 0o600)
    s2 = t.server(start=False, env={"CREDENTIALS_DIRECTORY": keydir})
    s2.data, s2.sock = s.data, s.sock
    s2.start()
    check(s2.cli("secrets", "list").stdout.count("DB_PASSWORD") == 1, "secrets after restart")
