"""Docker Engine API versions: orca speaks the newest version both sides
know, and names both versions when they have none in common. The machine
runs Docker 20.10 (API 1.41); a recording proxy pretends to be Docker 29,
which accepts API 1.44 and newer only, and forwards everything else to the
real engine under its own version."""
import os
import re

from dockerproxy import DockerProxy
from orca import Fail, check, wait_until

DOCKER_29 = {"ApiVersion": "1.52", "MinAPIVersion": "1.44", "Version": "29.0.4"}

WEB = '''
[[service]]
name = "web"
image = "orca-example/web:1"
replicas = 2
port = 8080
health = "/healthz"
'''


def test_docker_29_is_spoken_to_in_api_1_52(t):
    proxy = DockerProxy(os.path.join(t.base, "d29.sock"), pretend=DOCKER_29)
    p = t.project("d29")
    cfg = t.config({p: WEB})
    s = t.server(docker_host=proxy.url())
    code, health = s.api("GET", "/api/v1/health")
    check(code == 200 and health["docker"] == "29.0.4", "health: %r" % (health,))
    r = s.cli("deploy", cfg.path)
    check(r.returncode == 0, "deploy through Docker 29 failed: %s" % (r.stdout + r.stderr))
    s.wait_service(p, "web", lambda v: v["healthy"] == 2, timeout=60, what="2 healthy replicas")

    paths = proxy.paths()
    versioned = [x for x in paths if re.match(r"/v\d", x)]
    wrong = [x for x in versioned if not x.startswith("/v1.52/")]
    check(not wrong, "paths not in API 1.52: %r" % wrong[:5])
    for need in ("/containers/create", "/containers/json", "/networks/", "/events",
                 "/images/orca-example%2Fweb%3A1/json"):
        check(any(need in x for x in versioned), "orca never asked %s: %r" % (need, paths[:40]))
    nets = [r for r in proxy.find("POST", "/networks/create")]
    check(nets and all("CheckDuplicate" not in r["body"] for r in nets),
          "CheckDuplicate sent to API 1.52: %r" % nets)
    t.note("%d requests, all versioned ones under /v1.52/" % len(paths))


def test_engine_newer_than_orca_knows_is_refused_naming_both(t):
    proxy = DockerProxy(os.path.join(t.base, "d99.sock"),
                        pretend={"ApiVersion": "1.70", "MinAPIVersion": "1.60", "Version": "99.0.0"})
    s = t.server(start=False, docker_host=proxy.url())
    try:
        s.start(timeout=10)
        raise Fail("orca server started on an engine that refuses every API it knows")
    except Fail as e:
        if "exited" not in str(e):
            raise
    log = s.log_text()
    check("requires API 1.60 or newer" in log and "orca has been checked against API 1.55" in log,
          "no sentence naming both versions: %s" % log[-800:])
    check("docker 99.0.0 at %s" % proxy.path in log, "the engine is not named: %s" % log[-800:])
