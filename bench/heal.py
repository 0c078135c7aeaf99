#!/usr/bin/env python3
"""Time from kill -9 of a replica's process to a healthy replacement, for
orca and for Docker's own restart policy (docker run --restart=always plus
the first successful probe), in one run.

    python3 bench/heal.py [KILLS]

Target: orca under 2 s.
"""
import os
import signal
import sys
import time

from common import Bench, ConfigDir, docker, now_ms, probe, stats, wait_until

IMAGE = "orca-example/web:1"




def orca_heal(b, kills):
    s = b.server
    p = b.project("heal")
    cfg = ConfigDir(b.base, {p: '[[service]]\nname = "web"\nimage = "%s"\nreplicas = 3\n'
                                'port = 8080\nhealth = "/healthz"\n' % IMAGE})
    if s.cli("deploy", cfg.path).returncode != 0:
        raise SystemExit("deploy failed")
    out = []
    for _ in range(kills):
        svc = s.service(p, "web")
        victim = svc["replicas"][0]
        pid = int(docker("inspect", "-f", "{{.State.Pid}}", victim["container"]).strip())
        code, ev = s.api("GET", "/api/v1/events?limit=1000")
        after = max([e["id"] for e in ev["events"]] + [0])
        t0 = now_ms()
        os.kill(pid, signal.SIGKILL)

        def healthy_event():
            code, ev = s.api("GET", "/api/v1/events?after=%d&limit=1000" % after)
            hits = [e for e in ev["events"] if e["kind"] == "replica.healthy" and
                    e["service"] == "web" and e["replica"] == victim["index"]]
            return hits[0] if hits else None

        e = wait_until(healthy_event, 30, "replacement healthy", interval=0.02)
        out.append((e["at"] - t0) / 1000.0)
        time.sleep(11)   # a replica that served 10 s is not crash-looping
    return out


def docker_heal(kills):
    net = "bench-heal-net"
    docker("network", "create", net)
    cid = docker("run", "-d", "--init", "--restart=always", "--network", net, IMAGE).strip()
    out = []
    try:
        for _ in range(kills):
            ip = docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                        cid).strip()
            wait_until(lambda: probe(ip), 30, "container up")
            pid = int(docker("inspect", "-f", "{{.State.Pid}}", cid).strip())
            t0 = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            wait_until(lambda: docker("inspect", "-f", "{{.State.Pid}}", cid).strip() not in
                       ("0", str(pid)), 30, "docker to restart it", interval=0.005)
            ip = docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                        cid).strip()
            wait_until(lambda: probe(ip), 30, "restarted container to answer", interval=0.005)
            out.append(time.monotonic() - t0)
            time.sleep(11)   # docker's back-off also resets after 10 s up
    finally:
        docker("rm", "-f", cid)
        docker("network", "rm", net)
    return out


def main():
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    b = Bench("heal")
    try:
        b.start()
        o = stats(orca_heal(b, kills))
        d = stats(docker_heal(kills))
        print("heal after kill -9, %d kills: orca median %.2f s p90 %.2f max %.2f; "
              "docker --restart=always median %.2f s max %.2f" %
              (kills, o["median"], o["p90"], o["max"], d["median"], d["max"]))
        print("heal: orca %.2f s (target < 2 s), orca/docker-restart = %.2f"
              % (o["max"], o["median"] / d["median"]))
    finally:
        b.close()


if __name__ == "__main__":
    main()
