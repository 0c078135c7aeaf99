"""Resource limits reach Docker, and GPU services send the exact device
requests: NVIDIA as a device request, AMD as devices plus the host's
video/render group ids. No GPU is on these machines, so the proof is the
create request orca sends, captured by a recording proxy."""
import grp
import os

from dockerproxy import DockerProxy
from orca import check, docker, wait_until


def test_memory_and_cpu_limits_reach_docker(t):
    p = t.project("lim")
    cfg = t.config({p: '''
[[service]]
name = "web"
image = "orca-example/web:1"
port = 8080
health = "/healthz"

[service.resources]
memory = "96Mi"
cpu = 0.25
'''})
    s = t.server()
    check(s.cli("deploy", cfg.path).returncode == 0, "deploy failed")
    c = s.service(p, "web")["replicas"][0]["container"]
    mem, cpus, init = docker("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} "
                             "{{.HostConfig.Init}}", c).split()
    check(mem == str(96 * 1024 * 1024), "memory limit %s" % mem)
    check(cpus == "250000000", "NanoCpus %s" % cpus)
    check(init == "true", "no init process: %s" % init)
    policy = docker("inspect", "-f", "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.LogConfig.Type}} "
                    "{{index .HostConfig.LogConfig.Config \"max-size\"}}", c).split()
    check(policy[0] in ("no", ""), "restart policy %r: orca heals, not Docker" % policy[0])
    check(policy[1] == "json-file" and policy[2], "log rotation: %r" % policy)


GPU_CLUSTER = '''
[[node]]
name = "local"

[[node.gpus]]
vendor = "%s"
count = 2
vram = "24Gi"
'''

GPU_SERVICE = '''
[[service]]
name = "trainer"
image = "orca-test/busybox:1"
command = ["sleep", "3600"]

[service.resources.gpu]
vendor = "%s"
count = 1
vram_min = 16000
'''


def create_body(t, vendor):
    proxy = DockerProxy(os.path.join(t.base, "docker.sock"))
    p = t.project("gpu")
    cfg = t.config({p: GPU_SERVICE % vendor}, cluster=GPU_CLUSTER % vendor)
    s = t.server(docker_host=proxy.url())
    r = s.cli("deploy", cfg.path)
    creates = wait_until(lambda: proxy.find("POST", "/containers/create"), 30,
                         "a container create request")
    proxy.close()
    return creates[0]["body"], r


def test_nvidia_gpu_is_a_device_request(t):
    body, r = create_body(t, "nvidia")
    hc = body["HostConfig"]
    check(hc.get("DeviceRequests") == [{"Driver": "", "Count": 1, "Capabilities": [["gpu"]],
                                        "Options": {}}],
          "DeviceRequests: %r" % hc.get("DeviceRequests"))
    check(not hc.get("Devices"), "NVIDIA service also got devices: %r" % hc.get("Devices"))
    # this machine has no NVIDIA runtime: the deploy must fail and say so
    check(r.returncode != 0, "a GPU deploy succeeded on a machine without GPUs")


def test_amd_gpu_is_devices_and_group_ids(t):
    body, r = create_body(t, "amd")
    hc = body["HostConfig"]
    paths = sorted(d["PathOnHost"] for d in hc.get("Devices") or [])
    check(paths == ["/dev/dri", "/dev/kfd"], "Devices: %r" % hc.get("Devices"))
    for d in hc["Devices"]:
        check(d["PathInContainer"] == d["PathOnHost"] and d["CgroupPermissions"] == "rwm",
              "device %r" % d)
    want = []
    for name in ("video", "render"):
        try:
            want.append(str(grp.getgrnam(name).gr_gid))
        except KeyError:
            pass
    check(sorted(hc.get("GroupAdd") or []) == sorted(want),
          "GroupAdd %r, host groups video/render are %r" % (hc.get("GroupAdd"), want))
    check(not hc.get("DeviceRequests"), "AMD service got a device request")
    check(r.returncode != 0, "an AMD GPU deploy succeeded on a machine without /dev/kfd")


def test_gpu_service_without_a_gpu_node_is_unsatisfiable(t):
    p = t.project("nogpu")
    cfg = t.config({p: GPU_SERVICE % "amd"}, cluster=GPU_CLUSTER % "nvidia")
    s = t.server()
    r = s.cli("deploy", cfg.path)
    out = r.stdout + r.stderr
    check(r.returncode == 1, "exit %d: %s" % (r.returncode, out))
    check("no node has an amd GPU" in out, "reason missing: " + out)
    check(not s.containers(p), "containers were created for an unsatisfiable deploy")
