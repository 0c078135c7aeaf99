"""Config keys that act outside a service: [cluster] data_dir (the server's
data directory with --config), [cluster] name and [[node.gpus]] model (shown
by orca nodes), and keys that are accepted but have no effect yet, which a
deploy reports as warnings with file:line:col."""
import json
import os
import subprocess

from orca import ORCA, check

SVC = '''
[[service]]
name = "web"
image = "orca-example/api:1"
port = 8080
health = "/healthz"
'''


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("ORCA_SOCKET", "ORCA_DATA")}
    env.update(extra)
    return env


def test_server_config_takes_data_dir_and_deploy_finds_it(t):
    p = t.project("ddir")
    s = t.server(start=False, data_flag=False)
    cfg = t.config({p: SVC}, cluster='[cluster]\nname = "c"\ndata_dir = "%s"\n'
                   '[[node]]\nname = "local"\n[[node.gpus]]\nvendor = "nvidia"\n'
                   'model = "L4"\n' % s.data)
    s.args = ["--config", cfg.path]
    s.start()
    check(os.path.exists(os.path.join(s.data, "orca.db")), "no orca.db in data_dir " + s.data)
    check(os.path.exists(s.sock), "no socket in data_dir")
    # orca deploy DIR reaches the server through the same data_dir
    r = subprocess.run([ORCA, "deploy", cfg.path], capture_output=True, text=True,
                       env=clean_env(), timeout=240)
    check(r.returncode == 0, "deploy through data_dir: %s %s" % (r.stdout, r.stderr))
    check("warning" not in r.stderr, "data_dir is in effect, yet: " + r.stderr)
    s.wait_service(p, "web", lambda v: v["healthy"] == 1, what="web healthy")
    # [cluster] name and the GPU model are shown by orca nodes
    code, body = s.api("GET", "/api/v1/nodes")
    check(code == 200 and body["cluster"] == "c" and body["nodes"][0]["gpu_models"] == ["L4"],
          "nodes: %r" % body)
    r = s.cli("nodes")
    check(r.returncode == 0 and r.stdout.startswith("cluster c\n") and " 0/1 L4 " in r.stdout,
          "orca nodes: " + r.stdout + r.stderr)
    # $ORCA_DATA chooses before data_dir, and says so (here a directory that
    # cannot be made, so that the server stops at once)
    r = subprocess.run([ORCA, "server", "--config", cfg.path, "--socket",
                        os.path.join(t.base, "x.sock")], capture_output=True, text=True,
                       env=clean_env(ORCA_DATA="/proc/orca-cannot-be-here"), timeout=30)
    check(r.returncode == 1 and "cluster.toml:3:12: warning: [cluster] data_dir has no "
          "effect: $ORCA_DATA (/proc/orca-cannot-be-here) chooses" in r.stderr and
          "directory '/proc/orca-cannot-be-here'" in r.stderr,
          "ORCA_DATA over data_dir: rc %d: %s" % (r.returncode, r.stderr))


def test_deploy_reports_keys_without_effect(t):
    p = t.project("inert")
    cluster = ('[cluster]\nname = "c"\ndomain = "apps.example.test"\n'
               'data_dir = "/srv/orca-elsewhere"\n'
               '[[token]]\nname = "ci"\nrole = "deployer"\n')
    svc = SVC + 'domain = "web.example.test"\n[service.deploy]\nstrategy = "canary"\n'
    cfg = t.config({p: svc}, cluster=cluster)
    s = t.server()
    r = s.cli("deploy", cfg.path)
    check(r.returncode == 0, "deploy: " + r.stdout + r.stderr)
    want = [
        "cluster.toml:4:12: warning: [cluster] data_dir has no effect on this server: it "
        "keeps its state in " + s.data,
        "cluster.toml:5:3: warning: [[token]] has no effect yet",
    ]
    lines = [l for l in r.stderr.splitlines() if "warning:" in l]
    check(len(lines) == len(want) and all(l.startswith(w) for l, w in zip(lines, want)),
          "warnings printed by orca deploy:\n%s" % "\n".join(lines))
    s.wait_service(p, "web", lambda v: v["healthy"] == 1, what="web healthy")
    # the API returns them, on a dry run too; a warning never refuses a deploy
    body = {"dry_run": True, "cluster": {"file": "cluster.toml", "source": cluster},
            "projects": [{"name": p, "source": svc}]}
    code, reply = s.api("POST", "/api/v1/deploy", body)
    check(code == 200, "dry run: %d %s" % (code, reply))
    got = [(w["file"], w["line"], w["col"]) for w in reply["deploy"]["warnings"]]
    check(got == [("cluster.toml", 4, 12), ("cluster.toml", 5, 3)],
          "warnings in the reply: %s" % json.dumps(reply["deploy"]["warnings"]))
    # a project deployed without the cluster file still hears about the one in effect,
    # but not about the other stored projects
    q = t.project("inert2")
    code, reply = s.api("POST", "/api/v1/deploy", {"dry_run": True, "projects": [
        {"name": q, "source": SVC}]})
    files = {w["file"] for w in reply["deploy"]["warnings"]}
    check(code == 200 and files == {"cluster.toml"},
          "warnings without a cluster file: %d %s" % (code, reply))
