#!/bin/sh
# The edge-sync container's entrypoint: ocsp-edge-sync.sh on a schedule.
#   ocsp-edge-sync-loop [--once] SRC DST [INTERVAL-SECONDS]
# Without --once (a sidecar): sync every INTERVAL seconds (default 60), for
# ever; a failed sync is logged and tried again at the next interval, the
# file already in DST keeps being served.  With --once (an init container):
# try every 5 s until DST holds a *.lmdb file, at most OCSP_SYNC_WAIT
# seconds (default 300), then exit 0, or 1 if none arrived: the pod does not
# start serving (and takes no traffic) before it has a file.
# OCSP_EDGE_VERIFY=1 and the other ocsp-edge-sync.sh variables pass through.
set -u
once=0
[ "${1:-}" = --once ] && { once=1; shift; }
src=${1:?usage: ocsp-edge-sync-loop [--once] SRC DST [INTERVAL]}
dst=${2:?usage: ocsp-edge-sync-loop [--once] SRC DST [INTERVAL]}
interval=${3:-60}
sync="/usr/bin/ocsp-edge-sync"

have_file() { for f in "$dst"/*.lmdb; do [ -f "$f" ] && return 0; done; return 1; }

if [ $once = 1 ]; then
	waited=0
	while [ "$waited" -le "${OCSP_SYNC_WAIT:-300}" ]; do
		"$sync" "$src" "$dst" && have_file && exit 0
		echo "ocsp-edge-sync-loop: no file from $src yet, retrying" >&2
		sleep 5
		waited=$((waited + 5))
	done
	echo "ocsp-edge-sync-loop: no file from $src after ${OCSP_SYNC_WAIT:-300} s" >&2
	exit 1
fi
while :; do
	"$sync" "$src" "$dst" || echo "ocsp-edge-sync-loop: sync from $src failed; next try in $interval s" >&2
	sleep "$interval"
done
