#!/bin/sh
# make bench-big, BENCH_BIG_MODE=scale (the default): the ten-million
# figures (docs/performance.txt, "Ten million responses").  BENCH_BIG
# random 16-octet serials (default 5,000,000) under the P-256 CA, SHA-1
# and SHA-256 CertIDs (2 x BENCH_BIG responses), signed with the CA's own
# key in a PEM file so that the product's own costs show (the token's
# figures are bench-hsm's).  Nothing here asserts; it prints a table and
# keeps a report.  Per run: responses signed, wall, user and system CPU,
# peak anonymous memory (RssAnon sampled every 0.1 s: LMDB's map is
# file-backed and not counted), peak RSS, how the file was published and
# what publication took.
#   1. Runs, on a loop-mounted XFS image with reflink (publication by
#      clone) and, from a copy of its files, on the build machine's own
#      filesystem (publication by full copy): the first run (XFS); then
#      BENCH_PAIRS (3) rounds of a no-change run and a run after another
#      0.1% of the serials are newly revoked (the CA's CRL, re-signed with
#      them by openssl ca -gencrl), on each filesystem, with the ratio of
#      the two per round and its median; BENCH_RUNS (3) steady runs (XFS)
#      on the simulated clock, BENCH_STEP hours (1 = run_interval) apart,
#      refresh 3d: each re-signs the even share; one more run at the last
#      one's instant, which re-signs only the sweep's carry (a few dozen).
#   2. Edge: packaging/edge-sync/ocsp-edge-sync.sh from a real rsync daemon
#      on 127.0.0.1 serving the XFS output (4096-octet blocks, --stats):
#      the first sync, after the 0.1% run (the scattered case) and after
#      each steady run (the sweep case): literal and matched octets, block
#      checksums sent, octets received against the DER re-signed, wall.
# Where no loop device or mkfs.xfs is at hand, the XFS rows run on the
# plain filesystem and say so.  Disk: about 2.2 x 432 octets per response
# (4.3 GB at 10M) on the image, twice that on the plain filesystem, and
# the edge's copy plus rsync's temporary one.  Wall at 10M on 2 shared
# cores: about 25 minutes.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/bench.sh"
bench_init scale
BIG=${BENCH_BIG:-5000000}
RUNS=${BENCH_RUNS:-3}
PAIRS=${BENCH_PAIRS:-3}
STEP=${BENCH_STEP:-1}
MNT=$W/xfs
cleanup() {
	[ -z "${rsd:-}" ] || kill "$rsd" 2>/dev/null || true
	mountpoint -q "$MNT" 2>/dev/null && umount "$MNT"
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT

bench_pki
openssl rand -hex $((16 * BIG)) | fold -w32 | tr a-f A-F > big.serials
sed 's/^/V\t351231235959Z\t\t/; s/$/\tunknown\t\/CN=x/' big.serials > ec/big.index
# The simulated clock starts on the next hour (the signer is valid from now).
T0=$(( $(date +%s) / 3600 * 3600 + 3600 ))

# conf DIR: the configuration with its output in DIR.
conf() {
	sed -e "s|^output .*|output = $1/big.lmdb\nmetrics_file = $W/big.prom|" \
	    -e "s|^authorities .*|authorities = issuing_ec|" \
	    -e "s|^issued  = ec/index.txt|issued = ec/big.index|" \
	    -e 's|^cert = ec/ocsp.pem|cert = ec/ca.pem|' \
	    -e 's|^key  = pkcs11:token=ocsp;object=ocsp-ec;.*|key = ec/ca.key|' \
	    -e "s|^refresh .*|refresh = 3d\nrun_interval = ${STEP}h|" ocsp-gen.conf
}

# revoke FROM: the CA revokes one serial in a thousand, from line FROM of
# big.serials on, and publishes its CRL (number up by one).
revoke() {
	awk -v f="$1" -v at="$(date -u -d '-1 hour' +%y%m%d%H%M%SZ)" \
		'NR >= f && (NR - f) % 1000 == 0 {
			printf "R\t351231235959Z\t%s,keyCompromise\t%s\tunknown\t/CN=x\n", at, $1 }' \
		big.serials >> ec/crl-index.txt
	pki_crl "$PWD/ec" 30
}

