#!/bin/sh
# make bench: figures for the README, each next to a peer measured in the
# same run on the same machine.  Nothing here asserts a time.
#   1. ocsp-gen signing rate (P-256 and RSA-2048 through SoftHSM and with
#      PEM keys, workers=2) vs the token's own rate and `openssl speed
#      -multi 2`.
#   2. no-change re-run over BENCH_BIG serials (default 1,000,000), and
#      ocsp-db verify over that file vs openssl speed's verify rate; what
#      ocsp-edge-sync.sh moves after a small change, per block size.
#   3. ocsp-serve vs nginx (static file, keep-alive) vs CFSSL ocspserve,
#      wrk 2 threads / 50 connections on loopback; private RSS; ocsp-serve
#      with and without its access log.
#   4. loading a CRL of BENCH_CRL entries vs OpenSSL's X509_CRL.
#   5. make static vs the dynamic ocsp-serve: size, start, throughput.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/bench.sh"
bench_init bench
N=${BENCH_N:-100000}
NR=${BENCH_N_RSA:-12000}
SIGN=${SIGN_SPEED:-$here/../build/bench/sign_speed}
BIG=${BENCH_BIG:-1000000}
DUR=${BENCH_SECONDS:-5}
# dash has no `jobs -p` in an EXIT trap: name the processes.
trap 'kill ${srv_edge:-} ${srv:-} ${srv1:-} ${nginx_pid:-} ${cfssl_pid:-} ${alog0:-} ${alog1:-} 2>/dev/null; rm -rf "$W"' EXIT
now_ms() { date +%s%3N; }

bench_pki
pki_serials 100000 "$N" > rsa/bench.serials
pki_serials 200000 "$N" | sed 's/^/V\t351231235959Z\t\t/; s/$/\tunknown\t\/CN=x/' > ec/bench.index
conf() {  # OUT AUTHORITIES ISSUED_RSA ISSUED_EC
	sed -e "s|^output .*|output = $1|" -e "s|^authorities .*|authorities = $2|" \
	    -e "s|^cert_ids .*|cert_ids = sha256|" \
	    -e "s|^issued            = rsa/serials|issued = $3|" \
	    -e "s|^issued  = ec/index.txt|issued = $4|" \
	    -e "s|^issued  = self/issued|issued = rsa/bench.serials|" \
	    -e "/^local_revocations/d" ocsp-gen.conf
}

# The signing rate (issue 14's four rows), each next to its limit: through
# SoftHSM the token's own rate (sign_speed signing digests in a loop, two
# processes, as ocsp-gen runs two workers), with a PEM key `openssl speed
# -multi 2`.  The limit is measured right before and right after each run
# and averaged, so a busy moment on a shared machine hits both sides.
bench_sign() {
	say "== ocsp-gen first run, one CertID hash, workers = 2 (P-256: $N serials, RSA-2048: $NR)"
	# The P-256 CA signing with its own PEM key; "self" is the RSA one.
	sed -e 's|^cert = ec/ocsp.pem|cert = ec/ca.pem|' \
	    -e 's|^key  = pkcs11:token=ocsp;object=ocsp-ec;.*|key = ec/ca.key|' \
	    ocsp-gen.conf > ecpem.base
	sign_row "P-256, SoftHSM" issuing_ec ocsp-gen.conf "$N" tok_ec
	sign_row "RSA-2048, SoftHSM" issuing_rsa ocsp-gen.conf "$NR" tok_rsa
	sign_row "P-256, PEM key" issuing_ec ecpem.base "$N" speed_ec
	sign_row "RSA-2048, PEM key" issuing_self ocsp-gen.conf "$NR" speed_rsa
}

# speed_p11 URI OUT: sign_speed on a token key.  SoftHSM's file store now
# and then fails a process that opens it while another does: retry.
speed_p11() {
	for try in 1 2 3 4 5; do
		"$SIGN" raw 4 "$1" "$PKI_MODULE" > "$2" 2> "$2.err" && return 0
		sleep 0.$try
	done
	cat "$2.err" >&2
	return 1
}

