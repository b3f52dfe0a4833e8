#!/bin/sh
# ocsp-serve --access-log: one line per request with the right fields for
# good, revoked, unauthorized, malformed and refused requests; a pipelined
# burst logs every request; SIGUSR1 after `mv` (logrotate) starts a new
# file and loses no line; "stderr" writes to the journal's stream;
# --access-log-ip full, truncate and none over IPv4 and IPv6.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 10
DB=out/responses.lmdb
"$B/ocsp-gen" -c ocsp-gen.conf -q || { t_fail "ocsp-gen"; t_done; exit 1; }
PORT=$(t_ports 2); MPORT=$((PORT + 1))
URL=http://127.0.0.1:$PORT
LOG=$T_TMP/log/access.log
mkdir -p "$T_TMP/log"
"$B/ocsp-serve" --db "$DB" --listen "127.0.0.1:$PORT" --metrics-listen "127.0.0.1:$MPORT" \
	--threads 2 --path-prefix /ocsp --access-log "$LOG" > "$T_TMP/serve.log" 2>&1 &
SRV=$!
t_bg $SRV
t_wait_url "http://127.0.0.1:$MPORT/healthz"

# wait_lines FILE N: until FILE has N lines (buffers go out once a second),
# 5 s at most.
wait_lines() {
	i=0
	until [ "$(cat "$1" 2>/dev/null | wc -l)" -ge "$2" ] || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
}
ask() {  # SERIAL
	openssl ocsp -url "$URL/ocsp" -issuer rsa/ca.pem -serial "0x$1" -no_nonce -noverify > /dev/null 2>&1
}
openssl ocsp -issuer rsa/ca.pem -serial 0x1001 -no_nonce -reqout "$T_TMP/req.der"
KH=$(openssl ocsp -reqin "$T_TMP/req.der" -req_text | awk '/Issuer Key Hash:/ { print $4 }')
ask 1001; ask 1003; ask 1fff
printf 'garbage' | curl -s -o /dev/null --data-binary @- "$URL/ocsp"
curl -s -o /dev/null -X DELETE "$URL/ocsp"
curl -s -o "$T_TMP/get.der" "$URL/ocsp/$(base64 -w0 "$T_TMP/req.der")"
wait_lines "$LOG" 6
cp "$LOG" "$T_TMP/first"
[ "$(wc -l < "$T_TMP/first")" -eq 6 ] && t_ok "six requests, six lines" || t_fail "six lines (got $(wc -l < "$T_TMP/first"))"
# line FIELDS...: exactly one line of the first batch has FIELDS from its
# second field on (the time varies; each thread writes its own buffer, so
# lines of different connections need not be in order).
line() {
	n=$(cut -d' ' -f2-7 "$T_TMP/first" | grep -cx -- "$*")
	if [ "$n" = 1 ]; then t_ok "line: $*"; else t_fail "line: $* ($n times)"; sed 's/^/     | /' "$T_TMP/first"; fi
}
line 127.0.0.1 POST "$KH" 1001 good 200
line 127.0.0.1 POST "$KH" 1003 revoked 200
line 127.0.0.1 POST "$KH" 1FFF unauthorized 200
line 127.0.0.1 POST - - malformed 200
line 127.0.0.1 - - - rejected 405
line 127.0.0.1 GET "$KH" 1001 good 200
t_check "every line: UTC time with ms, 9 fields, numeric bytes and microseconds" awk '
	NF != 9 || $1 !~ /^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9][0-9][0-9]Z$/ ||
	$8 !~ /^[0-9]+$/ || $9 !~ /^[0-9]+$/ { print "bad: " $0; bad = 1 } END { exit bad }' "$T_TMP/first"
size=$(wc -c < "$T_TMP/get.der")
t_check "bytes: the answer's head and body" awk -v s="$size" '$3 == "GET" { n++; if (!($8 > s && $8 < s + 1024)) exit 1 } END { exit n != 1 }' "$T_TMP/first"

# A pipelined burst on one connection: every request has its line.
openssl ocsp -issuer rsa/ca.pem -serial 0x1002 -no_nonce -reqout "$T_TMP/burst.der"
got=$(/usr/bin/python3 "$here/lib/pipeline.py" "$PORT" "$T_TMP/burst.der" 500)
[ "$got" = 500 ] && t_ok "pipelined burst: 500 answers" || t_fail "pipelined burst: $got answers"
wait_lines "$LOG" 506
n=$(grep -c " 1002 good 200 " "$LOG")
[ "$n" = 500 ] && t_ok "pipelined burst: 500 lines" || t_fail "pipelined burst: $n lines"

# logrotate: mv, then SIGUSR1, while a client keeps asking; then more.
/usr/bin/python3 "$here/lib/pipeline.py" "$PORT" "$T_TMP/burst.der" 300 > "$T_TMP/a1" &
c1=$!
mv "$LOG" "$LOG.1"
kill -USR1 $SRV
wait $c1
/usr/bin/python3 "$here/lib/pipeline.py" "$PORT" "$T_TMP/burst.der" 200 > "$T_TMP/a2"
asked=$((500 + $(cat "$T_TMP/a1") + $(cat "$T_TMP/a2")))
# Until every answer's line is out (buffers go out once a second).
logged() { [ "$(cat "$LOG.1" "$LOG" 2>/dev/null | grep -c " 1002 good 200 ")" -ge "$asked" ]; }
t_until 10 logged
t_check "SIGUSR1 after mv: a new file" test -s "$LOG"
# SIGHUP checks the files; two more checks after it, it has been handled.
kill -HUP $SRV
t_server_looked "http://127.0.0.1:$MPORT/metrics" "$DB"
t_check "SIGHUP keeps its meaning: files checked, server running" kill -0 $SRV
kill $SRV; wait $SRV 2>/dev/null
total=$(cat "$LOG.1" "$LOG" | grep -c " 1002 good 200 ")
[ "$total" = "$asked" ] && [ "$asked" = 1000 ] && t_ok "no line lost across the reopen ($total of $asked)" \
	|| t_fail "lines across the reopen: $total of $asked"