# run LABEL CONF CLOCK FS: one measured ocsp-gen run, a row of the table.
run() {
	OCSP_PRESIGN_NOW=$3 python3 "$here/bench/runstat.py" "$W/stat" \
		--trace "$W/trace.$1" -- "$B/ocsp-gen" -v -c "$2" > "$W/gen.$1" 2>&1 ||
		{ cat "$W/gen.$1" >&2; return 1; }
	signed=$(sed -n 's/.*serials; signed \([0-9]*\),.*/\1/p' "$W/gen.$1")
	how=$(sed -n 's/.*published by \([a-z]*\).*/\1/p' "$W/gen.$1" | sed 's/copying/copy/; s/cloning/clone/')
	took=$(sed -n 's/.*publication took \([0-9.]*\) s.*/\1/p' "$W/gen.$1")
	read -r wall user sys anon hwm < "$W/stat"
	say "$(awk -v l="$1" -v n="$signed" -v w="$wall" -v u="$user" -v s="$sys" \
		-v a="$anon" -v h="$hwm" -v how="${how:-none}" -v p="${took:--}" \
		-v fs="$4" 'BEGIN { printf "%-22s %-5s %10d %8.1f %8.1f %7.1f %8.0f %8.0f  %-5s %7s\n",
			l, fs, n, w, u, s, a / 1024, h / 1024, how, p }')"
	echo "$1 $4 $wall ${took:--}" >> "$W/walls"
}

# ---- 1. the XFS image (clone), or the plain filesystem
truncate -s $((BIG * 2 * 432 * 25 / 10 + (1 << 30))) "$W/xfs.img"
mkdir -p "$MNT" "$W/plain"
if mkfs.xfs -q -m reflink=1 "$W/xfs.img" 2>/dev/null &&
   mount -o loop "$W/xfs.img" "$MNT" 2>/dev/null; then
	D1=$MNT; f1=xfs; fs1="XFS with reflink on a loop device: publication by clone"
else
	rm -f "$W/xfs.img"; D1=$W/plain1; mkdir -p "$D1"
	f1=noxfs
	fs1="no loop device or mkfs.xfs here: the plain filesystem again"
fi
conf "$D1" > one.conf
conf "$W/plain" > two.conf
fs2=$(df -T "$W/plain" | awk 'NR == 2 { print $2 }')
say "== $((2 * BIG)) responses ($BIG serials x 2 CertID hashes), P-256 PEM key, workers 2; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
say "== fs $f1: $fs1; fs $fs2: the build machine's (full copy)"
say "run                       fs      signed   wall_s   user_s   sys_s  anon_MiB  rss_MiB  publ  publ_s"
run first one.conf "$T0" "$f1"
size=$(stat -c %s "$D1/big.lmdb")
# The plain filesystem's copy: the same files, then the same runs.
cp "$D1/big.lmdb" "$D1/big.lmdb.work" "$W/plain/"

# ---- 2. the edge, from an rsync daemon serving the XFS output
RS=$(t_ports 1)
cat > rsyncd.conf <<EOT
pid file = $W/pki/rsyncd.pid
use chroot = no
[ocsp]
    path = $D1
    read only = yes
EOT
rsync --daemon --no-detach --config=rsyncd.conf --address=127.0.0.1 --port="$RS" &
rsd=$!
i=0
until rsync "rsync://127.0.0.1:$RS/" > /dev/null 2>&1 || [ $i -ge 100 ]; do
	sleep 0.1; i=$((i + 1)); done
