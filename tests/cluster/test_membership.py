"""Membership: joining with a token, node certificates, heartbeats, what
`orca nodes` shows, nodes going down and coming back, revocation."""
import os
import shutil
import time

import cluster
from cluster import check, wait_until


def test_join_shows_nodes_with_their_inventory(c):
    s = c.server("a")
    amd = cluster.fake_amd_root(c.base, cards=2)
    nv = cluster.fake_nvidia_root(c.base)
    c.agent("b", s, node="b", labels=["zone=b", "disk=ssd"],
            env={"ORCA_TEST_INVENTORY_ROOT": nv})
    c.agent("c", s, node="c", labels=["zone=c"], env={"ORCA_TEST_INVENTORY_ROOT": amd})
    s.wait_node("b", "ready")
    nodes = s.wait_node("c", "ready") and s.nodes()
    check(list(nodes) == ["a", "b", "c"], "nodes %r" % list(nodes))
    a, b, cc = nodes["a"], nodes["b"], nodes["c"]
    check(a["local"] and a["state"] == "ready" and a["heartbeat_ms_ago"] is None, "a: %r" % a)
    check(b["address"] == "10.99.0.12" and b["labels"] == {"zone": "b", "disk": "ssd"} and
          b["version"] and b["heartbeat_ms_ago"] < 3000, "b: %r" % b)
    check([g["model"] for g in b["detected_gpus"]] == ["NVIDIA L4"] and
          b["detected_gpus"][0]["vendor"] == "nvidia" and b["gpus"] == 1, "b GPUs: %r" % b)
    check([g["vendor"] for g in cc["detected_gpus"]] == ["amd", "amd"] and cc["gpus"] == 2 and
          cc["detected_gpus"][0]["vram_mib"] == 65520, "c GPUs: %r" % cc)
    check(cc["memory_bytes"] > 0 and cc["cpu_millis"] > 0, "c capacity: %r" % cc)
    r = s.cli("nodes")
    lines = r.stdout.splitlines()
    check(r.returncode == 0 and lines[1].split()[:3] == ["NAME", "STATE", "HEARTBEAT"],
          "orca nodes: %s" % r.stdout)
    row = {l.split()[0]: l for l in lines[2:]}
    check(" ready " in row["b"] and "zone=b" in row["b"] and " 0/1 NVIDIA L4 " in row["b"] and
          " 0/2 AMD Instinct MI210,AMD Instinct MI210 " in row["c"], "rows: %s" % r.stdout)
    # heartbeats keep coming, once a second
    time.sleep(2.5)
    check(s.nodes()["b"]["heartbeat_ms_ago"] < 2500, "heartbeat stalled: %r" % s.nodes()["b"])


def _refused(c, s, token, why):
    a = c.agent("b", s, token=token, node="b")
    rc = a.wait_exit(30)
    check(rc == 1 and why in a.log_text(), "expected a refusal (%s), got rc %s: %s" %
          (why, rc, a.log_text()))
    check("b" not in s.nodes(), "a refused node is listed: %r" % s.nodes())


def test_join_with_a_bad_token_is_refused(c):
    s = c.server("a")
    good = s.token()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    _refused(c, s, wrong, "wrong join token")
    short = s.token(ttl=1)
    time.sleep(1.5)
    _refused(c, s, short, "unknown or expired join token")
    _refused(c, s, "orca1-nonsense", "not a join token")
    # a token of another cluster names another CA: the agent does not even
    # send its request to this server
    other = c.server("c")
    _refused(c, s, other.token(), "not the one the token names")
    # the good one still works
    a = c.agent("b", s, token=good, node="b")
    s.wait_node("b", "ready")
    check(a.alive(), "agent with a good token exited: " + a.log_text())


def test_another_nodes_certificate_is_refused(c):
    s = c.server("a")
    b = c.agent("b", s, node="b")
    cc = c.agent("c", s, node="c")
    s.wait_node("b", "ready")
    s.wait_node("c", "ready")
    b.stop()
    cc.stop()
    # b keeps its name but presents c's certificate and key
    for f in ("node.pem", "node.key"):
        shutil.copy(os.path.join(cc.data, f), os.path.join(b.data, f))
    b2 = c.agent("b", data=b.data)
    check(b2.wait_exit(30) == 1 and "presents the certificate of node 'c'" in b2.log_text(),
          "b with c's certificate: " + b2.log_text())
    # all of c's identity, used from host b
    stolen = os.path.join(c.base, "stolen")
    shutil.copytree(cc.data, stolen)
    b3 = c.agent("b", data=stolen)
    check(b3.wait_exit(30) == 1 and "which is not that node's address" in b3.log_text(),
          "c's identity on host b: " + b3.log_text())
    check(s.nodes()["c"]["state"] in ("down", "ready"), "c: %r" % s.nodes()["c"])


def test_node_down_back_and_removed(c):
    s = c.server("a")
    agent = c.agent("c", s, node="c")
    s.wait_node("c", "ready")
    agent.kill9()
    t0 = time.monotonic()
    s.wait_node("c", "down", timeout=20)
    took = time.monotonic() - t0
    check(4.0 <= took <= 12, "down after %.1f s (node_down_after is 5 s)" % took)
    c.note("node down %.1f s after its agent was killed" % took)
    # back without a token: it joined already
    again = c.agent("c", data=agent.data)
    s.wait_node("c", "ready")
    r = s.cli("node", "rm", "c")
    check(r.returncode == 0 and "removed" in r.stdout, "node rm: " + r.stdout + r.stderr)
    check(again.wait_exit(30) == 1 and "shut node 'c' out" in again.log_text(),
          "agent after rm: " + again.log_text())
    check("c" not in s.nodes(), "removed node listed: %r" % s.nodes())
    kinds = [l.split()[3] for l in s.cli("events").stdout.splitlines() if "node." in l]
    check(kinds[:5] == ["node.joined", "node.ready", "node.down", "node.ready", "node.removed"],
          "events: %r" % kinds)
    r = s.cli("node", "rm", "c")
    check(r.returncode == 1 and "no node named 'c'" in r.stderr, "second rm: " + r.stderr)
    r = s.cli("node", "rm", "a")
    check(r.returncode == 1 and "runs the server" in r.stderr, "rm of the server: " + r.stderr)
