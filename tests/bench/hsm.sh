#!/bin/sh
# make bench-hsm: figures for the README, nothing asserted.
#   1. Latency hiding: a P-256 signer in SoftHSM behind the fault injector
#      adding BENCH_HSM_LATENCY_US (2000) to every C_Sign, as a network HSM's
#      round trip does; ocsp-gen's rate with workers = 1, 8, 64 against
#      min(workers / latency, the token's own rate) over runs of about 5 s
#      (BENCH_HSM_N serials per worker), the token's rate
#      measured in the same run (sign_speed on SoftHSM without the
#      injector, two processes for two cores, before and after, averaged).
#   2. Publication by clone: a run that re-signs 0.1% of BENCH_PUB_SERIALS
#      x 2 responses against a no-change run, on a loop-mounted XFS image
#      with reflink (clone) and on the build machine's own filesystem
#      (full copy), P-256 PEM signer.  (Every run re-signs the sweep's
#      share early, so the no-change run publishes too.)
# BENCH_HSM_PARTS picks parts: "latency publish" (both, the default).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/bench.sh"
bench_init bench-hsm
INJ=${P11FAULT_LIB:?}
SIGN=${SIGN_SPEED:?}
LAT=${BENCH_HSM_LATENCY_US:-2000}
N=${BENCH_HSM_N:-1000}
NPUB=${BENCH_PUB_SERIALS:-100000}
MNT=$W/xfs
trap 'mountpoint -q "$MNT" 2>/dev/null && umount "$MNT"; rm -rf "$W"' EXIT

bench_pki
export SOFTHSM2_CONF

# speed OUT: sign_speed on the token's P-256 key.  SoftHSM's file store
# now and then fails a process that opens it while another does: retry.
speed() {
	for try in 1 2 3 4 5; do
		"$SIGN" raw 3 "pkcs11:token=ocsp;object=ocsp-ec;pin-source=file:$W/pki/pin" \
			"$PKI_MODULE" > "$1" 2> "$1.err" && return 0
		sleep 0.$try
	done
	cat "$1.err" >&2
	return 1
}

# token_rate: signatures/s of the token's P-256 key, two processes.
token_rate() {
	speed "$W/s1" &
	p=$!
	speed "$W/s2"
	wait $p
	sed 's|.* = \([0-9]*\)/s;.*|\1|' "$W/s1" "$W/s2" | awk '{ r += $1 } END { print r }'
}

# run_rate WORKERS SERIALS: responses/s of a first run of ocsp-gen
# through the injector (duration from its metrics file: the run, not the
# process).
run_rate() {
	rm -rf out/lat.lmdb*
	pki_serials 300000 "$2" | sed 's/^/V\t351231235959Z\t\t/; s/$/\tunknown\t\/CN=x/' > ec/bench.index
	sed -e "s|^output .*|output = out/lat.lmdb\nmetrics_file = out/lat.prom|" \
	    -e "s|^workers .*|workers = $1|" -e "s|^pkcs11_module .*|pkcs11_module = $INJ|" \
	    -e "s|^authorities .*|authorities = issuing_ec|" \
	    -e "s|^issued  = ec/index.txt|issued = ec/bench.index|" ocsp-gen.conf > lat.conf
	P11FAULT_MODULE=$PKI_MODULE P11FAULT_SIGN_DELAY_US=$LAT "$B/ocsp-gen" -q -c lat.conf
	awk -v n=$((2 * $2)) '/^ocsp_gen_last_run_duration_seconds/ { printf "%.0f %.2f", n / $2, $2 }' out/lat.prom
}