mkdir -p "$W/edge"
# sync LABEL [RESIGNED]: pull the published file; a row of the edge table.
sync_edge() {
	t0=$(date +%s%3N)
	sh "$top/packaging/edge-sync/ocsp-edge-sync.sh" \
		"rsync://127.0.0.1:$RS/ocsp/" "$W/edge/" --stats > "$W/sync.$1" 2>&1 ||
		{ cat "$W/sync.$1" >&2; return 1; }
	t1=$(date +%s%3N)
	cmp -s "$D1/big.lmdb" "$W/edge/big.lmdb" || echo "$1: the edge's copy differs!" >&2
	awk -F': ' -v l="$1" -v ms=$((t1 - t0)) -v n="${2:-0}" -v der="$DER" '
		function num(s) { gsub(/[^0-9]/, "", s); return s + 0 }
		/^Literal data/ { lit = num($2) } /^Matched data/ { mat = num($2) }
		/^Total bytes sent/ { snt = num($2) } /^Total bytes received/ { rcv = num($2) }
		END { printf "%-14s %9d %11.1f %11.1f %11.2f %9.1f %7.1f %9s\n", l, n,
			lit / 1e6, mat / 1e6, snt / 1e6, rcv / 1e6, ms / 1000,
			n ? sprintf("%.2f", rcv / (n * der)) : "-" }' "$W/sync.$1" >> "$W/edge.rows"
}
# The served DER per response, for the ratio octets moved / DER re-signed.
s1=$(head -1 big.serials)
DER=$(( ($("$B/ocsp-db" get "$D1/big.lmdb" --issuer ec/ca.pem --serial "$s1" --hash sha1 | wc -c) +
	$("$B/ocsp-db" get "$D1/big.lmdb" --issuer ec/ca.pem --serial "$s1" --hash sha256 | wc -c)) / 2 ))
sync_edge initial

# No-change runs and runs after 0.1% of the serials are newly revoked,
# in BENCH_PAIRS rounds (each round revokes another 0.1%), on both
# filesystems; the edge follows the XFS output (the scattered case).
p=1
while [ "$p" -le "$PAIRS" ]; do
	run "no-change-$p" one.conf "$T0" "$f1"
	run "no-change-$p" two.conf "$T0" "$fs2"
	revoke $((1 + (p - 1) * 1000 / PAIRS))
	run "revoked-0.1%-$p" one.conf "$T0" "$f1"
	sync_edge "scattered-$p" "$signed"
	run "revoked-0.1%-$p" two.conf "$T0" "$fs2"
	p=$((p + 1))
done
rm -rf "$W/plain"
# The sweep case: the steady schedule's even share.
k=1
while [ "$k" -le "$RUNS" ]; do
	run "steady-$k" one.conf $((T0 + k * STEP * 3600)) "$f1"
	sync_edge "sweep-$k" "$signed"
	k=$((k + 1))
done
run same-instant one.conf $((T0 + RUNS * STEP * 3600)) "$f1"

say ""
say "== edge: $size octets, $(awk -v s="$size" -v n=$((2 * BIG)) 'BEGIN { printf "%.0f", s / n }') per response, served DER $DER octets per response"
say "edge sync      re-signed  literal_MB  matched_MB  sums_MB(sent)  recv_MB  wall_s  recv/DER"
tee -a "$W/report" < "$W/edge.rows"
say ""
# Per filesystem: each round's 0.1% run / its no-change run, and the
# publication times of the 0.1% runs.
for fs in "$f1" "$fs2"; do
	say "$(awk -v fs="$fs" '$2 == fs && $1 ~ /^no-change-/ { sub(/.*-/, "", $1); n[$1] = $3 }
		$2 == fs && $1 ~ /^revoked/ { sub(/.*-/, "", $1); r[$1] = $3; pub = pub " " $4 }
		END { for (k = 1; k in r; k++) { q[k] = r[k] / n[k]; list = list sprintf(" %.2f", q[k]) }
			m = k - 1; for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
				if (q[j] < q[i]) { t = q[i]; q[i] = q[j]; q[j] = t }
			printf "%s: 0.1%% run / no-change run, median %.2fx (rounds:%s); publication of the 0.1%% runs (s):%s\n",
				fs, q[int((m + 1) / 2)], list, pub }' "$W/walls")"
done
echo
echo "---- report ----"
cat "$W/report"
