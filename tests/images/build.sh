#!/usr/bin/env bash
# tests/images/build.sh - builds orca's test images without any registry.
#
#   orca-test/busybox:1   docker import of a rootfs holding Debian's static
#                         busybox (package busybox-static) and its applets,
#                         plus orca-probe (probe.c, static with musl: it can
#                         resolve names, which static-glibc busybox cannot)
#   orca-example/web:1    busybox httpd on :8080 serving /www (/healthz -> ok)
#   orca-example/api:1    the same plus CGI /cgi-bin/info (hostname, APP_MESSAGE)
#   orca-example/db:1     busybox httpd on :5432 (/healthz -> ok)
#   orca-test/echo:1      echo.c on :8080: the proxy's test backend (headers,
#                         cookies, streaming up and down, WebSocket echo)
#
# Idempotent and fast: an image is rebuilt only when it is missing or was
# built by another revision of this script (label orca.test.rev).
# Every image carries the label orca.test=1.
set -euo pipefail

BUSYBOX=${BUSYBOX:-/bin/busybox}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rev=$(cat "${BASH_SOURCE[0]}" "$here/probe.c" "$here/echo.c" | sha256sum | cut -c1-16)

die() { echo "build.sh: $*" >&2; exit 1; }

command -v docker >/dev/null || die "docker CLI not found"
docker info >/dev/null 2>&1 || die "cannot reach the Docker Engine (is dockerd running?)"
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing: apt-get install busybox-static"
command -v musl-gcc >/dev/null || die "musl-gcc missing: apt-get install musl-tools"
file_out=$(LC_ALL=C file -b "$BUSYBOX" 2>/dev/null || true)
case $file_out in
*dynamically*) die "$BUSYBOX is dynamically linked: install busybox-static" ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# up_to_date IMAGE: the image exists and was built by this script revision.
up_to_date() {
	local got
	got=$(docker image inspect -f '{{index .Config.Labels "orca.test.rev"}}' "$1" 2>/dev/null) || return 1
	[ "$got" = "$rev" ]
}

build_busybox() {
	local img=orca-test/busybox:1 root=$tmp/rootfs applet
	if up_to_date "$img"; then
		echo "up to date: $img"
		return
	fi
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,www,proc,sys,dev}
	chmod 1777 "$root/tmp"
	cp "$BUSYBOX" "$root/bin/busybox"
	musl-gcc -static -O2 -Wall -Werror -o "$root/bin/orca-probe" "$here/probe.c"
	# One symlink per applet, at the path busybox itself names.
	while read -r applet; do
		[ "$applet" = bin/busybox ] && continue
		ln -sf /bin/busybox "$root/$applet"
	done < <("$BUSYBOX" --list-full)
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	tar --numeric-owner -C "$root" -cf - . |
		docker import \
			--change 'CMD ["sh"]' \
			--change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
			--change 'LABEL orca.test=1' \
			--change "LABEL orca.test.rev=$rev" \
			- "$img" >/dev/null
	echo "built: $img"
}

# build_app IMAGE PORT [api]: a busybox httpd image FROM orca-test/busybox:1.
build_app() {
	local img=$1 port=$2 kind=${3:-} ctx
	if up_to_date "$img"; then
		echo "up to date: $img"
		return
	fi
	ctx=$tmp/ctx-${img//[\/:]/-}
	mkdir -p "$ctx/www/cgi-bin"
	printf '<!doctype html><title>%s</title><h1>%s</h1>\n' "$img" "$img" >"$ctx/www/index.html"
	printf 'ok' >"$ctx/www/healthz"
	if [ "$kind" = api ]; then
		cat >"$ctx/www/cgi-bin/info" <<-'EOF'
			#!/bin/sh
			printf 'Content-Type: text/plain\r\n\r\n'
			echo "hostname=$(hostname)"
			echo "message=${APP_MESSAGE:-}"
		EOF
		chmod 755 "$ctx/www/cgi-bin/info"
	fi
	cat >"$ctx/Dockerfile" <<-EOF
		FROM orca-test/busybox:1
		COPY www /www
		EXPOSE $port
		LABEL orca.test=1 orca.test.rev=$rev
		CMD ["httpd", "-f", "-p", "$port", "-h", "/www"]
	EOF
	DOCKER_BUILDKIT=0 docker build -q -t "$img" "$ctx" >/dev/null 2>"$tmp/build.err" ||
		{ cat "$tmp/build.err" >&2; die "docker build of $img failed"; }
	echo "built: $img"
}

# orca-test/echo:1: echo.c, static with musl, on the busybox image.
build_echo() {
	local img=orca-test/echo:1 ctx=$tmp/ctx-echo
	if up_to_date "$img"; then
		echo "up to date: $img"
		return
	fi
	mkdir -p "$ctx"
	musl-gcc -static -O2 -Wall -Werror -pthread -o "$ctx/orca-echo" "$here/echo.c"
	cat >"$ctx/Dockerfile" <<-EOF
		FROM orca-test/busybox:1
		COPY orca-echo /bin/orca-echo
		EXPOSE 8080
		LABEL orca.test=1 orca.test.rev=$rev
		CMD ["/bin/orca-echo"]
	EOF
	DOCKER_BUILDKIT=0 docker build -q -t "$img" "$ctx" >/dev/null 2>"$tmp/build.err" ||
		{ cat "$tmp/build.err" >&2; die "docker build of $img failed"; }
	echo "built: $img"
}

build_busybox
build_echo
build_app orca-example/web:1 8080
build_app orca-example/api:1 8080 api
build_app orca-example/db:1 5432
echo "test images ready (rev $rev, script $here/build.sh)"
