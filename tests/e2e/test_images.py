"""Images by digest: a revision records the registry digest of the image it
runs, and a replacement whose image was removed from the engine (`docker
rmi`, `docker image prune -a`) is pulled again by that digest; when that
fails, status and events say which image and why. An image built here has
no digest: its reference is resolved again and the event says so.

The image disappears while a service is scaled to zero, or between a
replica's death and its replacement: there the control thread is held at
the pause point "image-for" (src/base/testhook.h) while the dead container
is removed and the image deleted."""
import json
import os
import signal

from orca import check, docker, unique, wait_until
from registry import Registry, unique_image
from test_revisions import Hook

SERVICE = '''
[[service]]
name = "web"
image = "%s"
replicas = 1
port = 8080
health = "/healthz"
'''


def events(s, kind):
    code, body = s.api("GET", "/api/v1/events?limit=200")
    return [e for e in body["events"] if e["kind"] == kind]


def hooked(t):
    hooks = os.path.join(t.base, "hooks")
    os.makedirs(hooks, exist_ok=True)
    return t.server(env={"ORCA_TESTHOOK_DIR": hooks}), Hook(hooks, "image-for")


def replace_without_image(s, hook, p, refs):
    """Kills the replica; while the control thread waits to replace it, the
    dead container goes and the image with every name in refs."""
    victim = s.service(p, "web")["replicas"][0]["container"]
    image_id = docker("inspect", "-f", "{{.Image}}", victim).strip()
    hook.arm()
    pid = int(docker("inspect", "-f", "{{.State.Pid}}", victim).strip())
    os.kill(pid, signal.SIGKILL)
    hook.wait("the control thread to reach the replacement")
    wait_until(lambda: not docker("ps", "-aq", "--filter", "id=" + victim).strip(), 30,
               "the dead replica to be removed")
    for ref in refs:
        docker("rmi", ref, check_rc=False)
    check(docker("image", "inspect", image_id, check_rc=False).strip() in ("", "[]"),
          "image %s is still on the engine" % image_id)
    hook.release()
    return victim, image_id


def test_replacement_of_a_removed_image_is_pulled_by_digest(t):
    reg = Registry(t.base)
    name = unique("orca-e2e/dig")
    ref = "%s/%s:1" % (reg.host, name)
    try:
        image_id = unique_image(ref, name)
        docker("push", ref)
        digest_ref = json.loads(docker("image", "inspect", "-f", "{{json .RepoDigests}}", ref))[0]
        check(digest_ref.startswith("%s/%s@sha256:" % (reg.host, name)), digest_ref)
        p = t.project("dig")
        cfg = t.config({p: SERVICE % ref})
        s, hook = hooked(t)
        check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")

        # scaled to zero, the image pruned, scaled up again: pulled by digest
        check(s.cli("scale", p + "/web", "0").returncode == 0, "scale 0 failed")
        wait_until(lambda: not s.containers(p), 60, "no replica left")
        for r in (ref, digest_ref):
            docker("rmi", r, check_rc=False)
        check(docker("image", "inspect", image_id, check_rc=False).strip() in ("", "[]"),
              "image %s is still on the engine" % image_id)
        r = s.cli("scale", p + "/web", "1")
        check(r.returncode == 0, "scale 1 failed: %s" % (r.stdout + r.stderr))
        s.wait_service(p, "web", lambda v: v["healthy"] == 1, timeout=60,
                       what="a replica of a pruned image")
        pulling = events(s, "image.pulling")
        check(any(digest_ref in e["message"] for e in pulling),
              "no pull by digest %s in %r" % (digest_ref, pulling))

        # a killed replica whose image goes before its replacement comes
        victim, _ = replace_without_image(s, hook, p, [ref, digest_ref])
        svc = s.wait_service(p, "web", lambda v: v["healthy"] == 1 and
                             v["replicas"][0]["container"] != victim, timeout=60,
                             what="a replacement pulled again")
        new = svc["replicas"][0]["container"]
        check(docker("inspect", "-f", "{{.Image}}", new).strip() == image_id,
              "the replacement runs another image than its revision")
        check(len(events(s, "image.pulled")) >= 2, "no second image.pulled event")

        # the registry is gone too: the failure names the image and the reason
        reg.stop()
        replace_without_image(s, hook, p, [ref, digest_ref])
        svc = s.wait_service(p, "web", lambda v: "pulling" in v["last_error"], timeout=60,
                             what="the pull failure in status")
        err = svc["last_error"]
        check("image '%s' is gone from the engine and pulling '%s' again failed" % (ref, digest_ref)
              in err, "last_error: %r" % err)
        check("could not be reached" in err, "no reason in %r" % err)
        failed = events(s, "image.pull_failed")
        check(failed and digest_ref in failed[-1]["message"], "events: %r" % failed)
        t.note(err)
    finally:
        reg.stop()
        docker("rmi", "-f", ref, check_rc=False)


def test_image_built_here_is_resolved_again_and_said(t):
    """Scaled to zero, the image removed and its tag rebuilt, scaled up."""
    name = unique("orca-e2e/local")
    ref = name + ":1"
    try:
        first = unique_image(ref, name + "-a")
        p = t.project("loc")
        cfg = t.config({p: SERVICE % ref})
        s = t.server()
        check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")

        victim = s.service(p, "web")["replicas"][0]["container"]
        check(s.cli("scale", p + "/web", "0").returncode == 0, "scale 0 failed")
        wait_until(lambda: not s.containers(p), 60, "no replica left")
        docker("rmi", ref)                       # the recorded id is gone ...
        second = unique_image(ref, name + "-b")  # ... and the tag was rebuilt
        check(first != second, "the rebuild has the same id")
        r = s.cli("scale", p + "/web", "1")
        check(r.returncode == 0, "scale 1 failed: %s" % (r.stdout + r.stderr))
        svc = s.wait_service(p, "web", lambda v: v["healthy"] == 1 and
                             v["replicas"][0]["container"] != victim, timeout=60,
                             what="a replacement from the rebuilt tag")
        got = docker("inspect", "-f", "{{.Image}}", svc["replicas"][0]["container"]).strip()
        check(got == second, "the replacement runs %s, not the rebuilt %s" % (got, second))
        said = events(s, "image.resolved")
        check(said and ref in said[-1]["message"] and second[:19] in said[-1]["message"],
              "events: %r" % said)
        t.note(said[-1]["message"])
    finally:
        docker("rmi", "-f", ref, check_rc=False)
