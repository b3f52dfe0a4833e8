#!/bin/sh
# No rollback on the edge: a file published before the one served is
# refused (logged with both times, counted, shown by /healthz) until a newer
# one arrives; the same file again is a no-op; a restart accepts the older
# file.  The attack it stops: an older, still valid file renamed over the
# served one brings a revoked certificate back to "good".
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 10
DB=out/responses.lmdb
now=$(date +%s)
# Two publications a minute apart, the later one revoking 1002 (ahead of
# the clock: the test signers are valid from now on; openssl accepts five
# minutes of skew).
OCSP_PRESIGN_NOW=$((now + 60)) "$B/ocsp-gen" -c ocsp-gen.conf -q || { t_fail "ocsp-gen"; t_done; exit 1; }
cp "$DB" "$T_TMP/older.lmdb"
PKI_DIR=$P pki_revoke rsa 1002 keyCompromise
OCSP_PRESIGN_NOW=$((now + 120)) "$B/ocsp-gen" -c ocsp-gen.conf -q || { t_fail "ocsp-gen"; t_done; exit 1; }
cp "$DB" "$T_TMP/newer.lmdb"

PORT=$(t_ports 2); MPORT=$((PORT + 1))
URL=http://127.0.0.1:$PORT
start_server() {
	"$B/ocsp-serve" --db "$DB" --listen "127.0.0.1:$PORT" \
		--metrics-listen "127.0.0.1:$MPORT" --threads 1 >> "$T_TMP/serve.log" 2>&1 &
	SRV=$!
	t_bg $SRV
	t_wait_url "http://127.0.0.1:$MPORT/healthz"
}
stop_server() { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; }
status() {  # SERIAL: good / revoked as openssl verifies it
	openssl ocsp -url "$URL/ocsp" -issuer rsa/ca.pem -serial "0x$1" \
		-CAfile root.pem -no_nonce 2>&1 | sed -n "s/^0x$1: //p"
}
MURL=http://127.0.0.1:$MPORT/metrics
metric() { t_metric "$MURL" "$1"; }
healthz() { curl -s "http://127.0.0.1:$MPORT/healthz"; }
# put FILE: deliver FILE as rsync does (a new inode renamed over the path),
# then wait until the server's half-second check has looked at it.
put() { cp "$1" "$DB.tmp" && mv "$DB.tmp" "$DB" && looked; }
looked() { t_server_looked "$MURL" "$DB" || t_fail "the server looked at $DB"; }
M='{db="out/responses.lmdb"}'

start_server
[ "$(status 1002)" = revoked ] && t_ok "served: the newer file (1002 revoked)" || t_fail "newer file served"
put "$T_TMP/older.lmdb"
[ "$(status 1002)" = revoked ] && t_ok "older file renamed in: refused, 1002 still revoked" \
	|| t_fail "older file refused (1002 is $(status 1002))"
[ "$(metric "ocsp_serve_db_rollbacks_refused_total$M")" = 1 ] && t_ok "rollback counted" || t_fail "rollback counted"
[ "$(metric "ocsp_serve_db_swaps_total$M")" = 0 ] && t_ok "no swap" || t_fail "no swap"
older=$(date -u -d "@$((now + 60))" +%Y-%m-%dT%H:%M:%SZ)
newer=$(date -u -d "@$((now + 120))" +%Y-%m-%dT%H:%M:%SZ)
t_grep "refusal logged with both times" "refused a file generated $older.*older than the one served, generated $newer" "$T_TMP/serve.log"
healthz > "$T_TMP/h"
t_grep "/healthz says so" "warning: out/responses.lmdb: refused a file generated $older" "$T_TMP/h"
looked	# and again
[ "$(grep -c 'refused a file generated' "$T_TMP/serve.log")" = 1 ] && t_ok "logged once, not every check" || t_fail "logged once"
[ "$(metric "ocsp_serve_db_rollbacks_refused_total$M")" = 1 ] && t_ok "counted once" || t_fail "counted once"

# The served file again, as a fresh copy: a no-op.
put "$T_TMP/newer.lmdb"
[ "$(metric "ocsp_serve_db_swaps_total$M")" = 0 ] && t_ok "same generation: no swap" || t_fail "same generation: no swap"
[ "$(metric "ocsp_serve_db_rollbacks_refused_total$M")" = 1 ] && t_ok "same generation: not a rollback" || t_fail "same generation: not a rollback"
t_check "same generation: not logged as switched" sh -c "! grep -q 'switched to new file' '$T_TMP/serve.log'"
t_check "/healthz still warns until a newer file" grep -q "refused a file generated" "$T_TMP/h"

# A newer publication: swapped, the warning ends.
PKI_DIR=$P pki_revoke rsa 1004 superseded
OCSP_PRESIGN_NOW=$((now + 180)) "$B/ocsp-gen" -c ocsp-gen.conf -q
t_until 10 t_metric_ge "$MURL" "ocsp_serve_db_swaps_total$M" 1
[ "$(metric "ocsp_serve_db_swaps_total$M")" = 1 ] && t_ok "newer file: swapped" || t_fail "newer file: swapped"
healthz > "$T_TMP/h"
t_check "/healthz: warning gone" sh -c "! grep -q refused '$T_TMP/h' && grep -q '^ok' '$T_TMP/h'"
stop_server

# A restart accepts whatever valid file is there: the operator's rollback.
cp "$T_TMP/older.lmdb" "$DB"
start_server
[ "$(status 1002)" = good ] && t_ok "restart: the older file is served" || t_fail "restart accepts the older file"
[ "$(metric "ocsp_serve_db_rollbacks_refused_total$M")" = 0 ] && t_ok "restart: no refusal" || t_fail "restart: no refusal"
stop_server
t_done
