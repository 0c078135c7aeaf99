"""Fixtures for orca's multi-node tests: hosts made by hosts.sh, real orca.

A test gets a `C` (see run.py). Hosts are network namespaces with their own
dockerd (tests/cluster/hosts.sh); orca servers and agents run inside them
with `nsenter --net=`, each talking to its host's engine. Nothing here sends
traffic to the hosts' LAN addresses from the root namespace: probes run in a
host's namespace (Host.sh, Host.curl) or in containers.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
import orca  # noqa: E402  (the e2e fixtures: Fail, check, wait_until, Server)

HOSTS_SH = os.path.join(HERE, "hosts.sh")
PREFIX = os.environ.get("ORCA_TC", "orcatc")
Fail = orca.Fail
check = orca.check
wait_until = orca.wait_until


def hosts_sh(*args, timeout=300, check_rc=True):
    p = subprocess.run([HOSTS_SH, *args], capture_output=True, text=True, timeout=timeout)
    if check_rc and p.returncode != 0:
        raise Fail("hosts.sh %s: %s%s" % (" ".join(args), p.stdout, p.stderr))
    return p.stdout


class Host:
    """One host: a network namespace with its own dockerd."""

    def __init__(self, name):
        self.name = name
        self.addr = "10.99.0.%d" % (10 + "abcde".index(name) + 1)
        self.sock = "unix:///run/%s/%s/docker.sock" % (PREFIX, name)
        self.netns = "/run/netns/%s-%s" % (PREFIX, name)

    def docker(self, *args, check_rc=True, timeout=120):
        p = subprocess.run(["docker", "-H", self.sock, *args], capture_output=True, text=True,
                           timeout=timeout)
        if check_rc and p.returncode != 0:
            raise Fail("docker -H %s %s: %s" % (self.name, " ".join(args), p.stderr.strip()))
        return p.stdout

    def nsenter(self, argv):
        return ["nsenter", "--net=" + self.netns, "--", *argv]

    def sh(self, *argv, timeout=30, input=None):
        """Runs argv in this host's network namespace."""
        return subprocess.run(self.nsenter(list(argv)), capture_output=True, text=True,
                              timeout=timeout, input=input)

    def curl(self, url, *extra, timeout=10):
        """(status, body) of a GET from this host's namespace; status 0 when no answer."""
        p = self.sh("curl", "-s", "-m", str(timeout), "-o", "-", "-w", "\n%{http_code}", *extra,
                    url, timeout=timeout + 5)
        body, _, code = p.stdout.rpartition("\n")
        try:
            return int(code), body
        except ValueError:
            return 0, p.stdout + p.stderr

    def containers(self, *filters, all_states=True):
        args = ["ps", "-q", "--no-trunc"] + (["-a"] if all_states else [])
        for f in filters:
            args += ["--filter", f]
        return [c for c in self.docker(*args).split() if c]

    def dockerd_kill(self, sig="KILL"):
        hosts_sh("dkill", self.name, sig)

    def dockerd_start(self):
        hosts_sh("dstart", self.name)

    def reset(self):
        """Leaves the host as hosts.sh made it: no containers, swarm, networks, volumes."""
        if subprocess.run(["docker", "-H", self.sock, "version"], capture_output=True,
                          timeout=30).returncode != 0:
            self.dockerd_start()
        ids = self.containers()
        if ids:
            self.docker("rm", "-f", "-v", *ids, check_rc=False, timeout=180)
        self.docker("swarm", "leave", "--force", check_rc=False)
        nets = [n for n in self.docker("network", "ls", "--format", "{{.Name}}").split()
                if n not in ("bridge", "host", "none", "docker_gwbridge", "ingress")]
        if nets:
            self.docker("network", "rm", *nets, check_rc=False)
        vols = self.docker("volume", "ls", "-q").split()
        if vols:
            self.docker("volume", "rm", "-f", *vols, check_rc=False)


def up(count=3):
    hosts_sh("up", str(count))
    return [Host(n) for n in "abcde"[:count]]


def down():
    hosts_sh("down")


def partition(x, y=None):
    hosts_sh("partition", x, *([y] if y else []))


def heal():
    hosts_sh("heal")