# limit KIND: "RATE CPU": signatures/s and CPU microseconds per signature.
# tok_*: two sign_speed processes on the token's key at once (the sum of
# their rates, the mean of their CPU costs); speed_*: openssl speed -multi
# 2, and sign_speed on the same PEM key for the CPU.
limit() {
	case $1 in
	tok_*)
		uri="pkcs11:token=ocsp;object=ocsp-${1#tok_};pin-source=file:$W/pki/pin"
		speed_p11 "$uri" "$W/ss1" &
		s1=$!
		speed_p11 "$uri" "$W/ss2"
		wait $s1
		# "N signatures in S s = R/s; C us CPU each"
		sed 's|.* = \([0-9]*\)/s; \([0-9.]*\) us.*|\1 \2|' "$W/ss1" "$W/ss2" |
			awk '{ r += $1; c += $2 } END { printf "%.0f %.1f", r, c / 2 }' ;;
	speed_ec)
		# "256 bits ecdsa (nistp256) <t> <t> sign/s verify/s"
		openssl speed -multi 2 -seconds 3 ecdsap256 2>/dev/null | tee -a "$W/speed" |
			awk '/nistp256/ { printf "%.0f ", $7 }'
		pem_cpu ec/ca.key ;;
	speed_rsa)
		# "rsa 2048 bits <t> <t> sign/s verify/s"
		openssl speed -multi 2 -seconds 3 rsa2048 2>/dev/null |
			awk '/^rsa 2048 bits/ { printf "%.0f ", $6 }'
		pem_cpu self/ca.key ;;
	esac
}

# pem_cpu KEY: CPU microseconds per signature with that PEM key (openssl
# speed's -multi rates follow the wall clock, so they cannot say).
pem_cpu() {
	"$SIGN" raw 2 "$1" | sed 's|.*; \([0-9.]*\) us.*|\1|'
}

# sign_row LABEL AUTHORITY BASECONF N LIMIT_KIND.  Two ratios: responses/s
# over the limit's signatures/s (wall clock: what a run delivers), and the
# limit's CPU per signature over ocsp-gen's CPU per response (all its
# threads; what our code adds, less sensitive to other load on the machine).
sign_row() {
	pki_serials 100000 "$4" > "sr.serials"
	pki_serials 100000 "$4" | sed 's/^/V\t351231235959Z\t\t/; s/$/\tunknown\t\/CN=x/' > sr.index
	sed -e "s|^output .*|output = out/sr-$2.lmdb|" -e "s|^authorities .*|authorities = $2|" \
	    -e "s|^cert_ids .*|cert_ids = sha256|" -e "s|^workers .*|workers = 2|" \
	    -e "s|^issued .*= .*|issued = $([ "$2" = issuing_ec ] && echo sr.index || echo sr.serials)|" \
	    -e "/^local_revocations/d" "$3" > sr.conf
	l0=$(limit "$5")
	t0=$(now_ms)
	# The CPU of the waited-for child, from the wrapping shell's cutime+cstime.
	ticks=$(sh -c '"$@" || exit 1; cut -d" " -f16,17 /proc/$$/stat' _ "$B/ocsp-gen" -q -c sr.conf)
	t1=$(now_ms)
	l1=$(limit "$5")
	echo "$l0 $l1 $ticks $4 $((t1 - t0)) $(getconf CLK_TCK)" | awk -v label="$1:" \
	    -v kind="$(case $5 in tok_*) echo "token x2" ;; *) echo "openssl speed -multi 2" ;; esac)" '{
		lim = ($1 + $3) / 2; lcpu = ($2 + $4) / 2
		cpu = ($5 + $6) / $9 * 1e6 / $7; rate = $7 * 1000 / $8
		printf "%-18s %7.0f/s %6.1f us CPU each   %s: %7.0f/s %6.1f us   ratio %.2f (CPU %.2f)\n",
		       label, rate, cpu, kind, lim, lcpu, rate / lim, lcpu / cpu }' | tee -a "$W/report"
}

