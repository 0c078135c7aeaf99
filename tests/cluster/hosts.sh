#!/usr/bin/env bash
# tests/cluster/hosts.sh - several "hosts" on one machine for orca's
# multi-node tests: one network namespace per host, each with its own dockerd,
# joined by a LAN bridge that lives in a namespace of its own.
#
#   hosts.sh up [N]            N hosts (default 3: a b c), 10.99.0.11..; idempotent
#   hosts.sh down              removes everything up made, even after kill -9s
#   hosts.sh status            one line per host
#   hosts.sh partition X [Y]   drop traffic between X and Y (Y absent: every other host)
#   hosts.sh heal              lift every partition
#   hosts.sh dkill X [SIG]     stop host X's dockerd (TERM: clean, KILL: crash)
#   hosts.sh dstart X          start host X's dockerd again
#   hosts.sh exec X CMD...     run CMD in host X's network namespace
#   hosts.sh sock X            host X's Docker socket (unix://...)
#   hosts.sh load X IMAGE...   copy images from the machine's engine into host X's
#
# What it touches, all under the prefix $ORCA_TC (default "orcatc"), so that it
# coexists with the machine's own engine and with other users of it:
#   network namespaces  $P-lan, $P-a, $P-b ...  (nothing added to the root one)
#   state               /run/$P/  (per host: docker.sock, exec root, pidfile,
#                       dockerd.log; data roots under /var/lib/$P/<host>)
#   cgroups             /sys/fs/cgroup/*/$P-<host>
# Each dockerd: its own data-root, exec-root, pidfile, socket and docker0
# subnet (172.31.<n>.1/24), cgroupfs, started with `nsenter --net=` (not `ip
# netns exec`, which remounts /sys and hides the cgroup mounts). The machine's
# engine is only read (docker save of the test images).
#
# Never send traffic to 10.99.0.x from the root namespace: it has a default
# route off the machine. Use `hosts.sh exec X ...` or a container.
set -uo pipefail

P=${ORCA_TC:-orcatc}
RUN=/run/$P
LIB=/var/lib/$P
SUBNET=10.99.0
ALL="a b c d e"
IMAGES=${ORCA_TC_IMAGES:-"orca-test/busybox:1 orca-example/web:1 orca-example/api:1 orca-example/db:1"}

