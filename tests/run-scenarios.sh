#!/bin/sh
# Run every scenario script; each prints one line per case and a tally.
here=$(cd "$(dirname "$0")" && pwd)
pass=0; fail=0; total_cases=0
dir=${1:-$here/scenario}
for s in "$dir"/*.sh; do
	if sh "$s" > "${TMPDIR:-/tmp}/scenario.$$.out" 2>&1; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	cat "${TMPDIR:-/tmp}/scenario.$$.out"
	n=$(grep -c '^ok ' "${TMPDIR:-/tmp}/scenario.$$.out"); total_cases=$((total_cases + n))
done
rm -f "${TMPDIR:-/tmp}/scenario.$$.out"
echo "($total_cases cases passed in $((pass + fail)) scripts)"
echo "scenarios: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