# peak_run CMD...: run it; RUN_MS its wall time, RUN_ANON its peak
# anonymous RSS in KiB (sampled every 0.2 s; file pages are not counted).
peak_run() {
	t0=$(now_ms)
	"$@" &
	pr=$!; RUN_ANON=0
	while kill -0 $pr 2>/dev/null; do
		a=$(awk '/^RssAnon/ { print $2 }' /proc/$pr/status 2>/dev/null || true)
		[ -n "$a" ] && [ "$a" -gt "$RUN_ANON" ] && RUN_ANON=$a; sleep 0.2
	done
	wait $pr
	RUN_MS=$(($(now_ms) - t0))
}

bench_sign
# BENCH_ONLY=sign: the signing rows alone (a quicker re-measure).
if [ "${BENCH_ONLY:-}" = sign ]; then echo "---- report ----"; cat "$W/report"; exit 0; fi

say "== first run and no-change re-run over $BIG serials (P-256 in SoftHSM, sha1 and sha256)"
pki_serials 1000000 "$BIG" | sed 's/^/V\t351231235959Z\t\t/; s/$/\tunknown\t\/CN=x/' > ec/big.index
conf out/big.lmdb issuing_ec rsa/bench.serials ec/big.index |
	sed 's|^cert_ids .*|cert_ids = sha1, sha256|' > big.conf
peak_run "$B/ocsp-gen" -q -c big.conf
say "first run (signs $((2 * BIG))): $RUN_MS ms = $(awk -v n=$((2 * BIG)) -v ms="$RUN_MS" 'BEGIN { printf "%.0f", n * 1000 / ms }')/s, peak anonymous RSS $((RUN_ANON / 1024)) MiB"
t0=$(now_ms); "$B/ocsp-gen" -q -c big.conf; t1=$(now_ms)
say "no-change re-run: $((t1 - t0)) ms; file $(du -m out/big.lmdb | cut -f1) MiB"
. "$here/bench/onchange.sh"
say "== minutes from issuance to answer, $BIG serials"
bench_onchange big.conf ec/big.index out/big.lmdb $((t1 - t0))

# ocsp-db verify: what an edge pays to check a whole file before taking it
# (one thread), next to openssl speed's single-core P-256 verify rate.
bench_verify() {  # FILE CERT
	n=$("$B/ocsp-db" stats "$1" | awk '/^responses/ { print $2 }')
	t0=$(now_ms)
	"$B/ocsp-db" verify "$1" --issuer "$2" > "$W/verify.out" 2>&1 &
	vp=$!; anon=0; ticks=0
	# Anonymous memory: the file's pages are page cache, mapped read-only.
	# CPU time too: on a busy machine the wall clock says little.
	while kill -0 $vp 2>/dev/null; do
		a=$(awk '/^RssAnon/ { print $2 }' /proc/$vp/status 2>/dev/null || true)
		[ -n "$a" ] && [ "$a" -gt "$anon" ] && anon=$a
		c=$(awk '{ print $14 + $15 }' /proc/$vp/stat 2>/dev/null || true)
		[ -n "$c" ] && ticks=$c; sleep 0.2
	done
	wait $vp && verdict=OK || verdict="exit $?"
	t1=$(now_ms)
	ec1=$(awk '/nistp256/ { v = $8 } END { printf "%.0f", v / 2 }' "$W/speed")
	cpu=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }')
	say "ocsp-db verify ($verdict): $n responses in $((t1 - t0)) ms wall, $cpu s CPU = $(awk -v n="$n" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.0f", n / c; else printf "-" }')/s of CPU, peak anonymous RSS $anon KiB; openssl speed P-256 verify, one core: $ec1/s"
}
bench_verify out/big.lmdb ec/ca.pem

