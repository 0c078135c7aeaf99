#!/usr/bin/env bash
# tests/cli/test_validate.sh - `orca validate` and `orca config` end to end,
# on examples/ and on tests/configs/bad (whose exact stderr is expected.txt).
#
#   tests/cli/test_validate.sh [ORCA]     (default build/orca)
#
# Prints one line per check and "N passed, N failed" last; exits 1 on failure.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
orca=${1:-${ORCA:-build/orca}}
[ -x "$orca" ] || { echo "no executable $orca (run make)" >&2; exit 2; }

passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; shift; for l in "$@"; do echo "  $l"; done; failed=$((failed + 1)); }

# run NAME WANT_RC CMD...: runs CMD with stdout/stderr in $tmp/out, $tmp/err.
run() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "exit $rc, want $want: $*" "stderr: $(head -c 600 "$tmp/err")"
		return 1
	fi
	return 0
}

# --- orca validate examples
if run validate_examples 0 "$orca" validate examples; then
	nprojects=$(find examples/services -mindepth 2 -maxdepth 2 -name service.toml | wc -l)
	nlines=$(wc -l <"$tmp/out")
	bad=$(grep -Evc '^[a-z0-9-]+: [0-9]+ services? \((.+ (x[0-9]+|auto))(, .+ (x[0-9]+|auto))*\)$' "$tmp/out")
	# stderr holds only warnings: keys with no effect yet (tests/cli/test_inert.sh)
	if [ "$nlines" -eq "$nprojects" ] && [ "$bad" -eq 0 ] &&
		! grep -Evq '^[^:]+:[0-9]+:[0-9]+: warning: .+ has no effect yet: ' "$tmp/err"; then
		ok validate_examples
	else
		fail validate_examples "want $nprojects summary lines, got $nlines ($bad malformed)" \
			"$(cat "$tmp/out" "$tmp/err")"
	fi
fi

if run validate_examples_summary 0 "$orca" validate examples; then
	if grep -qx 'backend: 2 services (api x3, worker x2)' "$tmp/out"; then
		ok validate_examples_summary
	else
		fail validate_examples_summary "$(cat "$tmp/out")"
	fi
fi

# DIR defaults to "."
if run validate_default_dir 0 bash -c "cd examples && ../$orca validate"; then
	ok validate_default_dir
fi

# --- the bad directory: exact stderr, nothing on stdout
if run validate_bad 3 "$orca" validate tests/configs/bad; then
	if diff -u tests/configs/bad/expected.txt "$tmp/err" >"$tmp/diff" && [ ! -s "$tmp/out" ]; then
		ok validate_bad
	else
		fail validate_bad "stderr differs from tests/configs/bad/expected.txt:" "$(cat "$tmp/diff")"
	fi
fi

# every line marked "# mistake:" in the bad files is reported at that line
missing=() marked=0
while IFS=: read -r file line _; do
	marked=$((marked + 1))
	grep -q "^$file:$line:" tests/configs/bad/expected.txt || missing+=("$file:$line")
done < <(grep -rn --include='*.toml' '# mistake:' tests/configs/bad)
if [ "$marked" -ge 11 ] && [ ${#missing[@]} -eq 0 ]; then
	ok bad_dir_reports_every_marked_mistake
else
	fail bad_dir_reports_every_marked_mistake "$marked marked; not reported: ${missing[*]:-}"
fi
nlines=$(wc -l <tests/configs/bad/expected.txt)
if tail -n 1 tests/configs/bad/expected.txt | grep -qx "$((nlines - 1)) errors"; then
	ok bad_dir_error_count
else
	fail bad_dir_error_count "last line: $(tail -n 1 tests/configs/bad/expected.txt)"
fi

if run validate_missing_dir 3 "$orca" validate "$tmp/nope"; then
	if grep -q "no such directory" "$tmp/err" && grep -qx "1 error" "$tmp/err"; then
		ok validate_missing_dir
	else
		fail validate_missing_dir "$(cat "$tmp/err")"
	fi
fi

mkdir -p "$tmp/empty/services"
if run validate_no_projects 3 "$orca" validate "$tmp/empty"; then
	if grep -q "^no projects found under $tmp/empty/services" "$tmp/err"; then
		ok validate_no_projects
	else
		fail validate_no_projects "$(cat "$tmp/err")"
	fi
fi

# --- orca config
if run config_json 0 "$orca" config examples -o json; then
	cp "$tmp/out" "$tmp/config.json"
	if python3 -m json.tool "$tmp/config.json" >/dev/null 2>"$tmp/jerr"; then
		ok config_json
	else
		fail config_json "not valid JSON: $(cat "$tmp/jerr")"
	fi
	# every service's memory and cpu, recomputed from the TOML independently
	got=$(python3 - "$tmp/config.json" <<-'PY' 2>&1
		import json, re, sys, tomllib, pathlib
		units = {"": 1, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40,
		         "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
		j = json.load(open(sys.argv[1]))
		checked = 0
		for f in sorted(pathlib.Path("examples/services").glob("*/service.toml")):
		    for s in tomllib.loads(f.read_text()).get("service", []):
		        res = s.get("resources", {})
		        got = j["projects"][f.parent.name]["services"][s["name"]]["resources"]
		        if "memory" in res:
		            m = re.fullmatch(r"([0-9.]+)([KMGT]i?)?", str(res["memory"]))
		            want = int(float(m.group(1)) * units[m.group(2) or ""])
		            assert got["memory_bytes"] == want, (s["name"], got, want)
		            checked += 1
		        if "cpu" in res:
		            assert got["cpu_millis"] == round(res["cpu"] * 1000), (s["name"], got)
		            checked += 1
		assert checked >= 4, checked
		print("ok")
	PY
	)
	if [ "$got" = ok ]; then
		ok config_units_normalised
	else
		fail config_units_normalised "$got"
	fi
fi

if run config_default_format 0 "$orca" config examples; then
	if cmp -s "$tmp/out" "$tmp/config.json"; then
		ok config_default_format
	else
		fail config_default_format "output without -o differs from -o json"
	fi
fi

if run config_deterministic 0 "$orca" config examples; then
	if cmp -s "$tmp/out" "$tmp/config.json"; then
		ok config_deterministic
	else
		fail config_deterministic "two runs differ"
	fi
fi

if run config_invalid 3 "$orca" config tests/configs/bad; then
	if [ ! -s "$tmp/out" ] && diff -q tests/configs/bad/expected.txt "$tmp/err" >/dev/null; then
		ok config_invalid
	else
		fail config_invalid "want the validate diagnostics and no stdout"
	fi
fi

run config_bad_format 2 "$orca" config examples -o toml && ok config_bad_format

# --- help and usage
if run help 0 "$orca" --help; then
	grep -q validate "$tmp/out" && grep -q config "$tmp/out" && ok help ||
		fail help "$(cat "$tmp/out")"
fi
if run validate_help 0 "$orca" validate --help; then
	grep -q '^usage: orca validate' "$tmp/out" && ok validate_help || fail validate_help "$(cat "$tmp/out")"
fi
run validate_h 0 "$orca" validate -h && ok validate_h
if run config_help 0 "$orca" config --help; then
	grep -q '^usage: orca config' "$tmp/out" && ok config_help || fail config_help "$(cat "$tmp/out")"
fi
run unknown_command 2 "$orca" frobnicate && ok unknown_command
run no_command 2 "$orca" && ok no_command
run validate_unknown_flag 2 "$orca" validate --bogus && ok validate_unknown_flag
run validate_two_dirs 2 "$orca" validate examples examples && ok validate_two_dirs

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