die() { echo "hosts.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"

ns() { local n=$1; shift; ip netns exec "$n" "$@"; }
num() { case $1 in a) echo 1;; b) echo 2;; c) echo 3;; d) echo 4;; e) echo 5;; *) die "unknown host '$1'";; esac; }
addr() { echo "$SUBNET.$((10 + $(num "$1")))"; }
sock() { echo "unix://$RUN/$1/docker.sock"; }
dk() { local h=$1; shift; docker -H "$(sock "$h")" "$@"; }
hosts_up() { local h; for h in $ALL; do [ -e "/run/netns/$P-$h" ] && echo "$h"; done; }
dpid() { cat "$RUN/$1/pid" 2>/dev/null; }
alive() { local p; p=$(dpid "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

lan_up() {
	[ -e "/run/netns/$P-lan" ] && return 0
	ip netns add "$P-lan" || return 1
	ns "$P-lan" ip link set lo up
	ns "$P-lan" ip link add br0 type bridge
	ns "$P-lan" ip link set br0 up
}

link_up() {   # the host's eth0, its peer lan-X on the LAN bridge
	local h=$1
	[ -e "/run/netns/$P-$h" ] || ip netns add "$P-$h" || return 1
	ns "$P-$h" ip link set lo up
	if ! ns "$P-$h" ip link show eth0 >/dev/null 2>&1; then
		ip link add eth0 netns "$P-$h" type veth peer name "lan-$h" netns "$P-lan" || return 1
		ns "$P-$h" ip addr add "$(addr "$h")/24" dev eth0
	fi
	ns "$P-lan" ip link set "lan-$h" master br0 up
	ns "$P-$h" ip link set eth0 up   # no default route: nothing leaves the LAN
}

# dstart X: (re)starts host X's dockerd; the storage driver that worked first
# is remembered. Its own UTS namespace names it "host-X" in `docker node ls`.
dstart() {
	local h=$1 n drv k log
	alive "$h" && return 0
	n=$(num "$h")
	mkdir -p "$RUN/$h" "$LIB/$h"
	[ -f "$RUN/daemon.json" ] || echo '{}' >"$RUN/daemon.json"   # keep /etc/docker/daemon.json out
	log=$RUN/$h/dockerd.log
	for drv in $(cat "$RUN/driver" 2>/dev/null || echo overlay2 fuse-overlayfs vfs); do
		nsenter --net="/run/netns/$P-$h" -- unshare --uts sh -c "hostname host-$h; exec dockerd \
			--config-file $RUN/daemon.json --data-root $LIB/$h --exec-root $RUN/$h/exec \
			--pidfile $RUN/$h/dockerd.pid -H $(sock "$h") --bip 172.31.$n.1/24 \
			--storage-driver $drv --exec-opt native.cgroupdriver=cgroupfs \
			--cgroup-parent /$P-$h ${DOCKERD_EXTRA:-}" >>"$log" 2>&1 &
		echo $! >"$RUN/$h/pid"   # nsenter, unshare and sh exec: this is dockerd
		for k in $(seq 300); do
			if dk "$h" version >/dev/null 2>&1; then
				echo "$drv" >"$RUN/driver"
				return 0
			fi
			alive "$h" || break
			sleep 0.1
		done
		dkill "$h" KILL
	done
	echo "hosts.sh: dockerd of host $h did not start; last lines of $log:" >&2
	tail -n 5 "$log" >&2
	return 1
}

dkill() {
	local p k
	p=$(dpid "$1") || return 0
	kill -"${2:-TERM}" "$p" 2>/dev/null
	for k in $(seq 300); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
}

# The test images, saved once from the machine's engine (read only) and kept
# while their ids stay the same.
images_tar() {
	local ids
	ids=$(docker image inspect -f '{{.Id}}' $IMAGES 2>/dev/null | sha256sum | cut -c1-16) ||
		die "missing test images ($IMAGES): run tests/images/build.sh"
	if [ ! -f "$RUN/images-$ids.tar" ]; then
		rm -f "$RUN"/images-*.tar
		docker save -o "$RUN/images-$ids.tar.tmp" $IMAGES || die "docker save failed"
		mv "$RUN/images-$ids.tar.tmp" "$RUN/images-$ids.tar"
	fi
	echo "$RUN/images-$ids.tar"
}

load_images() {
	local h=$1 tar=$2 want have
	want=$(docker image inspect -f '{{.Id}}' $IMAGES | sort | tr '\n' ' ')
	have=$(dk "$h" image inspect -f '{{.Id}}' $IMAGES 2>/dev/null | sort | tr '\n' ' ')
	[ "$want" = "$have" ] && return 0
	dk "$h" load -q -i "$tar" >/dev/null
}

up() {
	local count=${1:-3} hosts h tar t0
	t0=$(date +%s.%N)
	hosts=$(echo $ALL | cut -d' ' -f1-"$count")
	mkdir -p "$RUN" "$LIB"
	tar=$(images_tar) || exit 1
	lan_up || die "cannot create the LAN namespace"
	for h in $hosts; do link_up "$h" || die "cannot create host $h's namespace"; done
	for h in $hosts; do dstart "$h" & done
	wait
	for h in $hosts; do alive "$h" || die "dockerd of host $h is not running"; done
	for h in $hosts; do load_images "$h" "$tar" & done
	wait
	for h in $hosts; do
		load_images "$h" "$tar" || die "cannot load the test images into host $h"
	done
	printf 'hosts up: %s (%s, %.1f s)\n' "$(echo $hosts)" "$(cat "$RUN/driver")" \
		"$(echo "$(date +%s.%N) - $t0" | bc)"
}

# Every process left in a host's cgroups (containers, shims of a dockerd
# killed with -9) and every mount under its directories.
sweep() {
	local h=$1 p m c
	for p in $(cat /sys/fs/cgroup/*/"$P-$h"/cgroup.procs /sys/fs/cgroup/*/"$P-$h"/*/cgroup.procs \
		/sys/fs/cgroup/*/"$P-$h"/*/*/cgroup.procs 2>/dev/null | sort -u); do
		kill -9 "$p" 2>/dev/null
	done
	for p in $(pgrep -f "containerd-shim.* -address $RUN/$h/exec/" 2>/dev/null); do kill -9 "$p"; done
	for p in $(pgrep -f "containerd --config $RUN/$h/exec/" 2>/dev/null); do kill -9 "$p"; done
	sleep 0.2
	for m in $(awk -v a="$RUN/$h/" -v b="$LIB/$h/" \
		'index($5"/",a)==1||index($5"/",b)==1{print $5}' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	for c in /sys/fs/cgroup/*/"$P-$h"; do
		[ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
}

down() {
	local h ids t0
	t0=$(date +%s.%N)
	for h in $ALL; do
		alive "$h" || continue
		ids=$(dk "$h" ps -aq 2>/dev/null)
		[ -n "$ids" ] && dk "$h" rm -f $ids >/dev/null 2>&1
	done
	for h in $ALL; do alive "$h" && dkill "$h" TERM & done
	wait
	for h in $ALL; do
		sweep "$h"
		ip netns del "$P-$h" 2>/dev/null
		rm -rf "${RUN:?}/$h" "${LIB:?}/$h"
	done
	ip netns del "$P-lan" 2>/dev/null
	rm -rf "${RUN:?}" "${LIB:?}"
	if [ -z "$(ip netns list 2>/dev/null)" ] && mountpoint -q /run/netns 2>/dev/null; then
		umount /run/netns 2>/dev/null && rmdir /run/netns 2>/dev/null
	fi
	printf 'hosts down (%.1f s)\n' "$(echo "$(date +%s.%N) - $t0" | bc)"
}

status() {
	local h
	for h in $(hosts_up); do
		printf '%s %s dockerd=%s\n' "$h" "$(addr "$h")" "$(alive "$h" && echo up || echo down)"
	done
}

# Symmetric drops on the LAN bridge: covers processes and containers alike.
partition() {
	local x=$1 y=${2:-} others h
	ns "$P-lan" nft list table bridge orcapart >/dev/null 2>&1 || {
		ns "$P-lan" nft add table bridge orcapart &&
			ns "$P-lan" nft add chain bridge orcapart block \
				'{ type filter hook forward priority 0; policy accept; }'
	} || die "nft failed"
	others=$y
	[ -n "$others" ] || others=$(hosts_up | grep -vx "$x")
	for h in $others; do
		ns "$P-lan" nft add rule bridge orcapart block iifname "lan-$x" oifname "lan-$h" drop
		ns "$P-lan" nft add rule bridge orcapart block iifname "lan-$h" oifname "lan-$x" drop
	done
}

heal() { ns "$P-lan" nft delete table bridge orcapart 2>/dev/null; return 0; }

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
up) up "${1:-3}" ;;
down) down ;;
status) status ;;
partition) [ $# -ge 1 ] || die "usage: partition X [Y]"; partition "$@" ;;
heal) heal ;;
dkill) [ $# -ge 1 ] || die "usage: dkill X [SIG]"; dkill "$1" "${2:-TERM}" ;;
dstart) [ $# -ge 1 ] || die "usage: dstart X"; dstart "$1" ;;
exec) [ $# -ge 2 ] || die "usage: exec X CMD..."; h=$1; shift; num "$h" >/dev/null
	exec nsenter --net="/run/netns/$P-$h" -- "$@" ;;
sock) [ $# -ge 1 ] || die "usage: sock X"; sock "$1" ;;
load) [ $# -ge 2 ] || die "usage: load X IMAGE..."; h=$1; shift
	docker save "$@" | dk "$h" load -q ;;
*) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