# What an edge downloads after a small change: the P-256 CA's N serials,
# then K of them revoked; ocsp-edge-sync.sh from a real rsync daemon on
# 127.0.0.1 into copies of the old file, with rsync's default block size
# (about the square root of the file size) and 4096 and 8192 octets.
bench_edge_sync() {  # K
	mkdir -p es/pub es/old && : > ec/es.local
	sed -e "s|^output .*|output = es/pub/ec.lmdb|" -e "s|^authorities .*|authorities = issuing_ec|" \
	    -e "s|^cert_ids .*|cert_ids = sha256|" \
	    -e "s|^issued  = ec/index.txt|issued = ec/bench.index\nlocal_revocations = ec/es.local|" \
	    ocsp-gen.conf > es.conf
	# Three runs of K revocations first: the steady state, where the pages
	# freed by earlier runs are reused, not a fresh file's first change.
	for round in 1 2 3 4; do
		[ $round = 4 ] && cp es/pub/ec.lmdb es/old/ec.lmdb
		cut -f4 ec/bench.index | shuf -n "$1" | sed 's/$/ 20261101120000Z keyCompromise/' >> ec/es.local
		sort -u -o ec/es.local ec/es.local
		"$B/ocsp-gen" -q -c es.conf
	done
	printf 'pid file = %s/es/rsyncd.pid\nuse chroot = no\n[ocsp]\n    path = %s/es/pub\n    read only = yes\n    uid = %s\n    gid = %s\n' \
		"$PWD" "$PWD" "$(id -un)" "$(id -gn)" > es/rsyncd.conf
	port=$(t_ports 1)
	rsync --daemon --no-detach --config=es/rsyncd.conf --address=127.0.0.1 --port=$port &
	rsd=$!; i=0
	until rsync "rsync://127.0.0.1:$port/" > /dev/null 2>&1 || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
	size=$(stat -c %s es/pub/ec.lmdb)
	for bs in 0 8192 4096; do
		rm -rf es/edge && mkdir es/edge && cp -p es/old/ec.lmdb es/edge/
		opt="--stats --block-size=$bs"	# 0: rsync picks (about sqrt(size))
		t0=$(now_ms)
		# shellcheck disable=SC2086
		sh "$here/../packaging/edge-sync/ocsp-edge-sync.sh" "rsync://127.0.0.1:$port/ocsp/" es/edge/ $opt > es/stats.$bs
		t1=$(now_ms)
		cmp -s es/pub/ec.lmdb es/edge/ec.lmdb || say "edge sync ($bs): copy differs"
		say "edge sync, block $bs: $(awk -F': ' '/^Total bytes received/ { gsub(",", "", $2); r = $2 } /^Total bytes sent/ { gsub(",", "", $2); s = $2 } END { printf "%d octets received, %d sent", r, s }' es/stats.$bs) of $size, $((t1 - t0)) ms"
	done
	kill $rsd; wait $rsd 2>/dev/null || true
	say "(last run: $1 more revocations, about $1 responses re-signed of $N; literal data: $(awk -F': ' '/^Literal data/ { print $2 }' es/stats.4096 | tr -d ,) at 4096)"
}
say "== edge sync after a small change ($N responses, P-256, one hash)"
bench_edge_sync $((N / 1000))

say "== HTTP: one stored response, wrk -t2 -c50 -d${DUR}s, keep-alive, loopback"
"$B/ocsp-db" get out/sr-issuing_rsa.lmdb --issuer rsa/ca.pem --serial 100001 --hash sha256 > r.der
openssl ocsp -issuer rsa/ca.pem -sha256 -serial 0x100001 -no_nonce -reqout req.der
b64=$(base64 -w0 req.der | sed 's|+|%2B|g; s|/|%2F|g; s|=|%3D|g')
wrk_post_lua req.der post.lua
P1=28080; P2=28081; P3=28082; P4=28083
# Two and one worker threads: on this 2-core machine wrk competes for the
# same cores, and one thread can give the shorter tail.
"$B/ocsp-serve" --db out/big.lmdb --db out/sr-issuing_rsa.lmdb --listen 127.0.0.1:$P1 --threads 2 2> serve.log &
srv=$!
"$B/ocsp-serve" --db out/big.lmdb --db out/sr-issuing_rsa.lmdb --listen 127.0.0.1:$P4 --threads 1 2> serve1.log &
srv1=$!
mkdir -p www && cp r.der www/r.der
# The scratch directory is 0700: nginx workers must run as us to read it.
cat > nginx.conf <<EOT
user $(id -un);
worker_processes 2;
pid $W/pki/nginx.pid;
error_log $W/pki/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$P2;
        root $W/pki/www;
        default_type application/ocsp-response;
        location / { try_files /r.der =404; error_page 405 =200 /r.der; }
    }
}
EOT
nginx -c "$W/pki/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
cfssl_ok=0
if command -v cfssl > /dev/null; then
	base64 -w0 r.der > responses.txt; echo >> responses.txt
	cfssl ocspserve -address 127.0.0.1 -port $P3 -responses responses.txt 2> cfssl.log &
	cfssl_pid=$!
	cfssl_ok=1
