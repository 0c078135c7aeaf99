"""The test hosts themselves: what every multi-node test relies on."""
import subprocess

from cluster import check, heal, partition, wait_until


def web(h, name):
    h.docker("run", "-d", "--name", name, "-p", "%s:18080:8080" % h.addr, "orca-example/web:1")
    wait_until(lambda: h.curl("http://%s:18080/healthz" % h.addr, timeout=2)[0] == 200, 20,
               "%s on host %s" % (name, h.name))


def test_hosts_lan_and_partition(c):
    """Hosts reach each other over the LAN; a partition cuts exactly one pair."""
    a, b, cc = c.host("a"), c.host("b"), c.host("c")
    web(b, "hosts-web")
    check(a.curl("http://%s:18080/healthz" % b.addr)[0] == 200, "a cannot reach b")
    partition("c")
    check(cc.curl("http://%s:18080/healthz" % b.addr, timeout=2)[0] == 0,
          "the partition does not cut c from b")
    check(a.curl("http://%s:18080/healthz" % b.addr)[0] == 200, "the partition of c cut a from b")
    heal()
    wait_until(lambda: cc.curl("http://%s:18080/healthz" % b.addr, timeout=2)[0] == 200, 20,
               "c to reach b again after heal")


def test_hosts_engines_apart(c):
    """Each host has its own engine, with the test images, and the machine's is untouched."""
    names = set()
    for h in c.hosts.values():
        info = h.docker("info", "-f", "{{.Name}} {{.DockerRootDir}}").split()
        names.add(info[0])
        check(info[1].startswith("/var/lib/"), "host %s data root %s" % (h.name, info[1]))
        check("orca-test/busybox:1" in h.docker("images", "--format", "{{.Repository}}:{{.Tag}}"),
              "host %s lacks the test images" % h.name)
    check(len(names) == len(c.hosts), "engines are not apart: %s" % names)
    root = subprocess.run(["docker", "info", "-f", "{{.Name}}"], capture_output=True, text=True)
    check(root.stdout.strip() not in names, "a host engine is the machine's own")
    check(a_dockerd_restart(c.host("c")), "host c's dockerd did not come back")


def a_dockerd_restart(h):
    h.dockerd_kill("KILL")
    h.dockerd_start()
    return h.docker("version", "-f", "{{.Server.Version}}").strip() != ""
