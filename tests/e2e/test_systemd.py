"""orca server under systemd, with contrib/orca.service as `make install`
installs it: hardened, the master key handed over by LoadCredential, JSON
lines in the journal, reload and stop.

This machine's PID 1 is not systemd, so the test boots one in a container
(orca-test/systemd, made here from the host's own /usr and a minimal /etc
that masks every unit that would touch the host: udev, sysctl, modules,
clock). The container shares the host's network, so the server inside
probes replicas as it would on the host, and it talks to the host's Docker
Engine through its socket. `/` is made shared before systemd starts: systemd
moves each service's credentials mount under /run, which needs it.
"""
import hashlib
import json
import os
import subprocess
import tempfile
import time

import orca
from orca import ORCA, ROOT, check, docker, wait_until

MASKED = [
    "systemd-sysctl.service", "systemd-udevd.service", "systemd-udev-trigger.service",
    "systemd-udevd-control.socket", "systemd-udevd-kernel.socket",
    "systemd-modules-load.service", "systemd-binfmt.service",
    "proc-sys-fs-binfmt_misc.automount", "proc-sys-fs-binfmt_misc.mount",
    "systemd-remount-fs.service", "systemd-timesyncd.service", "systemd-pstore.service",
    "getty.target", "console-getty.service", "systemd-logind.service",
    "sys-kernel-debug.mount", "sys-kernel-tracing.mount", "sys-kernel-config.mount",
    "sys-fs-fuse-connections.mount", "dev-hugepages.mount", "dev-mqueue.mount",
    "systemd-hwdb-update.service", "systemd-firstboot.service",
    "systemd-random-seed.service", "systemd-update-utmp.service",
    "systemd-journal-flush.service", "e2scrub_reap.service",
    "systemd-tmpfiles-clean.timer", "apt-daily.timer", "apt-daily-upgrade.timer",
]
SYSTEMD = "/lib/systemd/systemd"

WEB = '''
[[service]]
name = "web"
image = "orca-example/web:1"
replicas = 2
port = 8080
health = "/healthz"
env = { TOKEN = "${secrets.TOKEN}" }
'''


