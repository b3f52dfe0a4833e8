#!/bin/sh
# Measure how the published file travels by rsync: after a run that
# re-signs a small share of the responses, rsync (delta transfer, default
# and 4096-octet blocks) from the old published file to the new one, for
# a compacting copy (mdb_copy -c, what MDB_CP_COMPACT writes) and for a
# plain copy that keeps page numbers (mdb_copy).  Also file octets per
# response against the served DER.  Nothing here asserts; it prints.
#   BIN=$PWD/bin sh tests/bench/publish-measure.sh [N] [REVOKE]
# N random 16-octet serials (default 100000) under the P-256 CA, both
# CertID hashes; REVOKE of them revoked locally for the second run
# (default N/200, i.e. 0.5% of the responses re-signed).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/pki.sh"
B=${BIN:?}
N=${1:-100000}
K=${2:-$((N / 200))}
W=$(mktemp -d /tmp/ocsp-measure.XXXXXX)
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$W"' EXIT
now_ms() { date +%s%3N; }

pki_make "$W/pki" 20 > /dev/null
cd "$W/pki"
openssl rand -hex $((16 * N)) | fold -w32 | tr a-f A-F > big.serials
sed 's/^/V\t351231235959Z\t\t/; s/$/\tunknown\t\/CN=x/' big.serials > ec/big.index
sed -e "s|^output .*|output = out/m.lmdb|" -e "s|^authorities .*|authorities = issuing_ec|" \
    -e "s|^issued  = ec/index.txt|issued = ec/big.index\nlocal_revocations = ec/local|" \
    ocsp-gen.conf > m.conf
: > ec/local

t0=$(now_ms); "$B/ocsp-gen" -q -c m.conf; t1=$(now_ms)
echo "first run: $N serials, $((2 * N)) responses in $((t1 - t0)) ms"
mdb_copy -n out/m.lmdb.work old.plain
mdb_copy -n -c out/m.lmdb.work old.compact

shuf -n "$K" big.serials | sed 's/$/ 20261101120000Z keyCompromise/' > ec/local
t0=$(now_ms); "$B/ocsp-gen" -q -c m.conf; t1=$(now_ms)
echo "second run: $K revoked, $((2 * K)) responses re-signed in $((t1 - t0)) ms"
mdb_copy -n out/m.lmdb.work new.plain
mdb_copy -n -c out/m.lmdb.work new.compact

# DER of the responses the second run re-signed (sample of 50, scaled).
der=0
for s in $(head -50 ec/local | cut -d' ' -f1); do
	for h in sha1 sha256; do
		der=$((der + $("$B/ocsp-db" get out/m.lmdb --issuer ec/ca.pem \
			--serial "$s" --hash $h | wc -c)))
	done
done
n50=$(head -50 ec/local | wc -l)
der=$((der * K / n50))
echo "DER re-signed: $der octets (from a sample of $((2 * n50)))"
served=$("$B/ocsp-db" get out/m.lmdb --issuer ec/ca.pem --serial "$(head -1 big.serials)" --hash sha256 | wc -c)
echo "served response (sha256 CertID): $served octets"

for kind in compact plain; do
	sz=$(stat -c %s new.$kind)
	echo "$kind: old $(stat -c %s old.$kind) new $sz octets, $(awk -v s="$sz" -v n=$((2 * N)) 'BEGIN { printf "%.0f", s / n }') per response"
	for bs in default 4096; do
		cp old.$kind edge.$kind
		opt=$([ $bs = default ] && echo "" || echo "--block-size=$bs")
		t0=$(now_ms)
		rsync --no-whole-file --stats $opt new.$kind edge.$kind > rs.out
		t1=$(now_ms)
		cmp -s new.$kind edge.$kind || echo "rsync result differs!"
		lit=$(awk -F': ' '/^Literal data/ { gsub(/[ ,a-z]/, "", $2); print $2 }' rs.out)
		sent=$(awk -F': ' '/^Total bytes sent/ { gsub(/[ ,]/, "", $2); print $2 }' rs.out)
		echo "  rsync block $bs: literal $lit, sent $sent octets ($(awk -v a="$sent" -v b="$der" 'BEGIN { printf "%.1f", a / b }')x re-signed DER), $((t1 - t0)) ms"
	done
	# 4096-octet pages that differ between old and new at the same offset.
	cmp -l old.$kind new.$kind 2>/dev/null | awk '{ print int(($1 - 1) / 4096) }' | uniq | wc -l | sed 's/^/  pages changed in place: /'
done
mdb_stat -n -e old.plain | sed -n '/Number of pages used/p;/Free pages/p' | sed 's/^/old plain: /'
mdb_stat -n -e new.plain | sed -n '/Number of pages used/p;/Free pages/p' | sed 's/^/new plain: /'
mdb_stat -n new.plain | sed 's/^/new plain: /'
