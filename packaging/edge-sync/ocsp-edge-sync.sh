#!/bin/sh
# Pull the published responses file(s) onto an edge node.
#   ocsp-edge-sync.sh SRC DST [RSYNC-OPTION...]
#   ocsp-edge-sync.sh rsync://generator/ocsp/ /var/lib/ocsp-presign/
#   RSYNC_RSH='ssh -i /etc/ocsp-presign/edge_key' \
#     ocsp-edge-sync.sh generator:/var/lib/ocsp-presign/publish/ /var/lib/ocsp-presign/ --stats
#
# Only published files travel (*.lmdb): never the generator's working copy
# (*.work), its locks (*.lock, *-lock) or temporary files (dot names).
# rsync writes each file to a temporary name and renames it into place
# (never --inplace), so ocsp-serve sees the old file or the new one; with
# several files, --delay-updates renames them together at the end.
#
# The block size matches LMDB's 4096-octet pages: the generator keeps the
# pages it did not change, so rsync finds them whole (docs/guide.txt, "Fan out",
# has the measurement).  Options after DST are passed to rsync last, so
# they can add (--stats, --bwlimit=...) or override (--block-size=...).
#
# OCSP_EDGE_VERIFY=1 (off by default) checks every new file with
# `ocsp-db verify` before it replaces the served one: files arrive in
# DST/.incoming/ (kept as the delta basis), and a file that fails stays
# there while the old one keeps being served.  OCSP_EDGE_VERIFY_ARGS adds
# arguments, e.g. "--issuer /etc/ocsp-presign/ca.pem"; OCSP_DB names the
# ocsp-db program.  It costs one signature check per response (docs/performance.txt).
set -eu
src=${1:?usage: ocsp-edge-sync.sh SRC DST [RSYNC-OPTION...]}
dst=${2:?usage: ocsp-edge-sync.sh SRC DST [RSYNC-OPTION...]}
shift 2

pull() {  # INTO, then the caller's options
	into=$1; shift
	rsync --recursive --times --delay-updates --timeout=60 --block-size=4096 \
		--exclude='.*' --exclude='*.work' --exclude='*.lock' \
		--exclude='*-lock' --include='*.lmdb' --exclude='*' \
		"$@" "$src" "$into"
}

if [ "${OCSP_EDGE_VERIFY:-0}" != 1 ]; then
	pull "$dst" "$@"
	exit 0
fi

stage=${dst%/}/.incoming
mkdir -p "$stage"
pull "$stage/" "$@"
rc=0
for f in "$stage"/*.lmdb; do
	[ -f "$f" ] || continue
	name=${f##*/}
	# Accepted before: the served name is the same inode.
	[ "$f" -ef "${dst%/}/$name" ] && continue
	# shellcheck disable=SC2086 # OCSP_EDGE_VERIFY_ARGS is a word list
	if ! "${OCSP_DB:-ocsp-db}" verify "$f" ${OCSP_EDGE_VERIFY_ARGS:-} > "$stage/$name.verify" 2>&1; then
		echo "ocsp-edge-sync: $name refused, still serving the previous file:" >&2
		head -5 "$stage/$name.verify" >&2
		rc=2
		continue
	fi
	# A second name for the checked inode, renamed into place: atomic
	# for ocsp-serve, and the staged copy stays rsync's basis.
	ln -f "$f" "${dst%/}/.$name.accept"
	mv -f "${dst%/}/.$name.accept" "${dst%/}/$name"
done
exit $rc
