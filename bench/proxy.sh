#!/usr/bin/env bash
# bench/proxy.sh - orca's proxy against nginx, HAProxy and Caddy as reverse
# proxies, in one run, on one backend.
#
#   bench/proxy.sh [SECONDS]        (default 10)
#
# The backend is nginx serving a small static file, in a container that
# orca deploys (its binary and libraries copied from the host's Debian
# nginx into a FROM-scratch image): orca can only route to replicas, so the
# other proxies are pointed at the same container address. Every proxy
# runs on 127.0.0.1 with keep-alive to the backend and no access log, is
# started here and stopped by its PID. Load: wrk (2 threads, 50
# connections) over HTTP/1.1 and over TLS, h2load (2 threads, 50
# connections, 10 streams each) over HTTP/2. Prints requests/s and p99 per
# proxy, the orca/nginx ratios, and the RSS of an idle `orca server`.
# Needs root (Docker) and the packages of scripts/setup.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
ORCA=${ORCA:-build/orca}
tmp=$(mktemp -d /tmp/orca-bench-proxy.XXXXXX)
pids=()
project=benchpx$$
host=bench.test

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	sleep 0.5
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	if [ -f "$tmp/data/instance-id" ]; then
		ids=$(docker ps -aq --filter "label=orca.instance=$(cat "$tmp/data/instance-id")")
		[ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
	fi
	docker network rm "orca-$project" >/dev/null 2>&1 || true
	cp "$tmp/orca.log" /tmp/orca-bench-proxy-last.log 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- the backend image: Debian's nginx in a scratch image ---
backend_image() {
	local ctx=$tmp/img lib
	mkdir -p "$ctx/root/www" "$ctx/root/etc" "$ctx/root/tmp" "$ctx/root/var/log" \
		"$ctx/root/var/lib/nginx"
	cp /usr/sbin/nginx "$ctx/root/nginx"
	for lib in $(ldd /usr/sbin/nginx | grep -o '/[^ ]*'); do
		mkdir -p "$ctx/root$(dirname "$lib")"
		cp -L "$lib" "$ctx/root$lib"
	done
	printf 'root:x:0:0::/:/bin/false\nnobody:x:65534:65534::/:/bin/false\n' >"$ctx/root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$ctx/root/etc/group"
	head -c 612 /dev/zero | tr '\0' 'a' >"$ctx/root/www/index.html"
	printf 'ok' >"$ctx/root/www/healthz"
	cat >"$ctx/root/nginx.conf" <<-'EOF'
		daemon off; user root; worker_processes 1; error_log stderr; pid /tmp/nginx.pid;
		events { worker_connections 4096; }
		http { access_log off; keepalive_requests 1000000;
		  server { listen 8080 reuseport; root /www; } }
	EOF
	cat >"$ctx/Dockerfile" <<-'EOF'
		FROM scratch
		COPY root/ /
		CMD ["/nginx", "-c", "/nginx.conf", "-p", "/tmp"]
	EOF
	DOCKER_BUILDKIT=0 docker build -q -t orca-bench/nginx:1 "$ctx" >/dev/null
}

# --- orca with the backend as a service ---
start_orca() {
	mkdir -p "$tmp/cfg/services/$project"
	cat >"$tmp/cfg/cluster.toml" <<-EOF
		[cluster]
		acme_directory = "off"   # $host is not a public name
		[proxy]
		http = "127.0.0.1:$ORCA_HTTP"
		https = "127.0.0.1:$ORCA_HTTPS"
		access_log = false
	EOF
	cat >"$tmp/cfg/services/$project/service.toml" <<-EOF
		[[service]]
		name = "web"
		image = "orca-bench/nginx:1"
		port = 8080
		health = "/healthz"
		domain = "$host"
	EOF
	ORCA_PROXY_TEST_CERT=$tmp/cert.pem ORCA_PROXY_TEST_KEY=$tmp/key.pem \
		"$ORCA" server --data "$tmp/data" >"$tmp/orca.log" 2>&1 &
	pids+=($!)
	ORCA_PID=$!
	for _ in $(seq 50); do [ -S "$tmp/data/orca.sock" ] && break; sleep 0.1; done
	ORCA_SOCKET=$tmp/data/orca.sock "$ORCA" deploy "$tmp/cfg" >/dev/null
	BACKEND=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' \
		"$(docker ps -q --filter "label=orca.project=$project" | head -1)")
}

start_nginx() {
	cat >"$tmp/nginx.conf" <<-EOF
		daemon off; worker_processes 2; error_log $tmp/nginx.err; pid $tmp/nginx.pid;
		events { worker_connections 8192; }
		http { access_log off;
		  upstream be { server $BACKEND:8080; keepalive 64; }
		  server { listen 127.0.0.1:$NGINX_HTTP; listen 127.0.0.1:$NGINX_HTTPS ssl http2;
		    ssl_certificate $tmp/cert.pem; ssl_certificate_key $tmp/key.pem;
		    location / { proxy_pass http://be; proxy_http_version 1.1;
		      proxy_set_header Connection ""; proxy_set_header Host \$host; } } }
	EOF
	nginx -c "$tmp/nginx.conf" -p "$tmp" -e "$tmp/nginx.err" &
	pids+=($!)
}

start_haproxy() {
	cat "$tmp/cert.pem" "$tmp/key.pem" >"$tmp/haproxy.pem"
	cat >"$tmp/haproxy.cfg" <<-EOF
		global
		  nbthread 2
		  maxconn 4096
		defaults
		  mode http
		  timeout connect 5s
		  timeout client 60s
		  timeout server 60s
		  http-reuse always
		frontend f
		  bind 127.0.0.1:$HAPROXY_HTTP
		  bind 127.0.0.1:$HAPROXY_HTTPS ssl crt $tmp/haproxy.pem alpn h2,http/1.1
		  default_backend b
		backend b
		  server s1 $BACKEND:8080
	EOF
	haproxy -f "$tmp/haproxy.cfg" -db &
	pids+=($!)
}

start_caddy() {
	cat >"$tmp/Caddyfile" <<-EOF
		{
		  admin off
		  auto_https off
		  http_port $CADDY_HTTP
		  default_sni $host
		}
		http://:$CADDY_HTTP {
		  bind 127.0.0.1
		  reverse_proxy $BACKEND:8080
		}
		https://$host:$CADDY_HTTPS {
		  bind 127.0.0.1
		  tls $tmp/cert.pem $tmp/key.pem
		  reverse_proxy $BACKEND:8080
		}
	EOF
	XDG_DATA_HOME=$tmp XDG_CONFIG_HOME=$tmp caddy run --config "$tmp/Caddyfile" --adapter caddyfile \
		>"$tmp/caddy.log" 2>&1 &
	pids+=($!)
}

