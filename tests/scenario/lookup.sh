#!/bin/sh
# A lookup that fails other than by "not found" is never passed off as
# unknown: the client gets internalError, the failure is counted per file
# and cause (ocsp_serve_lookup_failures_total) and logged once per file,
# and every other response of the file is still served.  Damaged copies
# are made with mdb_dump, tests/lib/dbedit.py and mdb_load.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 5
"$B/ocsp-gen" -c ocsp-gen.conf -q || { t_fail "ocsp-gen"; t_done; exit 1; }
mkdir -p dmg
mdb_dump -n out/responses.lmdb > dmg/good.dump
# A record that no longer decodes (RSA 1002 under SHA-1).
python3 "$here/lib/dbedit.py" dmg/good.dump dmg/record.dump record 1002 sha1 &&
	mdb_load -n -f dmg/record.dump dmg/record.lmdb 2>/dev/null || { t_fail "damaging a record"; t_done; exit 1; }
# The signer's certificate records gone: the responses that point at
# them ("\0certs" + signer id: keys 00 63 65 72 74 73 ...) cannot be served.
/usr/bin/python3 - dmg/good.dump dmg/certs.dump <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
out, i = [], 0
while i < len(lines):
    if lines[i].startswith(" 006365727473"):
        i += 2          # the key and its value
        continue
    out.append(lines[i])
    i += 1
open(sys.argv[2], "w").write("\n".join(out))
PY
mdb_load -n -f dmg/certs.dump dmg/certs.lmdb 2>/dev/null || { t_fail "removing the certs records"; t_done; exit 1; }

PORT=$(t_ports 2); MPORT=$((PORT + 1))
serve() {  # DB
	"$B/ocsp-serve" --db "$1" --listen "127.0.0.1:$PORT" --metrics-listen "127.0.0.1:$MPORT" \
		--threads 2 > "$T_TMP/serve.log" 2>&1 &
	SRV=$!
	t_bg $SRV
	t_wait_url "http://127.0.0.1:$MPORT/healthz"
}
stop() { kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; }
status_of() {  # CA SERIAL HASH: the OCSPResponseStatus octet, in hex
	openssl ocsp -issuer "$1/ca.pem" "-$3" -serial "0x$2" -no_nonce -reqout "$T_TMP/q.der"
	curl -s -o "$T_TMP/a.der" --data-binary @"$T_TMP/q.der" \
		-H 'Content-Type: application/ocsp-request' "http://127.0.0.1:$PORT/"
	# SEQUENCE { ENUMERATED status ... }: skip the outer tag and length.
	od -An -tx1 -N8 "$T_TMP/a.der" | awk '{ l = $2 == "82" ? 7 : $2 == "81" ? 6 : 5; print $l }'
}
MURL=http://127.0.0.1:$MPORT/metrics

serve dmg/record.lmdb
a=$(status_of rsa 1002 sha1); b=$(status_of rsa 1002 sha1); c=$(status_of rsa 1002 sha1)
[ "$a$b$c" = 020202 ] && t_ok "corrupt record: internalError, not unauthorized (3 times)" ||
	t_fail "corrupt record: statuses $a $b $c"
[ "$(od -An -tx1 "$T_TMP/a.der" | tr -d ' \n')" = 30030a0102 ] && t_ok "corrupt record: an unsigned internalError response" ||
	t_fail "corrupt record: answer $(od -An -tx1 "$T_TMP/a.der")"
[ "$(t_metric "$MURL" 'ocsp_serve_lookup_failures_total{db="dmg/record.lmdb",cause="corrupt_record"}')" = 3 ] &&
	t_ok "corrupt record: counted (3) with its file and cause" ||
	t_fail "corrupt record counted: $(curl -s "$MURL" | grep lookup_failures)"
[ "$(t_metric "$MURL" 'ocsp_serve_requests_total{method="POST",result="internalError"}')" = 3 ] &&
	t_ok "corrupt record: requests counted by result internalError" || t_fail "internalError result counted"
n=$(grep -c "dmg/record.lmdb: lookup failed (corrupt_record)" "$T_TMP/serve.log")
[ "$n" = 1 ] && t_ok "corrupt record: logged once for the file, naming the serial" ||
	{ t_fail "corrupt record logged $n times"; cat "$T_TMP/serve.log"; }
t_grep "corrupt record: the log line names hash and serial" "lookup failed \(corrupt_record\): sha1 serial 1002" "$T_TMP/serve.log"
[ "$(status_of rsa 1002 sha256)$(status_of rsa 1001 sha1)" = 0000 ] &&
	t_ok "corrupt record: the rest of the file is served" || t_fail "rest of the file served"
[ "$(status_of rsa 1FFF sha1)" = 06 ] && t_ok "an unknown serial is still unauthorized" || t_fail "unknown serial"
t_check "promtool accepts the new family" sh -c "curl -s http://127.0.0.1:$MPORT/metrics | promtool check metrics"
stop

serve dmg/certs.lmdb
a=$(status_of rsa 1001 sha1); b=$(status_of rsa 1003 sha256)
[ "$a$b" = 0202 ] && t_ok "missing signer certificates: internalError" || t_fail "missing certs: $a $b"
[ "$(t_metric "$MURL" 'ocsp_serve_lookup_failures_total{db="dmg/certs.lmdb",cause="signer_certs"}')" = 2 ] &&
	t_ok "missing signer certificates: counted (2) by cause" || t_fail "missing certs counted"
n=$(grep -c "lookup failed (signer_certs)" "$T_TMP/serve.log")
[ "$n" = 1 ] && t_ok "missing signer certificates: logged once" || t_fail "missing certs logged $n times"
stop
t_done
