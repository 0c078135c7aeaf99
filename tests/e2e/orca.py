"""Fixtures for orca's end-to-end tests: real orca binary, real Docker Engine.

A test gets a `T` (see run.py) and asks it for servers and config
directories; everything it creates is removed when the test ends, whatever
happened: the server is stopped, and the containers, networks and volumes
carrying its orca.instance label or its projects' names are removed.
Nothing here talks to anything but loopback, the Docker socket and the
containers the test created.
"""
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORCA = os.environ.get("ORCA_BIN", os.path.join(ROOT, "build", "orca"))


class Fail(Exception):
    """A test failure with a message worth reading."""


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def unique(prefix):
    return "%s%04x" % (prefix, random.randrange(0x10000))


def docker(*args, check_rc=True, timeout=120):
    p = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check_rc and p.returncode != 0:
        raise Fail("docker %s: %s" % (" ".join(args), p.stderr.strip()))
    return p.stdout


def wait_until(pred, timeout, what, interval=0.1):
    """Polls pred() until it returns a true value; returns that value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = pred()
            if last:
                return last
        except (OSError, ValueError, KeyError, http.client.HTTPException) as e:
            last = e
        time.sleep(interval)
    raise Fail("timed out after %ss waiting for %s (last: %r)" % (timeout, what, last))


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class ConfigDir:
    """A config directory: cluster.toml (optional) and services/<p>/service.toml."""

    def __init__(self, base, projects, cluster=None):
        self.path = tempfile.mkdtemp(prefix="cfg-", dir=base)
        if cluster is not None:
            self.write("cluster.toml", cluster)
        for name, text in projects.items():
            self.set_project(name, text)

    def write(self, rel, text):
        p = os.path.join(self.path, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)

    def set_project(self, name, text):
        self.write(os.path.join("services", name, "service.toml"), text)


class Server:
    """One `orca server` with its own data directory."""

    def __init__(self, base, docker_host=None, args=(), env=None, wrap=(), binary=None,
                 data_flag=True):
        self.dir = tempfile.mkdtemp(prefix="server-", dir=base)
        self.extra_env = dict(env or {})
        self.wrap = list(wrap)           # e.g. setpriv ... to run as another user
        self.binary = binary or ORCA
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.data, "orca.sock")
        self.log = os.path.join(self.dir, "server.log")
        self.docker_host = docker_host
        self.args = list(args)
        self.data_flag = data_flag  # False: the server finds its data directory itself
        self.proc = None
        self.responses = []   # every API reply body this fixture saw

    def env(self):
        env = dict(os.environ, ORCA_SOCKET=self.sock, **self.extra_env)
        if self.docker_host:
            env["DOCKER_HOST"] = self.docker_host
        return env

    def start(self, timeout=20):
        logf = open(self.log, "a")
        data = ["--data", self.data] if self.data_flag else []
        env = self.env()
        if not self.data_flag and "ORCA_DATA" not in self.extra_env:
            env.pop("ORCA_DATA", None)
        self.proc = subprocess.Popen([*self.wrap, self.binary, "server", *data, *self.args],
                                     stdout=logf, stderr=logf, env=env)
        logf.close()

        def up():
            if not self.alive():
                raise Fail("orca server exited %s at start: %s" % (self.proc.returncode,
                                                                   self.log_text()[-2000:]))
            return self.api("GET", "/api/v1/health")[0] == 200

        wait_until(up, timeout, "orca server to answer on " + self.sock)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if not self.alive():
            return None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Fail("orca server did not stop within %ss of signal %d" % (timeout, sig))

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def instance(self):
        with open(os.path.join(self.data, "instance-id")) as f:
            return f.read().strip()

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def cli(self, *args, input=None, timeout=240):
        p = subprocess.run([ORCA, *args], capture_output=True, text=True, input=input,
                           timeout=timeout, env=self.env())
        self.responses.append(p.stdout + p.stderr)
        return p

    def api(self, method, path, body=None, timeout=60):
        conn = UnixHTTPConnection(self.sock, timeout=timeout)
        try:
            data = json.dumps(body) if body is not None else None
            headers = {"Content-Type": "application/json"} if data else {}
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            raw = r.read().decode("utf-8", "replace")
            self.responses.append(raw)
            try:
                return r.status, json.loads(raw) if raw else None
            except ValueError:
                return r.status, raw
        finally:
            conn.close()

    def service(self, project, name):
        code, body = self.api("GET", "/api/v1/projects/%s/services/%s" % (project, name))
        if code != 200:
            return None
        return body["service"]

    def wait_service(self, project, name, pred, timeout=60, what=None):
        return wait_until(lambda: (lambda s: s if s and pred(s) else None)(self.service(project, name)),
                          timeout, what or "%s/%s" % (project, name))

    def containers(self, project=None, all_states=True):
        """Container ids with this server's instance label (and project)."""
        args = ["ps", "-q", "--no-trunc", "--filter", "label=orca.instance=" + self.instance()]
        if all_states:
            args.insert(1, "-a")
        if project:
            args += ["--filter", "label=orca.project=" + project]
        return [c for c in docker(*args).split() if c]


def cleanup_docker(instances, projects):
    for inst in instances:
        ids = docker("ps", "-aq", "--filter", "label=orca.instance=" + inst, check_rc=False).split()
        if ids:
            docker("rm", "-f", "-v", *ids, check_rc=False)
    for p in projects:
        docker("network", "rm", "orca-" + p, check_rc=False)
        vols = docker("volume", "ls", "-q", "--filter", "name=orca_%s_" % p, check_rc=False).split()
        if vols:
            docker("volume", "rm", "-f", *vols, check_rc=False)
    # shared by every orca on this host: removed only when nothing uses it
    docker("network", "rm", "orca-internal", check_rc=False)


def remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)
