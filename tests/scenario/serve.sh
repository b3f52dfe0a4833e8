#!/bin/sh
# ocsp-serve end to end on 127.0.0.1: real files from ocsp-gen, openssl and
# curl as clients, hot swap under a client loop.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 20
DB=out/responses.lmdb
"$B/ocsp-gen" -c ocsp-gen.conf -q || { t_fail "ocsp-gen"; t_done; exit 1; }

PORT=$(t_ports 2); MPORT=$((PORT + 1))
URL=http://127.0.0.1:$PORT
start_server() {  # extra env/args via "$@"
	"$@" "$B/ocsp-serve" --db "$DB" --listen "127.0.0.1:$PORT" \
		--metrics-listen "127.0.0.1:$MPORT" --threads 2 \
		--path-prefix /ocsp ${SERVE_ARGS:-} > "$T_TMP/serve.log" 2>&1 &
	SRV=$!
	t_bg $SRV
	t_wait_url "http://127.0.0.1:$MPORT/healthz"
}
stop_server() {
	kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null
	# Under SANITIZE=1 the server's own exit is checked for leaks and errors.
	if grep -q "Sanitizer\|runtime error" "$T_TMP/serve.log"; then
		t_fail "server exit: sanitizer report"; grep -A5 "Sanitizer\|runtime error" "$T_TMP/serve.log" | head -20
	else t_ok "server exited cleanly on SIGTERM"; fi
}
post() {  # CA SERIAL HASH EXPECT
	out=$(openssl ocsp -url "$URL/ocsp" -issuer "$1/ca.pem" "-$3" -serial "0x$2" \
		-CAfile root.pem -no_nonce 2>&1)
	echo "$out"
	echo "$out" | grep -q "Response verify OK" && echo "$out" | grep -q "^0x$2: $4"
}
MURL=http://127.0.0.1:$MPORT/metrics

SERVE_ARGS="--user nobody" start_server
t_check "server runs as the --user after binding" sh -c "grep -Eq '^Uid:[[:space:]]+$(id -u nobody)[[:space:]]' /proc/$SRV/status"
t_check "-n checks files and exits" "$B/ocsp-serve" -n --db "$DB" --listen 127.0.0.1:1
for h in sha1 sha256; do
	t_check "POST good verifies ($h)" post rsa 1001 $h good
	t_check "POST revoked verifies ($h)" post rsa 1003 $h revoked
	t_check "POST EC CA good ($h)" post ec 2001 $h good
done
out=$(openssl ocsp -url "$URL/ocsp" -issuer rsa/ca.pem -serial 0x1001 -CAfile root.pem 2>&1)
if echo "$out" | grep -q "Response verify OK" && echo "$out" | grep -q "0x1001: good"; then
	t_ok "request nonce ignored, answer still verifies"; else t_fail "request nonce ignored"; echo "$out"; fi
out=$(openssl ocsp -url "$URL/ocsp" -issuer rsa/ca.pem -serial 0x1FFF -CAfile root.pem -no_nonce 2>&1)
if echo "$out" | grep -q "unauthorized (6)"; then t_ok "unknown serial: unauthorized"; else t_fail "unknown serial: unauthorized"; echo "$out"; fi
out=$(openssl ocsp -url "$URL/ocsp" -issuer root.pem -serial 0x1001 -CAfile root.pem -no_nonce 2>&1)
if echo "$out" | grep -q "unauthorized (6)"; then t_ok "issuer not served: unauthorized"; else t_fail "issuer not served"; echo "$out"; fi

# A request as richer clients send it (version, requestorName, non-critical
# single and request extensions): extensions ignored, answer good.
openssl ocsp -issuer rsa/ca.pem -serial 0x1001 -no_nonce -reqout "$T_TMP/plain.der"
/usr/bin/python3 "$here/lib/nsslike.py" "$T_TMP/plain.der" "$T_TMP/rich.der"
curl -s -o "$T_TMP/rich.resp" --data-binary @"$T_TMP/rich.der" -H 'Content-Type: application/ocsp-request' "$URL/ocsp"
t_check "request with extensions and requestorName: good, verified" sh -c "openssl ocsp -respin $T_TMP/rich.resp -issuer rsa/ca.pem -serial 0x1001 -CAfile root.pem -no_nonce 2>&1 | grep -q '0x1001: good'"