t_check "the server is still logging to the new file after SIGUSR1" grep -q " 1002 good " "$LOG"
# The packaged logrotate snippet, pointed at a fresh log and server.
LOG=$T_TMP/rot/access.log
mkdir -p "$T_TMP/rot"
"$B/ocsp-serve" --db "$DB" --listen "127.0.0.1:$PORT" --metrics-listen "127.0.0.1:$MPORT" \
	--threads 2 --access-log "$LOG" >> "$T_TMP/serve.log" 2>&1 &
SRV=$!
t_bg $SRV
t_wait_url "http://127.0.0.1:$MPORT/healthz"
/usr/bin/python3 "$here/lib/pipeline.py" "$PORT" "$T_TMP/burst.der" 100 > /dev/null
wait_lines "$LOG" 100
sed -e "s|^/var/log/ocsp-serve/access.log|$LOG|" \
    -e "s|systemctl kill --signal=USR1 ocsp-serve.service|kill -USR1 $SRV|" \
    "$here/../packaging/logrotate/ocsp-serve" > "$T_TMP/logrotate.conf"
t_check "logrotate with the packaged snippet" logrotate -f -s "$T_TMP/logrotate.state" "$T_TMP/logrotate.conf"
/usr/bin/python3 "$here/lib/pipeline.py" "$PORT" "$T_TMP/burst.der" 100 > /dev/null
wait_lines "$LOG" 100
kill $SRV; wait $SRV 2>/dev/null
n=$(cat "$LOG.1" "$LOG" 2>/dev/null | grep -c " 1002 good 200 ")
[ "$(wc -l < "$LOG.1")" = 100 ] && [ "$n" = 200 ] && t_ok "logrotate: old lines in access.log.1, new ones in a new file" \
	|| t_fail "logrotate: $n of 200 lines in $LOG.1 + $LOG"
t_check "no error logged by the server" sh -c "! grep -qi 'error' '$T_TMP/serve.log'"

# stderr, for journald.
"$B/ocsp-serve" --db "$DB" --listen "127.0.0.1:$PORT" --metrics-listen "127.0.0.1:$MPORT" \
	--threads 1 --access-log stderr > "$T_TMP/stderr.log" 2>&1 &
SRV=$!
t_bg $SRV
t_wait_url "http://127.0.0.1:$MPORT/healthz"
ask 1003
kill $SRV; wait $SRV 2>/dev/null
t_grep "--access-log stderr" " 127.0.0.1 POST $KH 1003 revoked 200 " "$T_TMP/stderr.log"
# --access-log-ip: the client's address, its network, or nothing.
ip_mode() {  # MODE LISTEN-ADDR CURL-HOST EXPECTED-CLIENT
	"$B/ocsp-serve" --db "$DB" --listen "$2:$PORT" --metrics-listen "127.0.0.1:$MPORT" \
		--threads 1 --access-log stderr --access-log-ip "$1" > "$T_TMP/ip.log" 2>&1 &
	SRV=$!
	t_bg $SRV
	t_wait_url "http://127.0.0.1:$MPORT/healthz"
	curl -s -o /dev/null --data-binary @"$T_TMP/req.der" "http://$3:$PORT/"
	kill $SRV; wait $SRV 2>/dev/null
	t_grep "--access-log-ip $1 ($3): client field '$4'" "Z $4 POST $KH 1001 good 200 " "$T_TMP/ip.log"
}
ip_mode full 127.0.0.1 127.0.0.1 127.0.0.1
ip_mode truncate 127.0.0.1 127.0.0.1 127.0.0.0
ip_mode none 127.0.0.1 127.0.0.1 -
if /usr/bin/python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	ip_mode full '[::1]' '[::1]' ::1
	ip_mode truncate '[::1]' '[::1]' ::
	ip_mode none '[::1]' '[::1]' -
else
	t_ok "--access-log-ip over IPv6: skipped, no ::1 here (the unit suite covers /48)"
fi
if "$B/ocsp-serve" --db "$DB" --listen "127.0.0.1:$PORT" --access-log-ip 24 > "$T_TMP/badip.log" 2>&1; then
	t_fail "--access-log-ip 24 refused"; else t_grep "--access-log-ip 24 refused with the usage" "access-log-ip" "$T_TMP/badip.log"; fi
if "$B/ocsp-serve" -n --db "$DB" --listen 127.0.0.1:1 --access-log /nonexistent/x/a.log > /dev/null 2>&1; then
	t_ok "-n does not open the log"; else t_fail "-n does not open the log"; fi
if "$B/ocsp-serve" --db "$DB" --listen "127.0.0.1:$PORT" --access-log /nonexistent/x/a.log > "$T_TMP/bad.log" 2>&1; then
	t_fail "unwritable log refused"; else t_grep "unwritable log refused with its name" "/nonexistent/x/a.log" "$T_TMP/bad.log"; fi
t_done
