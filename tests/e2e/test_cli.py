"""The CLI's lifecycle commands against a real server."""
import os
import subprocess

from orca import ORCA, ROOT, check, wait_until

SVC = '''
[[service]]
name = "web"
image = "orca-example/api:1"
replicas = 2
port = 8080
health = "/healthz"
command = ["sh", "-c", "echo hello from $HOSTNAME; exec httpd -f -p 8080 -h /www"]
env = { APP_MESSAGE = "%s" }
'''


def test_without_a_server_every_command_says_how_to_start_it(t):
    env = dict(os.environ, ORCA_SOCKET=os.path.join(t.base, "nothing.sock"))
    for args in (["status"], ["logs", "a/b"], ["scale", "a/b", "2"], ["events"],
                 ["secrets", "list"], ["nodes"], ["deploy", os.path.join(ROOT, "examples")]):
        p = subprocess.run([ORCA, *args], capture_output=True, text=True, env=env, timeout=30)
        out = p.stdout + p.stderr
        check(p.returncode == 4, "orca %s exited %d: %s" % (" ".join(args), p.returncode, out))
        check("orca server" in out and "nothing.sock" in out, "no hint in: " + out)


def test_scale_stop_restart_rollback(t):
    p = t.project("life")
    cfg = t.config({p: SVC % "one"})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    r = s.cli("scale", p + "/web", "3")
    check(r.returncode == 0, "scale: " + r.stdout + r.stderr)
    s.wait_service(p, "web", lambda v: v["healthy"] == 3 and v["desired"] == 3, what="3 replicas")
    ids = {x["container"] for x in s.service(p, "web")["replicas"]}
    r = s.cli("restart", "web")           # bare name: unambiguous
    check(r.returncode == 0, "restart: " + r.stdout + r.stderr)
    svc = s.wait_service(p, "web", lambda v: v["state"] == "running" and v["healthy"] == 3,
                         what="restart to finish")
    check(not ids & {x["container"] for x in svc["replicas"]}, "restart kept old containers")
    cfg.set_project(p, SVC % "two")
    check(s.cli("deploy", cfg.path).returncode == 0, "second deploy failed")
    r = s.cli("rollback", p + "/web")
    check(r.returncode == 0, "rollback: " + r.stdout + r.stderr)
    svc = s.wait_service(p, "web", lambda v: v["state"] == "running", what="rollback to finish")
    c = svc["replicas"][0]["container"]
    out = s.cli("exec", p + "/web", "--", "sh", "-c", "echo $APP_MESSAGE; exit 7")
    check(out.returncode == 7 and out.stdout.strip() == "one",
          "exec after rollback: rc %d out %r" % (out.returncode, out.stdout))
    raw = s.cli("exec", p + "/web", "--", "printf", "a\\377b")   # not UTF-8
    check(raw.returncode == 0 and raw.stdout == "a\ufffdb", "exec of raw bytes: %r %r"
          % (raw.returncode, raw.stdout + raw.stderr))
    r = s.cli("stop", p + "/web")
    check(r.returncode == 0, "stop: " + r.stdout + r.stderr)
    svc = s.wait_service(p, "web", lambda v: v["state"] == "stopped", what="stopped")
    wait_until(lambda: not s.containers(p), 20, "containers to be removed after stop")
    check(c, "")


def test_logs_and_events(t):
    p = t.project("logs")
    cfg = t.config({p: SVC % "x"})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    r = s.cli("logs", p + "/web", "--tail", "10")
    check(r.returncode == 0, "logs: " + r.stderr)
    lines = [l for l in r.stdout.splitlines() if "hello from" in l]
    check(len(lines) == 2 and lines[0].startswith("[") and "] hello from" in lines[0],
          "log lines: %r" % r.stdout)
    ev = s.cli("events")
    check(ev.returncode == 0 and "replica.created" in ev.stdout and "deploy.succeeded" in ev.stdout,
          "events: %r" % ev.stdout[-500:])
    st = s.cli("status")
    check(st.returncode == 0 and p in st.stdout and "running" in st.stdout, "status: " + st.stdout)


def test_logs_follow_streams_new_lines(t):
    p = t.project("tail")
    cfg = t.config({p: '''
[[service]]
name = "ticker"
image = "orca-test/busybox:1"
command = ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"]
'''})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    proc = subprocess.Popen([ORCA, "logs", "-f", "--tail", "1", p + "/ticker"], env=s.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    import time
    time.sleep(3)
    proc.send_signal(__import__("signal").SIGINT)
    out, err = proc.communicate(timeout=10)
    ticks = [l for l in out.splitlines() if l.startswith("[0] tick ")]
    check(len(ticks) >= 8, "followed %d lines in 3 s: %r %r" % (len(ticks), out[-300:], err))
    nums = [int(l.split()[-1]) for l in ticks]
    check(nums == sorted(nums) and len(set(nums)) == len(nums), "lines out of order: %r" % nums)
