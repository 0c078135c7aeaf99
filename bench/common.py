"""Shared bits of the benchmarks: an orca server in a temp dir, docker, time."""
import http.client
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import orca  # noqa: E402,F401
from orca import ConfigDir, Server, cleanup_docker, docker, unique, wait_until  # noqa: E402,F401


def now_ms():
    return time.time() * 1000.0


def stats(xs):
    xs = sorted(xs)
    return {"median": xs[len(xs) // 2], "p90": xs[min(len(xs) - 1, int(len(xs) * 0.9))],
            "max": xs[-1], "n": len(xs)}


class Bench:
    """A temp dir, a server, and cleanup of what they made."""

    def __init__(self, name):
        self.base = tempfile.mkdtemp(prefix="orca-bench-%s-" % name)
        self.projects = set()
        self.server = None

    def start(self):
        self.server = Server(self.base).start()
        return self.server

    def project(self, prefix):
        p = unique(prefix)
        self.projects.add(p)
        return p

    def close(self):
        inst = []
        if self.server:
            self.server.stop()
            inst.append(self.server.instance())
        cleanup_docker(inst, self.projects)
        orca.remove_tree(self.base)


def probe(ip, port=8080, path="/healthz"):
    """One HTTP GET; True on 200."""
    try:
        conn = http.client.HTTPConnection(ip, port, timeout=1)
        conn.request("GET", path)
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False
