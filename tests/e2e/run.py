#!/usr/bin/env python3
"""Runs orca's end-to-end tests: every test_* function in tests/e2e/test_*.py.

    python3 tests/e2e/run.py [NAME_SUBSTRING...]

Each test gets a T: servers and config directories made through it are torn
down afterwards (server stopped, its containers, networks and volumes
removed). The last line is "N passed, N failed".
"""
import importlib.util
import os
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import orca  # noqa: E402


class T:
    def __init__(self, name):
        self.name = name
        # short: unix socket paths must fit in 108 bytes
        self.base = tempfile.mkdtemp(prefix="orca-e2e-%s-" % name[5:21])
        self.servers = []
        self.projects = set()
        self.notes = []

    def server(self, start=True, **kw):
        s = orca.Server(self.base, **kw)
        self.servers.append(s)
        return s.start() if start else s

    def config(self, projects, cluster=None):
        self.projects.update(projects)
        return orca.ConfigDir(self.base, projects, cluster)

    def project(self, prefix):
        name = orca.unique(prefix)
        self.projects.add(name)
        return name

    def note(self, msg):
        self.notes.append(msg)

    def sanitizer_reports(self):
        """Stops the servers and returns any sanitizer report in their logs."""
        found = []
        for s in self.servers:
            try:
                s.stop()
            except orca.Fail as e:
                found.append(str(e))
            text = s.log_text() if os.path.exists(s.log) else ""
            for marker in ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer"):
                if marker in text:
                    i = text.index(marker)
                    found.append("%s: %s" % (s.log, text[max(0, i - 200):i + 1500]))
        return found

    def teardown(self, keep):
        instances = []
        for s in self.servers:
            try:
                if s.alive():
                    s.stop()
            except orca.Fail:
                pass
            try:
                instances.append(s.instance())
            except OSError:
                pass
        orca.cleanup_docker(instances, self.projects)
        if not keep:
            orca.remove_tree(self.base)


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
    passed = failed = 0
    for name, fn in discover(sys.argv[1:]):
        t = T(name.split(".")[-1])
        start = time.monotonic()
        ok = False
        try:
            fn(t)
            reports = t.sanitizer_reports()
            if reports:
                raise orca.Fail("sanitizer report:\n" + "\n".join(reports))
            ok = True
        except orca.Fail as e:
            print("FAIL %s: %s" % (name, e))
        except Exception:  # a bug in the test or an unexpected crash
            print("FAIL %s: %s" % (name, traceback.format_exc()))
        secs = time.monotonic() - start
        if ok:
            passed += 1
            print("ok   %s (%.1f s)%s" % (name, secs, "".join("\n     " + n for n in t.notes)))
        else:
            failed += 1
            for s in t.servers:
                print("     server log %s:\n%s" % (s.log, "".join(
                    "       " + l for l in s.log_text().splitlines(True)[-25:])))
        sys.stdout.flush()
        t.teardown(keep=not ok and os.environ.get("ORCA_E2E_KEEP") == "1")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
