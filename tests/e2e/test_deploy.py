"""Two projects deploy; names resolve inside a project, internal services
across projects, and nothing else crosses."""
from orca import Fail, check, docker


def web_and_db(internal_name, internal_project):
    return '''
[[service]]
name = "web"
image = "orca-example/web:1"
replicas = 3
port = 8080
health = "/healthz"

[[service]]
name = "db"
image = "orca-example/db:1"
port = 5432
aliases = ["database"]
'''


def other_project(internal_name):
    return '''
[[service]]
name = "%s"
image = "orca-example/api:1"
port = 8080
internal = true
health = "/healthz"

[[service]]
name = "private"
image = "orca-example/api:1"
port = 8080
''' % internal_name


def probe(container, *args):
    r = docker("exec", container, "orca-probe", *args, check_rc=False)
    return r


def probe_rc(container, *args):
    import subprocess
    p = subprocess.run(["docker", "exec", container, "orca-probe", *args],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def test_two_projects_names_and_isolation(t):
    shop, other = t.project("shop"), t.project("other")
    svc = "inv" + other[-4:]            # internal names are cluster-wide
    cfg = t.config({shop: web_and_db(svc, other), other: other_project(svc)})
    s = t.server()
    r = s.cli("deploy", cfg.path)
    check(r.returncode == 0, "deploy failed (%d): %s%s" % (r.returncode, r.stdout, r.stderr))
    web = s.service(shop, "web")
    check((web["desired"], web["running"], web["healthy"]) == (3, 3, 3),
          "status of web: %r" % {k: web[k] for k in ("desired", "running", "healthy")})
    check(all(x["health"] == "healthy" and x["last_probe"]["ok"] for x in web["replicas"]),
          "replicas without a passing probe: %r" % web["replicas"])
    c = web["replicas"][0]["container"]
    for target in ("db", "database"):
        rc, out = probe_rc(c, "tcp", target, "5432", "3")
        check(rc == 0, "web cannot reach %s:5432 in its project: %s" % (target, out))
    rc, out = probe_rc(c, "get", "http://%s:8080/healthz" % svc, "3")
    check(rc == 0, "web cannot reach internal service %s of %s: %s" % (svc, other, out))
    rc, out = probe_rc(c, "get", "http://%s.%s:8080/healthz" % (svc, other), "3")
    check(rc == 0, "web cannot reach %s.%s by its qualified name: %s" % (svc, other, out))
    priv = s.service(other, "private")["replicas"][0]
    rc, out = probe_rc(c, "tcp", "private", "8080", "2")
    check(rc != 0, "a non-internal service of another project resolved by name: %s" % out)
    rc, out = probe_rc(c, "tcp", priv["ip"], "8080", "2")
    check(rc != 0, "a non-internal service of another project is reachable at %s: %s"
          % (priv["ip"], out))
    # the labels and names Docker shows
    labels = docker("inspect", "-f", "{{json .Config.Labels}}", c)
    for key in ("orca.managed", "orca.project", "orca.service", "orca.replica", "orca.revision"):
        check(key in labels, "container lacks label %s: %s" % (key, labels))
    ports = docker("inspect", "-f", "{{json .HostConfig.PortBindings}}", c).strip()
    check(ports in ("{}", "null"), "a host port was published without being asked: " + ports)


def test_redeploy_same_files_changes_nothing(t):
    p = t.project("same")
    cfg = t.config({p: '[[service]]\nname = "web"\nimage = "orca-example/web:1"\nport = 8080\n'
                       'health = "/healthz"\nreplicas = 2\n'})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "first deploy failed")
    before = sorted(s.containers(p))
    r = s.cli("deploy", cfg.path)
    check(r.returncode == 0, "second deploy failed: " + r.stdout + r.stderr)
    check(sorted(s.containers(p)) == before, "an identical deploy replaced containers")


def test_service_dropped_from_the_file_is_removed(t):
    p = t.project("drop")
    two = ('[[service]]\nname = "a"\nimage = "orca-example/web:1"\nport = 8080\n\n'
           '[[service]]\nname = "b"\nimage = "orca-example/web:1"\nport = 8080\n')
    cfg = t.config({p: two})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "first deploy failed")
    b = s.service(p, "b")["replicas"][0]["container"]
    cfg.set_project(p, two.split("\n\n")[0] + "\n")
    r = s.cli("deploy", cfg.path)
    check(r.returncode == 0 and any(l.split()[:2] == [p + "/b", "remove"]
                                    for l in r.stdout.splitlines() if l.strip()),
          "deploy did not announce the removal: " + r.stdout + r.stderr)
    from orca import wait_until
    wait_until(lambda: b not in s.containers(p), 20, "b's container to go")
    wait_until(lambda: s.service(p, "b") is None, 20, "b to leave the status")
    check(len(s.containers(p)) == 1, "containers left: %r" % s.containers(p))