# wrk URL -> "req_per_s p99_ms"
run_wrk() {
	wrk -t2 -c50 -d"${SECS}s" --latency -H "Host: $host" "$1" >"$tmp/wrk.out" 2>&1 || true
	python3 - "$tmp/wrk.out" <<-'EOF'
		import re, sys
		t = open(sys.argv[1]).read()
		rps = re.search(r"Requests/sec:\s+([\d.]+)", t)
		p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", t)
		scale = {"us": 0.001, "ms": 1, "s": 1000}
		errs = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
		print("%s %s %s" % (rps.group(1) if rps else 0,
			"%.2f" % (float(p99.group(1)) * scale[p99.group(2)]) if p99 else -1,
			errs.group(1) if errs else 0))
	EOF
}

# h2load URL -> "req_per_s p99_ms" (p99 from h2load's per-request log)
run_h2load() {
	h2load -t2 -c50 -m10 -D "$SECS" --log-file="$tmp/h2.log" -H ":authority: $host" "$1" \
		>"$tmp/h2.out" 2>&1 || true
	python3 - "$tmp/h2.out" "$tmp/h2.log" <<-'EOF'
		import re, sys
		t = open(sys.argv[1]).read()
		secs = re.search(r"finished in ([\d.]+)(ms|s),", t)
		ok = re.search(r"status codes: (\d+) 2xx", t)
		dur = float(secs.group(1)) / (1000 if secs and secs.group(2) == "ms" else 1) if secs else 0
		rps = int(ok.group(1)) / dur if ok and dur else 0
		lat = sorted(int(l.split()[2]) for l in open(sys.argv[2])
			     if l.strip() and l.split()[1].startswith("2")) if rps else []
		print("%.0f %s %s" % (rps, "%.2f" % (lat[int(len(lat) * 0.99) - 1] / 1000.0) if lat else -1, 0))
	EOF
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" -subj "/CN=$host" \
	-addext "subjectAltName=DNS:$host" >/dev/null 2>&1
for v in ORCA_HTTP ORCA_HTTPS NGINX_HTTP NGINX_HTTPS HAPROXY_HTTP HAPROXY_HTTPS CADDY_HTTP CADDY_HTTPS; do
	printf -v "$v" '%s' "$(free_port)"
done
backend_image
start_orca
sleep 2
IDLE_KB=$(awk '/VmRSS/ {print $2}' "/proc/$ORCA_PID/status")
start_nginx
start_haproxy
start_caddy
sleep 2

declare -A R
R[direct,http]=$(run_wrk "http://$BACKEND:8080/")
for p in orca nginx haproxy caddy; do
	up=${p^^}
	hp=${up}_HTTP; sp=${up}_HTTPS
	R[$p,http]=$(run_wrk "http://127.0.0.1:${!hp}/")
	R[$p,tls]=$(run_wrk "https://127.0.0.1:${!sp}/")
	R[$p,h2]=$(run_h2load "https://127.0.0.1:${!sp}/")
done
echo
printf '%-9s %-26s %-26s %-26s\n' proxy "HTTP/1.1 req/s  p99 ms" "TLS req/s  p99 ms" "HTTP/2 req/s  p99 ms"
for p in direct orca nginx haproxy caddy; do
	printf '%-9s' "$p"
	for k in http tls h2; do
		set -- ${R[$p,$k]:-- - -}
		printf ' %-12s %-12s ' "$1" "$2"
	done
	echo
done
echo
for k in http tls h2; do
	set -- ${R[orca,$k]}; o=$1; op=$2
	set -- ${R[nginx,$k]}; n=$1; np=$2
	python3 -c "import sys; o,n,op,np=map(float,sys.argv[1:]); print('orca/nginx %-5s req/s %.2fx  p99 %.2f ms vs %.2f ms' % ('$k', o/n if n else 0, op, np))" "$o" "$n" "$op" "$np"
done
echo "idle orca server RSS: $((IDLE_KB / 1024)) MiB ($IDLE_KB KiB)"
