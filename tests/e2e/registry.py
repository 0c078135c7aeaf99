"""A local image registry for tests: Debian's docker-registry, started on
127.0.0.1:<free port> with its storage in the test's directory, stopped by
its PID. Docker treats 127.0.0.1 registries as insecure-OK, so plain HTTP
works without daemon configuration.

Also StallRegistry: a stand-in that answers the /v2/ ping and then accepts
every other request and never answers it, like a registry that hangs.
"""
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request

from orca import Fail, docker, wait_until

BINARY = shutil.which("docker-registry") or "/usr/bin/docker-registry"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Registry:
    def __init__(self, base):
        if not os.path.exists(BINARY):
            raise Fail("docker-registry is not installed (scripts/setup installs it)")
        self.dir = os.path.join(base, "registry")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.host = "127.0.0.1:%d" % self.port
        self.config = os.path.join(self.dir, "config.yml")
        with open(self.config, "w") as f:
            f.write("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
                    "    rootdirectory: %s\nhttp:\n  addr: %s\n" %
                    (os.path.join(self.dir, "data"), self.host))
        self.proc = None
        self.start()

    def start(self):
        log = open(os.path.join(self.dir, "registry.log"), "a")
        self.proc = subprocess.Popen([BINARY, "serve", self.config], stdout=log, stderr=log)
        log.close()

        def up():
            if self.proc.poll() is not None:
                raise Fail("docker-registry exited %s" % self.proc.returncode)
            with urllib.request.urlopen("http://%s/v2/" % self.host, timeout=2) as r:
                return r.status == 200
        wait_until(up, 20, "the registry on " + self.host)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def unique_image(ref, label):
    """Builds ref FROM orca-example/web:1 with a label of its own, so that its
    image id is shared with no other tag; returns the image id."""
    p = subprocess.run(["docker", "build", "-q", "-t", ref, "-"], input="FROM orca-example/web:1\n"
                       "LABEL orca.test=1 orca.test.unique=%s\n" % label, text=True,
                       capture_output=True, env=dict(os.environ, DOCKER_BUILDKIT="0"), timeout=120)
    if p.returncode != 0:
        raise Fail("docker build %s: %s" % (ref, p.stderr.strip()))
    return docker("image", "inspect", "-f", "{{.Id}}", ref).strip()


class StallRegistry:
    """Answers GET /v2/ like a registry, then holds every other request open
    without a byte of answer until stop()."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.host = "127.0.0.1:%d" % self.sock.getsockname()[1]
        self.held = []
        self.seen = []
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        buf = b""
        try:
            while True:
                data = c.recv(65536)
                if not data:
                    return
                if not buf and data[:1] == b"\x16":
                    c.close()          # TLS first: Docker then falls back to HTTP
                    return
                buf += data
                while b"\r\n\r\n" in buf:
                    head, buf = buf.split(b"\r\n\r\n", 1)
                    line = head.split(b"\r\n")[0].decode("latin-1")
                    self.seen.append(line)
                    if line.split(" ")[1] != "/v2/":
                        self.held.append(c)
                        return
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                              b"Docker-Distribution-API-Version: registry/2.0\r\n"
                              b"Content-Length: 2\r\n\r\n{}")
        except OSError:
            return

    def stop(self):
        self.stopped = True
        self.sock.close()
        for c in self.held:
            try:
                c.close()
            except OSError:
                pass
