#!/bin/sh
# make bench-big: the scale figures.  BENCH_BIG_MODE picks the bench:
#   scale (the default): ten million responses, tests/bench/big_scale.sh
#     (docs/performance.txt, "Ten million responses");
#   schedule: the steady schedule, open and hot swap below (docs/guide.txt,
#     "At scale").
# schedule: BENCH_BIG random 16-octet serials (default 1,000,000) under the P-256
# CA (signer in SoftHSM), SHA-1 and SHA-256 CertIDs: 2 x BENCH_BIG
# responses.  Nothing here asserts; it prints, and keeps a report.
#   1. first run, no-change run; file octets per response vs served DER;
#   2. ocsp-serve: time to answer after start, file-backed RSS after open;
#   3. a steady schedule on a simulated clock (OCSP_PRESIGN_NOW), validity
#      7d, refresh 3d, BENCH_RUNS runs BENCH_STEP hours (= run_interval)
#      apart (default 144 x 1 h = two refresh periods; a larger step
#      samples the schedule: each run then re-signs the share of its
#      step, as a late timer would): per run the re-signed count, run time,
#      and for every BENCH_SYNC_EVERY-th run the octets that
#      packaging/edge-sync/ocsp-edge-sync.sh moves from a real rsync daemon
#      on 127.0.0.1 (rsync --stats) against the DER re-signed in that run;
#   4. a hot swap under wrk load: failed requests, max latency.
# BENCH_DIR keeps the state (PKI, files) between invocations: with it set
# and a first run already made, phase 1 is skipped.
set -eu
case ${BENCH_BIG_MODE:-scale} in
scale) exec sh "$(dirname "$0")/big_scale.sh" ;;
schedule) ;;
*) echo "BENCH_BIG_MODE: scale or schedule" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/bench.sh"
BIG=${BENCH_BIG:-1000000}
RUNS=${BENCH_RUNS:-144}
STEP=${BENCH_STEP:-1}	# hours of simulated clock between runs = run_interval
EVERY=${BENCH_SYNC_EVERY:-1}
if [ -n "${BENCH_DIR:-}" ]; then bench_init big "$BENCH_DIR"; keep=1
else bench_init big; keep=0; fi
trap 'kill ${srv:-} ${rsd:-} 2>/dev/null; [ $keep = 1 ] || rm -rf "$W"' EXIT
now_ms() { date +%s%3N; }
DB=out/big.lmdb

# ---- 1. PKI, first run, no-change run
if [ ! -f "$W/pki/$DB" ]; then
	rm -rf "$W/pki"
	bench_pki
	openssl rand -hex $((16 * BIG)) | fold -w32 | tr a-f A-F > big.serials
	sed 's/^/V\t351231235959Z\t\t/; s/$/\tunknown\t\/CN=x/' big.serials > ec/big.index
	# The simulated clock starts on the next hour (the signer is valid from now).
	echo $(( $(date +%s) / 3600 * 3600 + 3600 )) > t0
	sed -e "s|^output .*|output = $DB|" -e "s|^authorities .*|authorities = issuing_ec|" \
	    -e "s|^issued  = ec/index.txt|issued = ec/big.index|" \
	    -e "s|^cert_ids .*|cert_ids = sha1, sha256|" ocsp-gen.conf > big.conf
		sed -i "s|^refresh .*|refresh = 3d\nrun_interval = ${STEP}h|" big.conf
	T0=$(cat t0)
	t0=$(now_ms); OCSP_PRESIGN_NOW=$T0 "$B/ocsp-gen" -q -c big.conf; t1=$(now_ms)
	say "first run: $((2 * BIG)) responses ($BIG serials x 2 CertID hashes) in $((t1 - t0)) ms"
	t0=$(now_ms); OCSP_PRESIGN_NOW=$T0 "$B/ocsp-gen" -q -c big.conf; t1=$(now_ms)
	say "no-change run: $((t1 - t0)) ms"
fi
cd "$W/pki"
export SOFTHSM2_CONF="$W/pki/softhsm2.conf"
T0=$(cat t0)

