#!/bin/sh
# Run every scenario script, SCENARIO_JOBS at a time (default: cores + 1;
# they wait on processes and sockets as much as they compute, and each
# has its own directory and free ports); each prints one line per case
# and a tally.  Outputs are shown whole, in name order, once all ended.
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/scenario}
jobs=${SCENARIO_JOBS:-$(($(nproc 2>/dev/null || echo 1) + 1))}
out=$(mktemp -d "${TMPDIR:-/tmp}/scenarios.XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT

# One script: its output, exit status and wall seconds under $out.
run_one() {
	n=$(basename "$1" .sh)
	t0=$(date +%s)
	sh "$1" > "$2/$n.out" 2>&1
	echo $? > "$2/$n.rc"
	echo $(($(date +%s) - t0)) > "$2/$n.sec"
}
if [ "${1:-}" = --one ]; then run_one "$3" "$2"; exit 0; fi

# The demo PKI and SoftHSM token, built once: each script's pki_make
# (tests/lib/pki.sh) copies it into its own directory instead of building.
# Unbuilt, each script builds its own as when run alone.
if [ -z "${PKI_FIXTURE:-}" ]; then
	t0=$(date +%s.%N)
	if (. "$here/lib/pki.sh" && pki_fixture "$out/fixture"); then
		export PKI_FIXTURE="$out/fixture"
		awk -v a="$t0" -v b="$(date +%s.%N)" \
			'BEGIN { printf "PKI fixture built in %.1f s\n", b - a }'
	else echo "PKI fixture not built: each script builds its own"; fi
fi

ls "$dir"/*.sh | xargs -P "$jobs" -n 1 sh "$0" --one "$out" 2>/dev/null ||
	true
pass=0; fail=0; total_cases=0
for s in "$dir"/*.sh; do
	n=$(basename "$s" .sh)
	cat "$out/$n.out" 2>/dev/null
	if [ "$(cat "$out/$n.rc" 2>/dev/null)" = 0 ]; then pass=$((pass + 1))
	else fail=$((fail + 1)); echo "FAIL script $n (exit $(cat "$out/$n.rc" 2>/dev/null))"; fi
	c=$(grep -c '^ok ' "$out/$n.out" 2>/dev/null)
	total_cases=$((total_cases + ${c:-0}))
done
printf 'wall seconds per script:'
for s in "$dir"/*.sh; do n=$(basename "$s" .sh); printf ' %s %s' "$n" "$(cat "$out/$n.sec" 2>/dev/null)"; done
echo
echo "($total_cases cases passed in $((pass + fail)) scripts, $jobs at a time)"
echo "scenarios: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
