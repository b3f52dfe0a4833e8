#!/bin/sh
# Publication by clone: on a filesystem that can clone (a loop-mounted XFS
# image made with reflink=1), the published file is a clone of the working
# copy, octet for octet what a full plain copy of it would be (cmp against
# mdb_copy's), sharing its blocks; on one that cannot (tmpfs), the full
# copy as before.  Skipped, with a message, where loop devices or mounts
# are not allowed.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 200
MNT=$T_TMP/xfs
SMALL=$T_TMP/tmpfs
unmount() {
	for m in "$MNT" "$SMALL"; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
	t_cleanup
}
trap unmount EXIT
mkdir -p "$MNT" "$SMALL"
if ! command -v mkfs.xfs > /dev/null; then
	echo "clone: skipped: no mkfs.xfs (xfsprogs)"; t_done; exit 0
fi
truncate -s 320M "$T_TMP/xfs.img"
if ! mkfs.xfs -q -m reflink=1 "$T_TMP/xfs.img" > "$T_TMP/mkfs.log" 2>&1 ||
   ! mount -o loop "$T_TMP/xfs.img" "$MNT" 2> "$T_TMP/mount.log"; then
	echo "clone: skipped: cannot mount a loop XFS image here ($(cat "$T_TMP/mkfs.log" "$T_TMP/mount.log" | head -1))"
	t_done; exit 0
fi

# plain_copy_cmp DESC DIR: the published file is octet for octet a full
# plain copy of the working copy (mdb_copy, no compaction).
plain_copy_cmp() {
	rm -f "$T_TMP/full.lmdb"
	if mdb_copy -n "$2/responses.lmdb.work" "$T_TMP/full.lmdb" 2> "$T_TMP/copy.err" &&
	   cmp "$2/responses.lmdb" "$T_TMP/full.lmdb" > "$T_TMP/cmp.out" 2>&1; then
		t_ok "$1: published file = a full copy of the working copy (cmp)"
	else
		t_fail "$1: cmp"; cat "$T_TMP/copy.err" "$T_TMP/cmp.out"
	fi
	rm -f "$2/responses.lmdb.work-lock"
}

sed "s|^output .*|output = $MNT/responses.lmdb|" ocsp-gen.conf > xfs.conf
"$B/ocsp-gen" -v -c xfs.conf > "$T_TMP/gen1.log" 2>&1 || { t_fail "first run on XFS"; cat "$T_TMP/gen1.log"; }
t_grep "XFS: the first run publishes by cloning" "published by cloning [0-9]+ octets" "$T_TMP/gen1.log"
plain_copy_cmp "XFS, first run" "$MNT"
if filefrag -v "$MNT/responses.lmdb" 2>/dev/null | grep -q shared; then
	t_ok "XFS: the published file shares its blocks with the working copy"
else
	t_fail "XFS: no shared extents"; filefrag -v "$MNT/responses.lmdb" | head
fi

# A run that re-signs a few responses: cloned again, still identical.
cp "$MNT/responses.lmdb" "$T_TMP/v1.lmdb"
pki_revoke rsa 1010 keyCompromise
"$B/ocsp-gen" -v -c xfs.conf > "$T_TMP/gen2.log" 2>&1 || { t_fail "second run on XFS"; cat "$T_TMP/gen2.log"; }
t_grep "XFS: a run that re-signs 2 responses publishes by cloning" "published by cloning" "$T_TMP/gen2.log"
plain_copy_cmp "XFS, second run" "$MNT"
"$B/ocsp-db" get "$MNT/responses.lmdb" --issuer rsa/ca.pem --serial 1010 > "$T_TMP/r.der" &&
verify_resp "$T_TMP/r.der" rsa/ca.pem 1010 sha1 revoked root.pem > "$T_TMP/v.out" 2>&1 &&
	t_ok "XFS: the re-signed response verifies (revoked)" || { t_fail "XFS: re-signed response"; cat "$T_TMP/v.out"; }
cmp -s "$MNT/responses.lmdb" "$T_TMP/v1.lmdb" && t_fail "XFS: second publication changed nothing" ||
	t_ok "XFS: the second publication replaced the file"

# The working copy lost: rebuilt from the published file, by clone too;
# the run after it signs nothing and publishes nothing.
rm -f "$MNT/responses.lmdb.work"
"$B/ocsp-gen" -v -c xfs.conf > "$T_TMP/gen3.log" 2>&1 || { t_fail "rebuild run"; cat "$T_TMP/gen3.log"; }
t_grep "XFS: a lost working copy is rebuilt from the published file, nothing re-signed" "signed 0," "$T_TMP/gen3.log"
filefrag -v "$MNT/responses.lmdb.work" 2>/dev/null | grep -q shared &&
	t_ok "XFS: the rebuilt working copy is a clone of the published file" ||
	t_fail "XFS: rebuilt working copy shares no blocks"

# Elsewhere (tmpfs cannot clone): the full copy, identical as before.
if mount -t tmpfs -o size=64m tmpfs "$SMALL" 2>/dev/null; then
	sed "s|^output .*|output = $SMALL/responses.lmdb|" ocsp-gen.conf > tmpfs.conf
	"$B/ocsp-gen" -v -c tmpfs.conf > "$T_TMP/gen4.log" 2>&1 || { t_fail "run on tmpfs"; cat "$T_TMP/gen4.log"; }
	t_grep "tmpfs: publishes by copying" "published by copying the working copy" "$T_TMP/gen4.log"
	plain_copy_cmp "tmpfs" "$SMALL"
	"$B/ocsp-db" verify "$SMALL/responses.lmdb" --issuer self/ca.pem > "$T_TMP/verify.out" 2>&1 &&
		t_ok "tmpfs: published file verifies" || t_fail "tmpfs: verify"
else
	echo "clone: tmpfs part skipped: cannot mount a tmpfs here"
fi
t_done