served_of() {  # SERIAL HASH: octets of the served response
	"$B/ocsp-db" get $DB --issuer ec/ca.pem --serial "$1" --hash "$2" | wc -c
}
s1=$(head -1 big.serials)
der1=$(served_of "$s1" sha1); der256=$(served_of "$s1" sha256)
size=$(stat -c %s $DB)
say "file: $size octets, $(awk -v s="$size" -v n=$((2 * BIG)) 'BEGIN { printf "%.0f", s / n }') per response; served DER $der1 (sha1) / $der256 (sha256) octets"

# ---- 2. server open
PORT=$(t_ports 3); MPORT=$((PORT + 1)); RS=$((PORT + 2))
# The file out of the page cache first (this file only): the kernel maps
# whole cached folios on a fault, so only a cold file shows what opening
# it reads.
python3 -c "import os; os.posix_fadvise(os.open('$DB', os.O_RDONLY), 0, 0, os.POSIX_FADV_DONTNEED)"
t0=$(now_ms)
OCSP_PRESIGN_NOW=$T0 "$B/ocsp-serve" --db $DB --listen 127.0.0.1:$PORT \
	--metrics-listen 127.0.0.1:$MPORT --threads 2 2> serve.log &
srv=$!
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$MPORT/healthz" || [ $i -ge 600 ]; do
	sleep 0.05; i=$((i + 1)); done
t1=$(now_ms)
# Resident pages of the map of the responses file alone (libraries are
# file-backed too, so RssFile in /proc/PID/status counts them as well).
map_rss() {
	awk -v f="big.lmdb" '/^[0-9a-f]+-[0-9a-f]+ / { m = index($0, f) > 0 }
		m && /^Rss:/ { s += $2 } END { print s + 0 }' /proc/$srv/smaps
}
say "ocsp-serve: healthy $((t1 - t0)) ms after start; resident pages of the file's map after open $(map_rss) KiB of $((size / 1024)) KiB; RssFile (with libraries) $(awk '/^RssFile/ { print $2 }' /proc/$srv/status) KiB"
curl -s "http://127.0.0.1:$MPORT/metrics" | grep '^ocsp_serve_db_responses' | sed 's/^/  /' | tee -a "$W/report"

# ---- 3. steady schedule, rsync daemon in front of the published file
mkdir -p pub edge
cat > rsyncd.conf <<EOT
pid file = $W/pki/rsyncd.pid
use chroot = no
[ocsp]
    path = $W/pki/pub
    read only = yes
EOT
rsync --daemon --no-detach --config=rsyncd.conf --address=127.0.0.1 --port=$RS &
rsd=$!
t_until 10 rsync "rsync://127.0.0.1:$RS/" > /dev/null 2>&1
# pub/ is what the rsync module serves: the published file, hard-linked.
# Its mtime is the simulated clock's: rsync's quick check (size and
# mtime) must see runs seconds apart as the hours apart they stand for.
publish() { ln -f $DB pub/big.lmdb; touch -d "@$1" pub/big.lmdb; }
sync_edge() {  # prints literal and total octets sent
	# The edge-sync script, given --stats where it passes options on to
	# rsync; otherwise its rsync command line with --stats added.
	if grep -q '"\$@"' "$top/packaging/edge-sync/ocsp-edge-sync.sh"; then
		sh "$top/packaging/edge-sync/ocsp-edge-sync.sh" \
			"rsync://127.0.0.1:$RS/ocsp/" edge/ --stats > sync.out 2>&1
	else
		rsync --recursive --times --delay-updates --timeout=60 --stats \
			--include='*.lmdb' --exclude='*' "rsync://127.0.0.1:$RS/ocsp/" edge/ > sync.out
	fi
	cmp -s pub/big.lmdb edge/big.lmdb || echo "edge copy differs!" >&2
	awk -F': ' '/^Literal data/ { gsub(/[ ,a-z]/, "", $2); l = $2 }
		/^Total bytes received/ { gsub(/[ ,]/, "", $2); r = $2 }
		END { print l, r }' sync.out
}
publish "$T0"
sync_edge > /dev/null
say "steady schedule: $RUNS runs $STEP h apart from the first, edge synced every $EVERY run(s)"
say "run  hour  re-signed  run_ms  file_octets  rsync_literal  rsync_received  resigned_DER  ratio"
: > steady.tsv
k=1
while [ $k -le "$RUNS" ]; do
	now=$((T0 + k * STEP * 3600))
	t0=$(now_ms)
	OCSP_PRESIGN_NOW=$now "$B/ocsp-gen" -c big.conf > gen.log 2>&1
	t1=$(now_ms)
	n=$(sed -n 's/.*serials; signed \([0-9]*\),.*/\1/p' gen.log | awk '{ s += $1 } END { print s + 0 }')
	publish "$now"
	# The DER re-signed: responses signed in this run x their served size.
	der=$(( n * (der1 + der256) / 2 ))
	lit=-; rcv=-; ratio=-
	if [ $((k % EVERY)) -eq 0 ]; then
		set -- $(sync_edge)
		lit=$1; rcv=$2
		ratio=$(awk -v a="$rcv" -v b="$der" 'BEGIN { if (b) printf "%.2f", a / b; else print "-" }')
	fi
	line="$k $((k * STEP)) $n $((t1 - t0)) $(stat -c %s $DB) $lit $rcv $der $ratio"
	echo "$line" >> steady.tsv
	say "$line"
	k=$((k + 1))
