#!/usr/bin/env bash
# tests/cli/test_inert.sh - keys that are accepted but have no effect yet:
# `orca validate` and `orca config` warn at each one (path:line:col: warning:)
# and still succeed; [cluster] domain's default names show in `orca config`;
# `orca server --config DIR` refuses an invalid cluster.toml before it starts.
#
#   tests/cli/test_inert.sh [ORCA]     (default build/orca)
#
# The directory is tests/configs/inert; every line marked "# inert" there
# must be warned about, and expected-warnings.txt is the exact stderr.
# Prints one line per check and "N passed, N failed" last; exits 1 on failure.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
orca=${1:-${ORCA:-build/orca}}
[ -x "$orca" ] || { echo "no executable $orca (run make)" >&2; exit 2; }
dir=tests/configs/inert

passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; shift; for l in "$@"; do echo "  $l"; done; failed=$((failed + 1)); }

# run NAME WANT_RC CMD...: stdout and stderr in $tmp/out, $tmp/err.
run() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq "$want" ] && return 0
	fail "$name" "exit $rc, want $want: $*" "stderr: $(head -c 600 "$tmp/err")"
	return 1
}

if run validate_warns 0 "$orca" validate "$dir"; then
	if diff -u "$dir/expected-warnings.txt" "$tmp/err" >"$tmp/diff" &&
		grep -qx 'shop: 4 services (web x1, api x1, db x1, thumbs auto)' "$tmp/out"; then
		ok validate_warns
	else
		fail validate_warns "$(cat "$tmp/diff" "$tmp/out")"
	fi
fi

# every "# inert" line is warned about at its line
missing=() marked=0
while IFS=: read -r file line _; do
	marked=$((marked + 1))
	grep -q "^$file:$line:[0-9]*: warning: " "$dir/expected-warnings.txt" || missing+=("$file:$line")
done < <(grep -rn --include='*.toml' '# inert' "$dir")
if [ "$marked" -eq "$(wc -l <"$dir/expected-warnings.txt")" ] && [ ${#missing[@]} -eq 0 ]; then
	ok every_inert_line_warned
else
	fail every_inert_line_warned "$marked marked; not warned: ${missing[*]:-}"
fi

if run config_warns 0 "$orca" config "$dir" -o json; then
	got=$(python3 - "$tmp/out" <<-'PY' 2>&1
		import json, sys
		s = json.load(open(sys.argv[1]))["projects"]["shop"]["services"]
		want = {"web": None, "api": "api.shop.apps.example.test", "db": None,
		        "thumbs": "thumbs.shop.apps.example.test"}
		got = {k: v["default_domain"] for k, v in s.items()}
		print("ok" if got == want else "got %r" % got)
	PY
	)
	if [ "$got" = ok ] && diff -q "$dir/expected-warnings.txt" "$tmp/err" >/dev/null; then
		ok config_default_domains
	else
		fail config_default_domains "$got" "$(cat "$tmp/err")"
	fi
fi

# An invalid config prints its errors, not the warnings.
cp -r "$dir" "$tmp/bad"
printf '[[service]]\nname = "x"\nimage = "x:1"\nreplica = 2\n' >"$tmp/bad/services/shop/service.toml"
if run invalid_no_warnings 3 "$orca" validate "$tmp/bad"; then
	if grep -q "unknown key 'replica'" "$tmp/err" && ! grep -q 'warning:' "$tmp/err"; then
		ok invalid_no_warnings
	else
		fail invalid_no_warnings "$(cat "$tmp/err")"
	fi
fi

# orca server --config: the cluster.toml is checked before anything starts.
mkdir -p "$tmp/cfg"
printf '[cluster]\ndata_dir = "relative/state"\n' >"$tmp/cfg/cluster.toml"
if run server_config_invalid 3 env -u ORCA_DATA "$orca" server --config "$tmp/cfg"; then
	if grep -q "cluster.toml:2:12: cluster: data_dir 'relative/state' is invalid: it must be an absolute path" "$tmp/err"; then
		ok server_config_invalid
	else
		fail server_config_invalid "$(cat "$tmp/err")"
	fi
fi
if run server_config_missing 3 "$orca" server --config "$tmp/nope"; then
	grep -q "no cluster.toml in this directory" "$tmp/err" && ok server_config_missing ||
		fail server_config_missing "$(cat "$tmp/err")"
fi
run server_config_and_data 2 "$orca" server --config "$dir" --data "$tmp/d" && ok server_config_and_data

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
