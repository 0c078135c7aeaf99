"""Bad input gets a clear error and changes nothing else."""
from orca import check

GOOD = '''
[[service]]
name = "web"
image = "orca-example/web:1"
replicas = 2
port = 8080
health = "/healthz"
'''


def deployed(t):
    p = t.project("bad")
    cfg = t.config({p: GOOD})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "first deploy failed")
    return s, cfg, p, sorted(s.containers(p)), s.service(p, "web")["revision"]


def unchanged(s, p, ids, rev):
    svc = s.service(p, "web")
    check(sorted(s.containers(p)) == ids, "containers changed: %r -> %r" % (ids, s.containers(p)))
    check(svc["revision"] == rev and svc["healthy"] == 2, "service changed: %r" % svc)


def test_invalid_file_changes_nothing(t):
    s, cfg, p, ids, rev = deployed(t)
    cfg.set_project(p, GOOD.replace("replicas = 2", "replica = 3").replace("8080", "70000"))
    r = s.cli("deploy", cfg.path)
    out = r.stdout + r.stderr
    check(r.returncode == 3, "exit %d for an invalid file: %s" % (r.returncode, out))
    check("service.toml:5:1: service 'web': unknown key 'replica' (did you mean 'replicas'?)" in out,
          "no located error: " + out)
    check("must be between 1 and 65535" in out, "second error missing: " + out)
    unchanged(s, p, ids, rev)


def test_invalid_file_sent_to_the_api_changes_nothing(t):
    s, cfg, p, ids, rev = deployed(t)
    code, body = s.api("PUT", "/api/v1/projects/" + p, {"source": GOOD + "\nbogus = 1\n"})
    check(code == 400 and body["error"]["code"] == "invalid_config", "reply %d %r" % (code, body))
    d = body["error"]["details"][0]
    check(d["line"] == 9 and "unknown key 'bogus'" in d["message"], "details %r" % d)
    for bad in ('{"projects": []}', '{"projects": [{"name": 1}]}', '[1,2', '{"x": 1}'):
        code, body = s.api("POST", "/api/v1/deploy", __import__("json").loads(bad)
                           if bad.startswith("{") else None)
        check(code == 400, "malformed deploy %s got %d" % (bad, code))
    unchanged(s, p, ids, rev)


def test_missing_image_changes_nothing(t):
    s, cfg, p, ids, rev = deployed(t)
    cfg.set_project(p, GOOD.replace("orca-example/web:1", "orca-test/nothing-here:9"))
    r = s.cli("deploy", cfg.path)
    out = r.stdout + r.stderr
    check(r.returncode == 1, "exit %d: %s" % (r.returncode, out))
    check("image 'orca-test/nothing-here:9' not found locally and the registry could not be "
          "reached" in out, "reason missing: " + out)
    unchanged(s, p, ids, rev)


def test_unsatisfiable_memory_changes_nothing(t):
    s, cfg, p, ids, rev = deployed(t)
    cfg.set_project(p, GOOD + '\n[service.resources]\nmemory = "900Ti"\n')
    r = s.cli("deploy", cfg.path)
    out = r.stdout + r.stderr
    check(r.returncode == 1, "exit %d: %s" % (r.returncode, out))
    check("memory" in out and "local" in out, "reason missing: " + out)
    unchanged(s, p, ids, rev)


def test_wasm_service_is_refused_with_the_reason(t):
    s, cfg, p, ids, rev = deployed(t)
    cfg.set_project(p, GOOD + '''
[[service]]
name = "edge"
runtime = "wasm"
module = "edge.wasm"
triggers = ["http:/edge/*"]
''')
    r = s.cli("deploy", cfg.path)
    out = r.stdout + r.stderr
    check(r.returncode == 1, "exit %d: %s" % (r.returncode, out))
    check("wasm services do not run yet" in out, "reason missing: " + out)
    unchanged(s, p, ids, rev)