done
med=$(awk '$9 != "-" { print $9 }' steady.tsv | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }')
# The even share: responses x step / refresh = 2 x BIG x STEP / 72.
[ -s steady.tsv ] && awk -v med="$med" -v share=$((2 * BIG * STEP / 72)) '
	{ tot += $3; if ($3 > mx) mx = $3 }
	END {
		printf "steady: %d runs, re-signed per run avg %.0f, max %d, even share %d (max/share %.2f); rsync octets / re-signed DER, median %s\n", NR, tot / NR, mx, share, mx / share, med
	}' steady.tsv | tee -a "$W/report"

# ---- 4. hot swap under load.
openssl ocsp -issuer ec/ca.pem -sha256 -serial "0x$s1" -no_nonce -reqout req.der 2>/dev/null
wrk_post_lua req.der post.lua
kill $srv 2>/dev/null; wait $srv 2>/dev/null || true
now=$((T0 + (RUNS + 1) * STEP * 3600))
OCSP_PRESIGN_NOW=$now "$B/ocsp-serve" --db $DB --listen 127.0.0.1:$PORT \
	--metrics-listen 127.0.0.1:$MPORT --threads 2 2> serve.log &
srv=$!
t_wait_url "http://127.0.0.1:$MPORT/healthz"
metric() { curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v k="$1" 'index($1, k) == 1 { print $2 }'; }
swaps0=$(metric ocsp_serve_db_swaps_total)
# A real publication during the load: one more run, an hour later.
SW=${BENCH_SWAP_SECONDS:-90}
wrk -t2 -c50 -d${SW}s --latency -s post.lua "http://127.0.0.1:$PORT/" > wrk.out 2>&1 &
wrkp=$!
# Publish once wrk's 50 connections are all open.
t_until 30 t_metric_ge "http://127.0.0.1:$MPORT/metrics" ocsp_serve_open_connections 50 || true
OCSP_PRESIGN_NOW=$((now + STEP * 3600)) "$B/ocsp-gen" -q -c big.conf
t0=$(now_ms)
i=0
until [ "$(metric ocsp_serve_db_swaps_total)" != "$swaps0" ] || [ $i -ge 100 ]; do
	sleep 0.05; i=$((i + 1)); done
t1=$(now_ms)
wait $wrkp || true
swaps1=$(metric ocsp_serve_db_swaps_total)
say "hot swap under wrk -t2 -c50 -d${SW}s: swaps $swaps0 -> $swaps1 (seen $((t1 - t0)) ms after the publication); $(awk '/^Requests\/sec/ { print $2 " req/s" }' wrk.out); max latency $(awk '$1 == "Latency" { print $4 }' wrk.out); $(grep -E 'Non-2xx|Socket errors' wrk.out || echo 'no failed requests'); map resident after $(map_rss) KiB"
echo
echo "---- report ($W/report) ----"
cat "$W/report"
