#!/usr/bin/env python3
"""Runs orca's multi-node tests: every test_* function in tests/cluster/test_*.py.

    python3 tests/cluster/run.py [NAME_SUBSTRING...]

The hosts (tests/cluster/hosts.sh) are brought up once for the whole run and
taken down at the end (ORCA_TC_KEEP=1 keeps them, for a look). Between tests
every host is reset: orca's processes stopped, containers, swarm membership,
networks and volumes removed. The last line is "N passed, N failed".
"""
import importlib.util
import os
import shutil
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cluster  # noqa: E402


class C:
    """What a test gets: the hosts, and processes that are cleaned up after it."""

    def __init__(self, name, hosts):
        self.name = name
        self.hosts = {h.name: h for h in hosts}
        self.base = tempfile.mkdtemp(prefix="orca-tc-%s-" % name[5:21])
        self.procs = []   # objects with stop() and log_tail()
        self.notes = []

    def host(self, name):
        return self.hosts[name]

    def track(self, proc):
        self.procs.append(proc)
        return proc

    def note(self, msg):
        self.notes.append(msg)

    def server(self, host="a", start=True, **kw):
        s = self.track(cluster.Server(self.hosts[host], self.base, **kw))
        return s.start() if start else s

    def agent(self, host, server=None, start=True, token=None, **kw):
        if server is not None and token is None:
            token = server.token()
        a = self.track(cluster.Agent(self.hosts[host], self.base, server=server, token=token,
                                     **kw))
        return a.start() if start else a

    def sanitizer_reports(self):
        """Stops the processes and returns any sanitizer report in their logs."""
        found = []
        for p in reversed(self.procs):
            try:
                p.stop()
            except Exception as e:
                found.append(str(e))
            try:
                text = p.log_text()
            except OSError:
                continue
            for marker in ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer"):
                if marker in text:
                    i = text.index(marker)
                    found.append("%s: %s" % (p.log, text[max(0, i - 200):i + 1500]))
        return found

    def teardown(self, keep):
        for p in reversed(self.procs):
            try:
                p.stop()
            except Exception as e:  # keep tearing down
                print("     teardown: %s" % e)
        cluster.heal()
        for h in self.hosts.values():
            try:
                h.reset()
            except Exception as e:
                print("     reset of host %s: %s" % (h.name, e))
        if not keep:
            shutil.rmtree(self.base, ignore_errors=True)


def discover(filters):
    tests = []
    for fn in sorted(os.listdir(HERE)):
        if not (fn.startswith("test_") and fn.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(fn[:-3], os.path.join(HERE, fn))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name in sorted(vars(mod)):
            if name.startswith("test_") and callable(getattr(mod, name)):
                full = "%s.%s" % (fn[:-3], name)
                if not filters or any(f in full for f in filters):
                    tests.append((full, getattr(mod, name)))
    return tests


def main():
    if os.geteuid() != 0:
        print("tests/cluster needs root (network namespaces, dockerd)")
        print("0 passed, 1 failed")
        return 1
    tests = discover(sys.argv[1:])
    passed = failed = 0
    keep = os.environ.get("ORCA_TC_KEEP") == "1"
    t0 = time.monotonic()
    try:
        hosts = cluster.up(3)
    except cluster.Fail as e:
        print("FAIL hosts up: %s" % e)
        print("0 passed, 1 failed")
        return 1
    for h in hosts:   # whatever an earlier run left behind
        h.reset()
    print("hosts up in %.1f s" % (time.monotonic() - t0))
    try:
        for name, fn in tests:
            c = C(name.split(".")[-1], hosts)
            start = time.monotonic()
            ok = False
            try:
                fn(c)
                reports = c.sanitizer_reports()
                if reports:
                    raise cluster.Fail("sanitizer report:\n" + "\n".join(reports))
                ok = True
            except cluster.Fail as e:
                print("FAIL %s: %s" % (name, e))
            except Exception:
                print("FAIL %s: %s" % (name, traceback.format_exc()))
            secs = time.monotonic() - start
            if ok:
                passed += 1
                print("ok   %s (%.1f s)%s" % (name, secs, "".join("\n     " + n for n in c.notes)))
            else:
                failed += 1
                for p in c.procs:
                    print("     %s" % p.log_tail().replace("\n", "\n       "))
            sys.stdout.flush()
            c.teardown(keep=not ok and keep)
    finally:
        if not keep:
            cluster.down()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
