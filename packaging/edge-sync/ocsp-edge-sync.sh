#!/bin/sh
# Pull the published responses file(s) onto an edge node.
#   ocsp-edge-sync.sh rsync://generator/ocsp/ /var/lib/ocsp-presign/
# rsync writes each file to a temporary name and renames it into place
# (never --inplace), so ocsp-serve sees the old file or the new one; with
# several files, --delay-updates renames them together at the end.
set -eu
src=${1:?source, e.g. rsync://generator/ocsp/}
dst=${2:?destination directory}
exec rsync --recursive --times --delay-updates --timeout=60 \
	--include='*.lmdb' --exclude='*' "$src" "$dst"
