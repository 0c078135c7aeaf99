#!/usr/bin/env bash
# tests/cli/test_conformance.sh - tests/run-conformance itself: on a small
# corpus made here, a scripted decoder gives right and wrong answers, and the
# runner must pass exactly the right ones (so a lenient comparison cannot
# hide a parser bug behind "711 passed").
#
# The scripted decoder reads a case's text: "exit N MESSAGE" makes it fail
# with status N and MESSAGE on stderr, "signal" makes it kill itself, any
# other text is printed as its JSON answer.
#
# Prints one line per check and "N passed, N failed" last; exits 1 on failure.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; shift; for l in "$@"; do echo "  $l"; done; failed=$((failed + 1)); }

corpus=$tmp/corpus
mkdir -p "$corpus/valid" "$corpus/invalid"
cat >"$tmp/decoder" <<'EOF'
#!/usr/bin/env python3
import os, signal, sys
text = sys.stdin.read()
if text.startswith("signal"):
    os.kill(os.getpid(), signal.SIGSEGV)
if text.startswith("exit "):
    _, code, msg = (text.strip() + " ").split(" ", 2)
    sys.stderr.write(msg)
    sys.exit(int(code))
sys.stdout.write(text)
EOF
chmod +x "$tmp/decoder"

# case KIND NAME ANSWER [EXPECTED]: one case; EXPECTED is valid/NAME.json.
case_() {
	printf '%s\n' "$3" >"$corpus/$1/$2.toml"
	[ $# -lt 4 ] || printf '%s\n' "$4" >"$corpus/$1/$2.json"
	echo "$1/$2.toml" >>"$corpus/files-toml-1.0.0"
	echo "$1/$2.json" >>"$corpus/files-toml-1.0.0"
}
t() { printf '{"type":"%s","value":"%s"}' "$1" "$2"; }

# Right answers.
case_ valid same-instant "{\"a\":$(t datetime 1979-05-27T07:32:00Z)}" "{\"a\":$(t datetime 1979-05-27T00:32:00-07:00)}"
case_ valid nan-sign "{\"a\":$(t float -nan)}" "{\"a\":$(t float nan)}"
case_ valid float-spelling "{\"a\":$(t float 1000000)}" "{\"a\":$(t float 1e+06)}"
case_ valid nanos "{\"a\":$(t time-local 00:32:00.500000000)}" "{\"a\":$(t time-local 00:32:00.5)}"
case_ valid space-datetime "{\"a\":$(t datetime-local '1979-05-27 07:32:00')}" "{\"a\":$(t datetime-local 1979-05-27T07:32:00)}"
case_ valid nested "{\"a\":[[$(t integer 1)],{\"b\":$(t bool true)}]}" "{\"a\":[[$(t integer 1)],{\"b\":$(t bool true)}]}"
case_ invalid rejected "exit 1 1:1: bad"
# Wrong answers.
case_ valid int-as-float "{\"a\":$(t float 1)}" "{\"a\":$(t integer 1)}"
case_ valid negative-zero "{\"a\":$(t float 0)}" "{\"a\":$(t float -0)}"
case_ valid other-instant "{\"a\":$(t datetime 1979-05-27T07:32:00Z)}" "{\"a\":$(t datetime 1979-05-27T07:32:00-07:00)}"
case_ valid lost-nanos "{\"a\":$(t datetime-local 1979-05-27T07:32:00.1)}" "{\"a\":$(t datetime-local 1979-05-27T07:32:00.100000001)}"
case_ valid missing-key "{}" "{\"a\":$(t string x)}"
case_ valid extra-key "{\"a\":$(t string x),\"b\":$(t string y)}" "{\"a\":$(t string x)}"
case_ valid short-array "{\"a\":[]}" "{\"a\":[$(t integer 1)]}"
case_ valid string-case "{\"a\":$(t string X)}" "{\"a\":$(t string x)}"
case_ valid untagged "{\"a\":\"x\"}" "{\"a\":$(t string x)}"
case_ valid not-json "a = 1" "{\"a\":$(t integer 1)}"
case_ valid rejected-valid "exit 1 1:1: no" "{}"
case_ valid crash "signal" "{}"
case_ invalid accepted "{}"
case_ invalid silent "exit 1"

out=$(tests/run-conformance --corpus "$corpus" --show 100 -- "$tmp/decoder" 2>&1)
want_fail="int-as-float negative-zero other-instant lost-nanos missing-key extra-key short-array
string-case untagged not-json rejected-valid crash accepted silent"
for n in $want_fail; do
	if grep -q "^FAIL [a-z]*/$n.toml: " <<<"$out"; then ok "catches_$n"; else fail "catches_$n" "$out"; fi
done
for n in same-instant nan-sign float-spelling nanos space-datetime nested rejected; do
	if grep -q "^FAIL [a-z]*/$n.toml" <<<"$out"; then fail "accepts_$n" "$out"; else ok "accepts_$n"; fi
done
if [ "$(tail -n 1 <<<"$out")" = "7 passed, 14 failed" ]; then ok counts; else fail counts "$out"; fi

# No corpus: a failure that says what to do, not a silent pass.
out=$(tests/run-conformance --corpus "$tmp/none" -- "$tmp/decoder" 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q 'run scripts/setup' <<<"$out" && [ "$(tail -n 1 <<<"$out")" = "0 passed, 1 failed" ]; then
	ok missing_corpus
else
	fail missing_corpus "rc $rc" "$out"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