def systemd_image():
    """orca-test/systemd:<rev>: empty apart from /etc; /usr comes from the host."""
    rev = hashlib.sha256(("\n".join(MASKED) + "1").encode()).hexdigest()[:12]
    tag = "orca-test/systemd:" + rev
    if docker("images", "-q", tag).strip():
        return tag
    with tempfile.TemporaryDirectory() as root:
        for d in ("etc/systemd/system", "run", "tmp", "var/lib", "var/log", "proc", "sys",
                  "dev", "root", "usr"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        for link, target in (("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"),
                             ("lib64", "usr/lib64")):
            os.symlink(target, os.path.join(root, link))
        for f in ("passwd", "group", "nsswitch.conf"):
            with open("/etc/" + f) as src, open(os.path.join(root, "etc", f), "w") as dst:
                dst.write(src.read())
        os.symlink("../usr/lib/os-release", os.path.join(root, "etc/os-release"))
        open(os.path.join(root, "etc/machine-id"), "w").close()
        units = os.path.join(root, "etc/systemd/system")
        for u in MASKED:
            os.symlink("/dev/null", os.path.join(units, u))
        os.symlink("/usr/lib/systemd/system/multi-user.target",
                   os.path.join(units, "default.target"))
        tar = subprocess.run(["tar", "-C", root, "-c", "."], capture_output=True, check=True)
        p = subprocess.run(["docker", "import", "-c", "ENV container=docker",
                            "-c", "LABEL orca.test=1", "-", tag], input=tar.stdout,
                           capture_output=True)
        check(p.returncode == 0, "docker import: %s" % p.stderr.decode())
    return tag


def is_san():
    return os.path.realpath(ORCA) == os.path.realpath(os.path.join(ROOT, "build/san/orca"))


def make_install(dest):
    args = ["make", "-s", "-C", ROOT, "install", "DESTDIR=" + dest, "PREFIX=/usr/local"]
    if is_san():
        args.append("SAN=1")
    elif os.path.realpath(ORCA) != os.path.realpath(os.path.join(ROOT, "build/orca")):
        raise orca.Fail("ORCA_BIN %s is not a build of this tree: make install cannot "
                        "install it" % ORCA)
    p = subprocess.run(args, capture_output=True, text=True, timeout=600)
    check(p.returncode == 0, "make install: %s%s" % (p.stdout, p.stderr))


class Box:
    """A systemd container: run commands in it."""

    def __init__(self, name):
        self.name = name

    def sh(self, script, check_rc=True, timeout=60):
        p = subprocess.run(["docker", "exec", self.name, "sh", "-c", script],
                           capture_output=True, text=True, timeout=timeout)
        if check_rc and p.returncode != 0:
            raise orca.Fail("in %s: %s: %s%s" % (self.name, script, p.stdout, p.stderr))
        return p.stdout.strip()


def proc_status(box, field):
    pid = box.sh("systemctl show -p MainPID --value orca")
    line = box.sh("grep '^%s:' /proc/%s/status" % (field, pid))
    return line.split(":", 1)[1].strip()


def test_server_runs_under_the_hardened_systemd_unit(t):
    check(os.path.exists(SYSTEMD), "%s is missing: scripts/setup installs systemd" % SYSTEMD)
    unit = os.path.join(ROOT, "contrib/orca.service")
    p = subprocess.run(["systemd-analyze", "security", "--offline=true", "--threshold=30",
                        unit], capture_output=True, text=True)
    check(p.returncode == 0, "systemd-analyze security: exposure above 3.0:\n%s" %
          p.stdout[-1500:])
    dest = os.path.join(t.base, "install")
    make_install(dest)
    installed = os.path.join(dest, "usr/local/lib/systemd/system/orca.service")
    check(os.path.exists(os.path.join(dest, "usr/local/bin/orca")) and os.path.exists(installed),
          "make install did not install the binary and the unit")

    state = os.path.join(t.base, "state")
    os.makedirs(state)
    name = orca.unique("orca-systemd-")
    project = t.project("sd")
    box = Box(name)
    docker("run", "-d", "--name", name, "--label", "orca.test=1",
           "--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined",
           "--security-opt", "apparmor=unconfined", "--network", "host", "--tmpfs", "/tmp",
           "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "-v", "/usr:/usr:ro",
           "-v", os.path.join(dest, "usr/local") + ":/usr/local:ro",
           "-v", state + ":/var/lib/orca", "-v", "/var/run/docker.sock:/var/run/docker.sock",
           "--entrypoint", "/bin/sh", systemd_image(), "-c",
           "mount --make-rshared / && exec " + SYSTEMD)
    instance = None
    try:
        wait_until(lambda: box.sh("systemctl is-system-running", check_rc=False)
                   in ("running", "degraded"), 60, "systemd in %s to boot" % name)
        if is_san():
            # LeakSanitizer stops the world with ptrace, which the unit's
            # system call filter and PR_SET_DUMPABLE 0 forbid; ASan and
            # UBSan still check everything else
            box.sh("mkdir -p /etc/systemd/system/orca.service.d && printf '[Service]\\n"
                   "Environment=ASAN_OPTIONS=detect_leaks=0\\n' "
                   "> /etc/systemd/system/orca.service.d/san.conf")
        box.sh("install -d -m 0700 /etc/orca && head -c 32 /dev/urandom > /etc/orca/master.key"
               " && chmod 0600 /etc/orca/master.key && systemctl daemon-reload"
               " && systemctl start orca")
        s = orca.Server(t.base)
        s.data, s.sock = state, os.path.join(state, "orca.sock")
        wait_until(lambda: s.api("GET", "/api/v1/health")[0] == 200, 30,
                   "orca under systemd to answer")
        instance = open(os.path.join(state, "instance-id")).read().strip()
        check(box.sh("systemctl is-active orca") == "active", "orca is not active")
        verify = box.sh("systemd-analyze verify --man=no orca.service 2>&1", check_rc=False)
        check(verify == "", "systemd-analyze verify: %s" % verify)
        check(proc_status(box, "NoNewPrivs") == "1", "NoNewPrivs is off")
        check(proc_status(box, "Seccomp") == "2", "no system call filter")
        check(proc_status(box, "CapBnd") == "0000000000000400",
              "capabilities beyond CAP_NET_BIND_SERVICE: %s" % proc_status(box, "CapBnd"))
        check(not os.path.exists(os.path.join(state, "master.key")),
              "the master key was made in the state directory, not read from the credential")

        r = s.cli("secrets", "set", "--project", project, "TOKEN", "from-the-credential")
        check(r.returncode == 0, "secrets set: %s%s" % (r.stdout, r.stderr))
        cfg = t.config({project: WEB})
        r = s.cli("deploy", cfg.path)
        check(r.returncode == 0, "deploy under systemd: %s%s" % (r.stdout, r.stderr))
        svc = s.service(project, "web")
        check(svc["healthy"] == 2, "replicas not healthy: %r" % svc)
        env = docker("inspect", "-f", "{{json .Config.Env}}", svc["replicas"][0]["container"])
        check('"TOKEN=from-the-credential"' in env, "the secret did not reach the container")

        box.sh("systemctl reload orca")
        time.sleep(0.5)
        check(box.sh("systemctl is-active orca") == "active", "reload stopped orca")
        lines = [json.loads(x) for x in box.sh("journalctl -u orca -o cat _COMM=orca").splitlines()
                 if x.startswith("{")]
        check(any(x["msg"].startswith("serving the API") for x in lines) and
              any("SIGHUP" in x["msg"] for x in lines) and
              any(x.get("kind") == "replica.healthy" for x in lines),
              "journal lines: %r" % lines[-5:])

        box.sh("systemctl stop orca")
        check(box.sh("systemctl show -p Result --value orca") == "success",
              "orca did not stop cleanly: %s" % box.sh("journalctl -u orca -o cat | tail -40"))
        running = docker("ps", "-q", "--filter", "label=orca.instance=" + instance).split()
        check(len(running) == 2, "stopping orca stopped the workloads: %r" % running)
        t.note("orca ran under systemd with NoNewPrivs, seccomp and CapBnd=NET_BIND_SERVICE")
    finally:
        docker("rm", "-f", name, check_rc=False)
        if instance:
            orca.cleanup_docker([instance], [project])
