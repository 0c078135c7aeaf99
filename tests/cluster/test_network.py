"""The cluster network: Docker's swarm mode under several nodes, formed by
orca itself, with three managers once there are three nodes."""
import cluster
from cluster import check, wait_until


def test_swarm_forms_with_three_managers(c):
    s = c.server("a")
    c.agent("b", s, node="b")
    c.agent("c", s, node="c")
    nodes = wait_until(lambda: (lambda n: n if all(n[x]["swarm"] == "manager" for x in "abc")
                                else None)(s.nodes()), 60, "three swarm managers")
    a = c.host("a")
    ls = a.docker("node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}")
    check(sorted(l.split()[0] for l in ls.splitlines()) == ["host-a", "host-b", "host-c"] and
          ls.count("Ready") == 3, "swarm nodes: " + ls)
    for name in "bc":
        check(nodes[name]["mtu"] > 0, "node %s reports no underlay MTU: %r" % (name, nodes[name]))
    check(nodes["a"]["mtu"] > 0, "the server reports no underlay MTU: %r" % nodes["a"])
    # orca runs no swarm services: the swarm only carries networks
    check(a.docker("service", "ls", "-q").strip() == "", "swarm services exist")


def test_single_node_starts_no_swarm(c):
    s = c.server("a")
    check(s.nodes()["a"]["swarm"] == "", "a single node is in a swarm: %r" % s.nodes()["a"])
    check(c.host("a").docker("info", "-f", "{{.Swarm.LocalNodeState}}").strip() == "inactive",
          "swarm started on a single node")