fi
bench_wait_http $P1 $P2 $P4
[ "${cfssl_ok:-0}" = 0 ] || bench_wait_http $P3 || cfssl_ok=0
curl -sf -o /dev/null --data-binary @req.der "http://127.0.0.1:$P1/" || { say "ocsp-serve not answering"; exit 1; }
# Each case runs ROUNDS times, the cases alternating, so a noisy moment on
# this shared machine hits every server alike; medians are reported.
ROUNDS=${BENCH_ROUNDS:-3}
CASES="ocsp-serve_POST|http://127.0.0.1:$P1/|post.lua
ocsp-serve_1t_POST|http://127.0.0.1:$P4/|post.lua
nginx_POST|http://127.0.0.1:$P2/|post.lua
ocsp-serve_GET|http://127.0.0.1:$P1/$b64|
ocsp-serve_1t_GET|http://127.0.0.1:$P4/$b64|
nginx_GET|http://127.0.0.1:$P2/$b64|"
[ $cfssl_ok = 1 ] && CASES="$CASES
cfssl_POST|http://127.0.0.1:$P3/|post.lua"
to_us() { awk '{ v = $1; if (v ~ /us$/) v += 0; else if (v ~ /ms$/) v *= 1000; else if (v ~ /s$/) v *= 1000000; printf "%.0f", v }'; }
r=0
while [ $r -lt "$ROUNDS" ]; do
	echo "$CASES" | while IFS='|' read -r name url script; do
		if [ -n "$script" ]; then wrk -t2 -c50 -d"${DUR}s" --latency -s "$script" "$url" > "$W/wrk.out" 2>&1
		else wrk -t2 -c50 -d"${DUR}s" --latency "$url" > "$W/wrk.out" 2>&1; fi
		rps=$(awk '/^Requests\/sec/ { print $2 }' "$W/wrk.out")
		p50=$(awk '$1 == "50%" { print $2 }' "$W/wrk.out" | to_us)
		p99=$(awk '$1 == "99%" { print $2 }' "$W/wrk.out" | to_us)
		bad=$(awk '/Non-2xx|Socket errors/ { print "errors" }' "$W/wrk.out")
		echo "$rps $p50 $p99 $bad" >> "$W/res.$name"
	done
	r=$((r + 1))
done
med() {  # FILE COLUMN
	sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}
echo "$CASES" | while IFS='|' read -r name url script; do
	say "$(printf '%-20s %9.0f req/s  p50 %6s us  p99 %6s us%s' "$name" \
		"$(med "$W/res.$name" 1)" "$(med "$W/res.$name" 2)" "$(med "$W/res.$name" 3)" \
		"$(grep -q errors "$W/res.$name" && echo '  (errors seen)')")"
