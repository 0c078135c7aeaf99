#!/usr/bin/env python3
"""Time from `orca deploy` to N healthy replicas, against the same N plain
`docker run -d` plus the first successful HTTP probe of each, in one run.

    python3 bench/deploy.py [REPLICAS] [ROUNDS]

Target: orca's overhead under 50% (ratio < 1.5).
"""
import sys
import time

from common import Bench, ConfigDir, docker, probe, stats, wait_until

IMAGE = "orca-example/web:1"




def plain_docker(n, tag):
    net = "bench-net-" + tag
    docker("network", "create", net)
    start = time.monotonic()
    ids = [docker("run", "-d", "--init", "--network", net, "--name", "bench-%s-%d" % (tag, i),
                  IMAGE).strip() for i in range(n)]
    for cid in ids:
        ip = docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                    cid).strip()
        wait_until(lambda: probe(ip), 30, "plain container to answer", interval=0.005)
    took = time.monotonic() - start
    docker("rm", "-f", *ids)
    docker("network", "rm", net)
    return took


def orca_deploy(b, n):
    s = b.server
    p = b.project("bench")
    cfg = ConfigDir(b.base, {p: '[[service]]\nname = "web"\nimage = "%s"\nreplicas = %d\n'
                                'port = 8080\nhealth = "/healthz"\n' % (IMAGE, n)})
    start = time.monotonic()
    r = s.cli("deploy", cfg.path)
    took = time.monotonic() - start
    if r.returncode != 0:
        raise SystemExit("deploy failed: " + r.stdout + r.stderr)
    svc = s.service(p, "web")
    assert svc["healthy"] == n, svc
    s.cli("stop", "--project", p)
    wait_until(lambda: not s.containers(p), 60, "containers removed")
    return took


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    b = Bench("deploy")
    try:
        b.start()
        o, d = [], []
        for i in range(rounds):
            d.append(plain_docker(n, "%d" % i))
            o.append(orca_deploy(b, n))
        so, sd = stats(o), stats(d)
        print("deploy %d replicas, %d rounds: orca median %.2f s (max %.2f), docker run + probe "
              "median %.2f s (max %.2f)" % (n, rounds, so["median"], so["max"], sd["median"], sd["max"]))
        print("deploy: orca/docker = %.2f (target < 1.50, overhead %+.0f%%)"
              % (so["median"] / sd["median"], (so["median"] / sd["median"] - 1) * 100))
    finally:
        b.close()


if __name__ == "__main__":
    main()