# GET: raw base64, percent-encoded, base64url without padding: same bytes.
openssl ocsp -issuer rsa/ca.pem -sha256 -serial 0x1003 -no_nonce -reqout "$T_TMP/req.der"
raw=$(base64 -w0 "$T_TMP/req.der")
pct=$(printf '%s' "$raw" | sed 's|+|%2B|g; s|/|%2F|g; s|=|%3D|g')
url=$(printf '%s' "$raw" | tr '+/' '-_' | tr -d '=')
curl -s -o "$T_TMP/g1.der" "$URL/ocsp/$raw"
curl -s -o "$T_TMP/g2.der" "$URL/ocsp/$pct"
curl -s -o "$T_TMP/g3.der" "$URL/ocsp/$url"
t_check "GET raw base64 verifies" sh -c "openssl ocsp -respin $T_TMP/g1.der -issuer rsa/ca.pem -sha256 -serial 0x1003 -CAfile root.pem -no_nonce 2>&1 | grep -q '0x1003: revoked'"
t_check "GET percent-encoded gives identical bytes" cmp "$T_TMP/g1.der" "$T_TMP/g2.der"
t_check "GET base64url without padding gives identical bytes" cmp "$T_TMP/g1.der" "$T_TMP/g3.der"
curl -s -D "$T_TMP/h" -o /dev/null "$URL/ocsp/$raw"
t_grep "GET: content type" "^Content-Type: application/ocsp-response" "$T_TMP/h"
t_grep "GET: Cache-Control" "^Cache-Control: max-age=86400, public, no-transform, must-revalidate" "$T_TMP/h"
t_grep "GET: Last-Modified" "^Last-Modified: " "$T_TMP/h"
t_grep "GET: Expires" "^Expires: " "$T_TMP/h"
etag=$(awk '/^ETag:/ { print $2 }' "$T_TMP/h" | tr -d '\r')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$URL/ocsp/$raw")
[ "$code" = 304 ] && t_ok "If-None-Match: 304" || t_fail "If-None-Match: 304 (got $code)"
size=$(curl -s -I -o /dev/null -w '%{size_download} %{http_code}' "$URL/ocsp/$raw")
[ "$size" = "0 200" ] && t_ok "HEAD: 200 without body" || t_fail "HEAD (got $size)"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: 127.0.0.1' "$URL/other/$raw")
[ "$code" = 404 ] && t_ok "outside --path-prefix: 404" || t_fail "outside --path-prefix: 404 (got $code)"

# Malformed, two requests, oversize.
printf 'garbage' > "$T_TMP/bad"
curl -s -o "$T_TMP/m.der" --data-binary @"$T_TMP/bad" -H 'Content-Type: application/ocsp-request' "$URL/ocsp"
t_check "garbage POST: malformedRequest" sh -c "[ \"\$(od -An -tx1 $T_TMP/m.der | tr -d ' \n')\" = 3003 0a0101 ] || [ \"\$(od -An -tx1 $T_TMP/m.der | tr -d ' \n')\" = 30030a0101 ]"
t_check "garbage POST: no-cache" sh -c "curl -s -D- -o /dev/null --data-binary @$T_TMP/bad $URL/ocsp | grep -q 'Cache-Control: no-cache'"
openssl ocsp -issuer rsa/ca.pem -serial 0x1001 -serial 0x1002 -no_nonce -reqout "$T_TMP/two.der"
curl -s -o "$T_TMP/m.der" --data-binary @"$T_TMP/two.der" "$URL/ocsp"
t_check "two requests: malformedRequest" sh -c "[ \"\$(od -An -tx1 $T_TMP/m.der | tr -d ' \n')\" = 30030a0101 ]"
head -c 11264 /dev/zero > "$T_TMP/big"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T_TMP/big" "$URL/ocsp")
[ "$code" = 413 ] && t_ok "11 KiB body: 413" || t_fail "11 KiB body: 413 (got $code)"
t_check "server alive after bad requests" post rsa 1001 sha1 good