bench_latency() {
	say "== latency hiding: P-256 in SoftHSM + $LAT us per C_Sign (injector), first runs of $N x workers serials (25 x at 64) x 2 hashes"
	t0=$(token_rate)
	rates=""
	for w in 1 8 64; do
		set -- $(run_rate $w $((N * (w < 64 ? w : 25))))
		rates="$rates $w:$1:$2"
	done
	t1=$(token_rate)
	tok=$(( (t0 + t1) / 2 ))
	say "token's own rate (sign_speed raw, 2 processes): $t0 before, $t1 after, mean $tok/s"
	say "workers  responses/s  seconds  bound=min(w/latency, token)  ratio"
	for x in $rates; do
		w=${x%%:*}; r=${x#*:}; s=${r#*:}; r=${r%%:*}
		bound=$(awk -v w=$w -v l=$LAT -v t=$tok 'BEGIN { b = w * 1e6 / l; printf "%.0f", b < t ? b : t }')
		say "$(awk -v w=$w -v r=$r -v s=$s -v b=$bound 'BEGIN { printf "%7d  %11d  %7.2f  %27d  %5.2f", w, r, s, b, r / b }')"
	done
}

# pub_runs DIR LABEL: first run, a no-change run and a run re-signing 0.1%,
# the last two timed (metrics duration), output in DIR.
pub_runs() {
	sed -e "s|^output .*|output = $1/responses.lmdb\nmetrics_file = $W/pub.prom|" \
	    -e "s|^authorities .*|authorities = issuing_ec|" \
	    -e "s|^issued  = ec/index.txt|issued = ec/pub.index\nlocal_revocations = ec/pub.local|" \
	    -e 's|^cert = ec/ocsp.pem|cert = ec/ca.pem|' \
	    -e 's|^key  = pkcs11:token=ocsp;object=ocsp-ec;.*|key = ec/ca.key|' ocsp-gen.conf > pub.conf
	: > ec/pub.local
	"$B/ocsp-gen" -q -c pub.conf
	first=$(awk '/^ocsp_gen_last_run_duration_seconds/ { print $2 }' "$W/pub.prom")
	"$B/ocsp-gen" -q -c pub.conf
	nochange=$(awk '/^ocsp_gen_last_run_duration_seconds/ { print $2 }' "$W/pub.prom")
	# 0.1% of the serials revoked locally: 0.1% of the responses.
	awk -F'\t' 'NR % 1000 == 1 { print $4 " 20250101000000Z keyCompromise" }' ec/pub.index > ec/pub.local
	"$B/ocsp-gen" -v -c pub.conf > "$W/pub.log" 2>&1
	change=$(awk '/^ocsp_gen_last_run_duration_seconds/ { print $2 }' "$W/pub.prom")
	how=$(grep -o "published by [a-z]*" "$W/pub.log" | head -1)
	took=$(sed -n 's/.*publication took \([0-9.]*\) s.*/\1/p' "$W/pub.log" | head -1)
	signed=$(grep -o "signed [0-9][0-9]*," "$W/pub.log" | tail -1 | tr -d ,)
	size=$(stat -c %s "$1/responses.lmdb")
	say "$(awk -v l="$2" -v f=$first -v n=$nochange -v c=$change -v sz=$size -v s="$signed" -v h="$how" -v p="$took" \
		'BEGIN { printf "%-22s %6.1f MB  first %6.2f s  no-change %5.2f s  0.1%% (%s) %5.2f s = %.2fx  (%s: %s s)", l, sz / 1e6, f, n, s, c, c / n, h, p }')"
}

bench_publish() {
	pki_serials 400000 "$NPUB" | sed 's/^/V\t351231235959Z\t\t/; s/$/\tunknown\t\/CN=x/' > ec/pub.index
	say "== publication: $((2 * NPUB)) responses (P-256 PEM signer); no-change run vs a run re-signing 0.1%"
	truncate -s 4G "$W/xfs.img"
	mkdir -p "$MNT" "$W/plain"
	if mkfs.xfs -q -m reflink=1 "$W/xfs.img" 2>/dev/null && mount -o loop "$W/xfs.img" "$MNT" 2>/dev/null; then
		pub_runs "$MNT" "XFS reflink (clone)"
	else
		say "XFS: skipped (no loop device or mkfs.xfs here)"
	fi
	pub_runs "$W/plain" "$(df -T "$W" | awk 'NR == 2 { print $2 }') (full copy)"
}

for part in ${BENCH_HSM_PARTS:-latency publish}; do
	bench_$part
done
echo
cat "$W/report"
