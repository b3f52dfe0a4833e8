#!/bin/sh
# ocsp-gen-onchange CONFIG PATH...: run ocsp-gen for CONFIG, and once more
# for as long as the watched PATHs changed during the run (systemd drops
# path events while the service runs; cron users run this every minute
# instead).  At most OCSP_ONCHANGE_RUNS runs (default 5); a run that finds
# another holding the lock (exit 3) is retried OCSP_ONCHANGE_WAIT seconds
# later (default 5).
#   OCSP_GEN   the program (default /usr/sbin/ocsp-gen)
set -u
conf=${1:?usage: ocsp-gen-onchange CONFIG PATH...}
shift
gen=${OCSP_GEN:-/usr/sbin/ocsp-gen}
max=${OCSP_ONCHANGE_RUNS:-5}

# What the inputs look like: names, sizes, change times, whole trees.
state() { find "$@" -printf '%p %s %T@ %C@\n' 2>/dev/null | LC_ALL=C sort | cksum; }

runs=0
while [ "$runs" -lt "$max" ]; do
	before=$(state "$@")
	"$gen" -c "$conf"
	rc=$?
	runs=$((runs + 1))
	if [ "$rc" -eq 3 ]; then
		# Another run holds the lock: it may have read the inputs
		# before they changed, so run after it.
		sleep "${OCSP_ONCHANGE_WAIT:-5}"
		continue
	fi
	[ "$rc" -eq 0 ] || exit "$rc"
	[ "$(state "$@")" = "$before" ] && exit 0
	echo "ocsp-gen-onchange: inputs changed during run $runs: running again" >&2
done
echo "ocsp-gen-onchange: inputs still changing after $max runs; the timer goes on" >&2
exit 0
