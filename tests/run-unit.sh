#!/bin/sh
# Run every Check suite given, UNIT_JOBS at a time (default: cores + 1:
# several suites wait on sockets, threads and timers; each uses its own
# temporary directory and an ephemeral port).  Outputs are shown whole,
# in the order given, once all ended; then one closing tally.
if [ "${1:-}" = --one ]; then
	"$3" > "$2/$(basename "$3").out" 2>&1
	echo $? > "$2/$(basename "$3").rc"
	exit 0
fi
jobs=${UNIT_JOBS:-$(($(nproc 2>/dev/null || echo 1) + 1))}
out=$(mktemp -d "${TMPDIR:-/tmp}/units.XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT

printf '%s\n' "$@" | xargs -P "$jobs" -n 1 sh "$0" --one "$out" || true
pass=0; fail=0
for t in "$@"; do
	n=$(basename "$t")
	cat "$out/$n.out" 2>/dev/null
	if [ "$(cat "$out/$n.rc" 2>/dev/null)" = 0 ]; then pass=$((pass + 1))
	else fail=$((fail + 1)); echo "FAIL: $t"; fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
