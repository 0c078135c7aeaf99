"""Running orca server as an operator does: one server per data directory,
its log file, and what it keeps."""
import os
import sqlite3
import subprocess

from dockerproxy import DockerProxy
from orca import ORCA, check, docker

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