# Hot swap under load: revoke 1002, regenerate, rename; zero failures.
( i=0; f=0; while [ $i -lt 300 ]; do
	curl -sf -o "$T_TMP/loop.der" "$URL/ocsp/$raw" && [ -s "$T_TMP/loop.der" ] || f=$((f + 1))
	i=$((i + 1)); done; echo $f > "$T_TMP/loop.fails" ) &
loop=$!
t_bg $loop
cp "$DB" "$T_TMP/old.lmdb"
PKI_DIR=$P pki_revoke rsa 1002 keyCompromise
"$B/ocsp-gen" -c ocsp-gen.conf -q
i=0; until post rsa 1002 sha1 revoked > /dev/null || [ $i -ge 20 ]; do sleep 0.1; i=$((i + 1)); done
[ $i -lt 20 ] && t_ok "hot swap: revoked within 2 s ($((i * 100)) ms)" || t_fail "hot swap: revoked within 2 s"
wait $loop
[ "$(cat "$T_TMP/loop.fails")" = 0 ] && t_ok "hot swap: client loop saw zero failures" || t_fail "hot swap: client loop failures: $(cat "$T_TMP/loop.fails")"
[ "$(t_metric "$MURL" 'ocsp_serve_db_swaps_total{db="out/responses.lmdb"}')" = 1 ] && t_ok "swap counted" || t_fail "swap counted"

# A corrupt file renamed over is refused; the old answers go on.
head -c 20000 "$DB" > out/corrupt.tmp; mv out/corrupt.tmp "$DB.new"; mv "$DB.new" "$DB"
t_until 10 t_metric_ge "$MURL" 'ocsp_serve_db_swaps_refused_total{db="out/responses.lmdb"}' 1
t_check "corrupt file refused, answers continue" post rsa 1002 sha1 revoked
[ "$(t_metric "$MURL" 'ocsp_serve_db_swaps_refused_total{db="out/responses.lmdb"}')" = 1 ] && t_ok "refused swap counted" || t_fail "refused swap counted"
t_grep "refusal logged" "new file refused" "$T_TMP/serve.log"
cp "$T_TMP/old.lmdb" "$DB.new"; mv "$DB.new" "$DB"
rm -f "$DB"
t_until 10 t_metric_ge "$MURL" 'ocsp_serve_db_missing{db="out/responses.lmdb"}' 1
t_check "file deleted: still serving" post rsa 1001 sha1 good
t_check "file deleted: /healthz says so" sh -c "curl -s http://127.0.0.1:$MPORT/healthz | grep -q 'was deleted'"
t_check "metrics: requests by result" sh -c "curl -s http://127.0.0.1:$MPORT/metrics | grep -Eq 'ocsp_serve_requests_total\\{method=\"POST\",result=\"revoked\"\\} [1-9]'"
stop_server
cp "$T_TMP/old.lmdb" "$DB"

# Past nextUpdate: tryLater, never the stale DER.
start_server env OCSP_PRESIGN_NOW=$(( $(date +%s) + 8 * 86400 ))
curl -s -o "$T_TMP/t.der" "$URL/ocsp/$raw"
t_check "stale response: tryLater" sh -c "[ \"\$(od -An -tx1 $T_TMP/t.der | tr -d ' \n')\" = 30030a0103 ]"
t_check "stale: /healthz unhealthy" sh -c "! curl -sf http://127.0.0.1:$MPORT/healthz"
[ "$(t_metric "$MURL" 'ocsp_serve_requests_total{method="GET",result="tryLater"}')" = 1 ] && t_ok "tryLater counted" || t_fail "tryLater counted"
stop_server

# A file that is not ours is refused at start.
printf 'not lmdb' > "$T_TMP/junk"
if "$B/ocsp-serve" -n --db "$T_TMP/junk" --listen 127.0.0.1:1 > "$T_TMP/n.log" 2>&1; then t_fail "junk file refused"
else t_grep "junk file refused with its name" "junk" "$T_TMP/n.log"; fi
t_done
