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


CLUSTER_PORT = 7443


class Server(orca.Server):
    """`orca server` on a host, listening for agents on ADDR:7443."""

    def __init__(self, host, base, node=None, listen=True, args=(), env=None):
        extra = ["--node", node or host.name]
        if listen:
            extra += ["--cluster-listen", "%s:%d" % (host.addr, CLUSTER_PORT)]
        super().__init__(base, docker_host=host.sock, args=[*extra, *args], env=env,
                         wrap=["nsenter", "--net=" + host.netns, "--"])
        self.host = host

    @property
    def url(self):
        return "https://%s:%d" % (self.host.addr, CLUSTER_PORT)

    def token(self, ttl=None):
        body = {"ttl_ms": int(ttl * 1000)} if ttl else None
        code, reply = self.api("POST", "/api/v1/nodes/token", body)
        check(code == 200, "node token: %s %r" % (code, reply))
        return reply["token"]

    def nodes(self):
        code, reply = self.api("GET", "/api/v1/nodes")
        check(code == 200, "nodes: %s %r" % (code, reply))
        return {n["name"]: n for n in reply["nodes"]}

    def wait_node(self, name, state, timeout=30):
        return wait_until(lambda: (lambda n: n if n and n["state"] == state else None)(
            self.nodes().get(name)), timeout, "node %s %s" % (name, state))

    def log_tail(self, n=25):
        try:
            lines = self.log_text().splitlines(True)[-n:]
        except OSError:
            return "server: no log"
        return "server log %s:\n%s" % (self.log, "".join(lines))


class Agent:
    """`orca agent` on a host."""

    def __init__(self, host, base, server=None, token=None, node=None, labels=(), env=None,
                 data=None, extra=()):
        self.host = host
        self.dir = tempfile.mkdtemp(prefix="agent-%s-" % host.name, dir=base)
        self.data = data or os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "agent.log")
        self.args = ["--data", self.data]
        if server is not None:
            self.args += ["--join", server.url, "--token", token]
        if node:
            self.args += ["--node", node]
        for kv in labels:
            self.args += ["--label", kv]
        self.args += list(extra)
        self.env = dict(os.environ, DOCKER_HOST=host.sock, **(env or {}))
        self.proc = None

    def start(self):
        logf = open(self.log, "a")
        self.proc = subprocess.Popen(self.host.nsenter([orca.ORCA, "agent", *self.args]),
                                     stdout=logf, stderr=logf, env=self.env)
        logf.close()
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if not self.alive():
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Fail("orca agent did not stop within %ss of signal %d" % (timeout, sig))

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Fail("orca agent on %s still runs after %ss" % (self.host.name, timeout))

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def log_tail(self, n=25):
        try:
            lines = self.log_text().splitlines(True)[-n:]
        except OSError:
            return "agent: no log"
        return "agent log %s:\n%s" % (self.log, "".join(lines))


def fake_amd_root(base, cards=1, model="AMD Instinct MI210", vram_mib=65520):
    """A root with /dev/kfd and AMD DRM cards, for ORCA_TEST_INVENTORY_ROOT."""
    root = tempfile.mkdtemp(prefix="root-amd-", dir=base)
    os.makedirs(os.path.join(root, "dev"))
    open(os.path.join(root, "dev", "kfd"), "w").close()
    for i in range(cards):
        d = os.path.join(root, "sys", "class", "drm", "card%d" % i, "device")
        os.makedirs(d)
        for name, text in (("vendor", "0x1002\n"), ("product_name", model + "\n"),
                           ("mem_info_vram_total", "%d\n" % (vram_mib * 1024 * 1024))):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
    return root


def fake_nvidia_root(base, gpus=(("NVIDIA L4", 23034),)):
    """A root with a fake nvidia-smi, for ORCA_TEST_INVENTORY_ROOT."""
    root = tempfile.mkdtemp(prefix="root-nv-", dir=base)
    os.makedirs(os.path.join(root, "usr", "bin"))
    lines = "".join("echo '%s, %d, GPU-%04d'\n" % (m, v, i) for i, (m, v) in enumerate(gpus))
    path = os.path.join(root, "usr", "bin", "nvidia-smi")
    with open(path, "w") as f:
        f.write("#!/bin/sh\ncase \"$1\" in --query-gpu=*) ;; *) exit 2;; esac\n" + lines)
    os.chmod(path, 0o755)
    return root
