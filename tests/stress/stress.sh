#!/bin/sh
# make stress: the long fault runs.  STRESS_KILLS (default 50) SIGKILLs of
# ocsp-gen at random moments, and a STRESS_SOAK-second (default 60) soak of
# ocsp-serve at full load with RSS and open fds sampled every 5 s.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
KILLS=${STRESS_KILLS:-50}
SOAK=${STRESS_SOAK:-60}
t_start_pki 20
DB=out/responses.lmdb
"$B/ocsp-gen" -q -c ocsp-gen.conf || { t_fail "first run"; t_done; exit 1; }
pki_serials 6000 1500 >> rsa/serials

k=0; bad=0; old=0; new=0
while [ $k -lt "$KILLS" ]; do
	cp "$DB" "$T_TMP/before.lmdb"
	"$B/ocsp-gen" -q --force -c ocsp-gen.conf > /dev/null 2>&1 &
	pid=$!
	# 0 to 2.5 s: before, during and after signing and publication.
	sleep "$(od -An -N1 -tu1 /dev/urandom | awk '{ printf "%.2f", $1 / 100 }')"
	kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	if cmp -s "$DB" "$T_TMP/before.lmdb"; then old=$((old + 1)); else new=$((new + 1)); fi
	if ! "$B/ocsp-db" get "$DB" --issuer rsa/ca.pem --serial 1001 > r.der 2>/dev/null ||
	   ! openssl ocsp -respin r.der -issuer rsa/ca.pem -serial 0x1001 -CAfile root.pem \
		-no_nonce 2>&1 | grep -q "Response verify OK"; then bad=$((bad + 1)); fi
	k=$((k + 1))
done
[ $bad = 0 ] && t_ok "$KILLS SIGKILLs: file always valid ($old times the old one, $new times a new one)" ||
	t_fail "$KILLS SIGKILLs: $bad bad files"
t_check "a run after the kills completes" "$B/ocsp-gen" -q -c ocsp-gen.conf
t_check "no temporary files left" sh -c "! ls -a out | grep -q '\.tmp\.'"

PORT=$(t_ports 1)
"$B/ocsp-serve" --db "$DB" --listen 127.0.0.1:$PORT --threads 2 2> serve.log &
SRV=$!; t_bg $SRV
t_until 5 t_listening "$PORT"
openssl ocsp -issuer rsa/ca.pem -serial 0x1001 -no_nonce -reqout req.der
wrk_post_lua req.der post.lua
sample() { echo "$(awk '/^RssAnon/ { print $2 }' /proc/$SRV/status) $(ls /proc/$SRV/fd | wc -l)"; }
base_fds=$(ls /proc/$SRV/fd | wc -l)
wrk -t2 -c100 -d"${SOAK}s" -s post.lua "http://127.0.0.1:$PORT/" > wrk.out 2>&1 &
WRK=$!; t_bg $WRK
sleep 5
first=$(sample)
i=5
while [ $i -lt "$SOAK" ]; do sample >> samples; sleep 5; i=$((i + 5)); done
wait $WRK
last=$(sample)
echo "anon KiB / fds every 5 s: $(tr '\n' ',' < samples)"
rps=$(awk '/^Requests\/sec/ { print $2 }' wrk.out)
max_anon=$(sort -n samples | tail -1 | cut -d' ' -f1)
set -- $first
[ "$max_anon" -le $(( $1 + 1024 )) ] && t_ok "soak ${SOAK}s at $rps req/s: anonymous RSS flat ($1 -> max $max_anon KiB)" ||
	t_fail "soak: anonymous RSS grew from $1 to $max_anon KiB"
# The server closes the load's connections as it sees them end.
fds_at_most() { [ "$(ls /proc/$SRV/fd | wc -l)" -le "$1" ]; }
t_until 5 fds_at_most "$base_fds"
fds_after=$(ls /proc/$SRV/fd | wc -l)
[ "$fds_after" -le "$base_fds" ] && t_ok "soak: fds back to $fds_after after the load (was $base_fds before)" ||
	t_fail "soak: $fds_after fds after the load, $base_fds before"
grep -q "Non-2xx\|Socket errors" wrk.out && t_fail "soak: wrk saw errors: $(grep 'Non-2xx\|Socket errors' wrk.out)" || t_ok "soak: no errors"
t_done