done
ratio() { awk -v a="$(med "$W/res.$1" 1)" -v b="$(med "$W/res.$2" 1)" 'BEGIN { printf "%.2f", a / b }'; }
say "medians of $ROUNDS rounds of ${DUR}s"
say "ratios, 2 threads: POST vs nginx $(ratio ocsp-serve_POST nginx_POST), GET vs nginx $(ratio ocsp-serve_GET nginx_GET)$([ $cfssl_ok = 1 ] && echo ", POST vs cfssl $(ratio ocsp-serve_POST cfssl_POST)")"
say "ratios, 1 thread:  POST vs nginx $(ratio ocsp-serve_1t_POST nginx_POST), GET vs nginx $(ratio ocsp-serve_1t_GET nginx_GET)$([ $cfssl_ok = 1 ] && echo ", POST vs cfssl $(ratio ocsp-serve_1t_POST cfssl_POST)")"
# ab_pair PORT_A PORT_B "ARGS_A" "ARGS_B": the same server twice, apart
# from ARGS, rounds alternating, POST keep-alive.  Sets AB_A and AB_B
# (median req/s) and AB_RATIO (B / A).
ab_pair() {
	"$B/ocsp-serve" --db out/rsa.lmdb --listen 127.0.0.1:$1 --threads 2 $3 2> ab.$1.log &
	ab0=$!
	"$B/ocsp-serve" --db out/rsa.lmdb --listen 127.0.0.1:$2 --threads 2 $4 2> ab.$2.log &
	ab1=$!
	bench_wait_http $1 $2
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		for p in $1 $2; do
			wrk -t2 -c50 -d"${DUR}s" -s post.lua "http://127.0.0.1:$p/" > "$W/wrk.out" 2>&1
			awk '/^Requests\/sec/ { print $2 }' "$W/wrk.out" >> "$W/ab.$p"
		done
		r=$((r + 1))
	done
	kill $ab0 $ab1; wait $ab0 $ab1 2>/dev/null || true
	AB_A=$(med "$W/ab.$1" 1); AB_B=$(med "$W/ab.$2" 1)
	AB_RATIO=$(awk -v a="$AB_B" -v b="$AB_A" 'BEGIN { printf "%.2f", a / b }')
}
# The access log's cost; goal >= 0.8x.
say "== access log: ocsp-serve POST, wrk -t2 -c50 -d${DUR}s, with and without --access-log"
ab_pair 28084 28085 "" "--access-log $W/access.log"
say "$(printf 'access log: without %.0f req/s, with %.0f req/s (%s lines): ratio %s' \
	"$AB_A" "$AB_B" "$(wc -l < "$W/access.log")" "$AB_RATIO")"
# The sandbox's cost (seccomp filter on every system call, Landlock on
# opens): the same server with --no-sandbox and with its default sandbox.
say "== sandbox: ocsp-serve POST, wrk -t2 -c50 -d${DUR}s, --no-sandbox and sandboxed"
ab_pair 28086 28087 "--no-sandbox" ""
say "$(printf 'sandbox: without %.0f req/s, with %.0f req/s: ratio %s' "$AB_A" "$AB_B" "$AB_RATIO")"
# Anonymous memory only: the map's clean file pages are the page cache's.
anon=$(awk '/^RssAnon/ { print $2 }' /proc/$srv/status)
resp=$("$B/ocsp-db" stats out/big.lmdb | awk '/^responses/ { print $2 }')
say "ocsp-serve anonymous (non-file-backed) RSS: $anon KiB after the runs above, serving $resp + $NR responses"
# A CRL of BENCH_CRL entries (default 1,000,000; ~37 MB), as a large CA
# publishes it: loaded the way ocsp-gen does, next to OpenSSL's X509_CRL.
bench_crl() {
	n=${BENCH_CRL:-1000000}
	say "== CRL of $n entries: parse + verify + entries, peak RSS"
	/usr/bin/python3 "$here/lib/mkcrl.py" --ca rsa/ca.pem --key rsa/ca.key \
		--number 1 --days 30 --bulk "$n" "$W/big.crl"
	cc -O2 -std=c11 -D_GNU_SOURCE -I"$here/../common/format" \
		-I"$here/../common/util" -I"$here/../generator" \
		"$here/bench/crl_load.c" "$here/../build/libgen.a" \
		"$here/../build/libcommon.a" -lcrypto -llmdb -o "$W/crl_load"
	say "file $(($(stat -c %s "$W/big.crl") / 1048576)) MiB"
	say "$("$W/crl_load" gen "$W/big.crl" rsa/ca.pem)"
	say "$("$W/crl_load" openssl "$W/big.crl" rsa/ca.pem)"
}
bench_crl
say "== make static vs the dynamic ocsp-serve (tests/bench/static.sh)"
BIN=$B sh "$here/bench/static.sh" | tee -a "$W/report"

echo
echo "---- report ----"
cat "$W/report"
