#!/bin/sh
# make static vs the dynamic build of ocsp-serve, on the same file and the
# same machine: size on disk, start time, POST throughput and latency.
#   BIN=$PWD/bin sh tests/bench/static.sh     (bench.sh calls it last)
# Start: `ocsp-serve -n` (exec, loading, opening the file, exit) and the
# time until /healthz first answers, each the median of BENCH_STARTS runs,
# the two builds alternating.  Throughput: wrk -t2 -c50 -dBENCH_SECONDS,
# keep-alive POST of one stored response, BENCH_ROUNDS rounds alternating
# the two servers (both --threads 2); medians.  Nothing here asserts a time.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/bench.sh"
bench_init bench-static
DUR=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
STARTS=${BENCH_STARTS:-15}
trap 'kill ${sd:-} ${ss:-} 2>/dev/null; rm -rf "$W"' EXIT
now_us() { date +%s%6N; }
med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Both builds side by side: the dynamic one as `make` left it in BIN, the
# static one from `make static`, after which plain `make` restores bin/.
cp "$B/ocsp-serve" "$W/dynamic"
make -C "$top" -s static > /dev/null 2>&1
cp "$top/bin/ocsp-serve" "$W/static"
make -C "$top" -s all > /dev/null 2>&1
file "$W/static" | grep -Eq 'statically linked|static-pie linked' || { echo "static bench: no static build" >&2; exit 1; }

bench_pki
"$B/ocsp-gen" -q -c ocsp-gen.conf
DB=out/responses.lmdb
strip -o "$W/dynamic.stripped" "$W/dynamic"
libs=$(ldd "$W/dynamic" | awk '$3 ~ /^\// { print $3 }' | xargs stat -L -c %s | awk '{ s += $1 } END { print s }')
echo "size: static $(stat -c %s "$W/static") octets (stripped, one file); dynamic $(stat -c %s "$W/dynamic.stripped") stripped + $libs in $(ldd "$W/dynamic" | awk '$3 ~ /^\// { n++ } END { print n }') shared libraries"

# Start time.
port=$(t_ports 4); mport=$((port + 1)); pd=$((port + 2)); ps=$((port + 3))
i=0
while [ $i -lt "$STARTS" ]; do
	for k in dynamic static; do
		t0=$(now_us); "$W/$k" -n --db "$DB" --listen 127.0.0.1:1 > /dev/null; t1=$(now_us)
		echo $((t1 - t0)) >> "$W/n.$k"
		t0=$(now_us)
		"$W/$k" --db "$DB" --listen "127.0.0.1:$port" --metrics-listen "127.0.0.1:$mport" \
			--threads 2 2> /dev/null &
		p=$!; j=0
		until curl -s -o /dev/null "http://127.0.0.1:$mport/healthz" || [ $j -ge 2000 ]; do j=$((j + 1)); done
		t1=$(now_us)
		kill $p; wait $p 2>/dev/null || true
		echo $((t1 - t0)) >> "$W/up.$k"
	done
	i=$((i + 1))
done
for k in dynamic static; do
	echo "start, $k: -n $(med < "$W/n.$k") us, first /healthz answer $(med < "$W/up.$k") us (medians of $STARTS)"
done

# Throughput, both servers up, rounds alternating.
openssl ocsp -issuer rsa/ca.pem -serial 0x1001 -no_nonce -reqout req.der
wrk_post_lua req.der post.lua
"$W/dynamic" --db "$DB" --listen "127.0.0.1:$pd" --threads 2 2> dyn.log &
sd=$!
"$W/static" --db "$DB" --listen "127.0.0.1:$ps" --threads 2 2> sta.log &
ss=$!
for p in $pd $ps; do
	j=0; until curl -s -o /dev/null --data-binary @req.der "http://127.0.0.1:$p/" || [ $j -ge 50 ]; do sleep 0.1; j=$((j + 1)); done
done
to_us() { awk '{ v = $1; if (v ~ /us$/) v += 0; else if (v ~ /ms$/) v *= 1000; else if (v ~ /s$/) v *= 1000000; printf "%.0f", v }'; }
r=0
while [ $r -lt "$ROUNDS" ]; do
	for k in dynamic static; do
		p=$pd; [ $k = static ] && p=$ps
		wrk -t2 -c50 -d"${DUR}s" --latency -s post.lua "http://127.0.0.1:$p/" > "$W/wrk.out" 2>&1
		awk '/^Requests\/sec/ { print $2 }' "$W/wrk.out" >> "$W/rps.$k"
		awk '$1 == "99%" { print $2 }' "$W/wrk.out" | to_us >> "$W/p99.$k"; echo >> "$W/p99.$k"
		grep -Eq 'Non-2xx|Socket errors' "$W/wrk.out" && echo "errors in a $k round" >&2
	done
	r=$((r + 1))
done
anon() { awk '/^RssAnon/ { print $2 }' "/proc/$1/status"; }
for k in dynamic static; do
	pid=$sd; [ $k = static ] && pid=$ss
	echo "$(printf 'POST, %-7s %9.0f req/s  p99 %6s us  anonymous RSS %s KiB' "$k" \
		"$(med < "$W/rps.$k")" "$(grep . "$W/p99.$k" | med)" "$(anon $pid)")"
done
echo "static / dynamic throughput: $(awk -v a="$(med < "$W/rps.static")" -v b="$(med < "$W/rps.dynamic")" \
	'BEGIN { printf "%.2f", a / b }') (medians of $ROUNDS rounds of ${DUR}s, wrk -t2 -c50)"
