#!/bin/sh
# ocsp-gen end to end: real SoftHSM token, real LMDB file, openssl verifies.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 20
DB=out/responses.lmdb

gen() { "$B/ocsp-gen" -c ocsp-gen.conf "$@" >"$T_TMP/gen.log" 2>&1; }
get() { "$B/ocsp-db" get "$DB" --issuer "$1/ca.pem" --serial "$2" --hash "$3" > "$T_TMP/r.der"; }
check_status() {  # CA SERIAL HASH STATUS [REASON]
	get "$1" "$2" "$3" || return 1
	verify_resp "$T_TMP/r.der" "$1/ca.pem" "$2" "$3" "$4" root.pem > "$T_TMP/v.out" ||
		{ cat "$T_TMP/v.out"; return 1; }
	[ -z "${5:-}" ] || grep -q "Reason: $5" "$T_TMP/v.out" || { cat "$T_TMP/v.out"; return 1; }
}

t_check "first run publishes" gen
t_grep "summary line" "published .*signed 120, kept 0, removed 0" "$T_TMP/gen.log"
for h in sha1 sha256; do
	t_check "rsa good ($h)" check_status rsa 1001 $h good
	t_check "rsa revoked by CRL, keyCompromise ($h)" check_status rsa 1003 $h revoked keyCompromise
	t_check "rsa revoked by CRL, superseded ($h)" check_status rsa 1005 $h revoked superseded
	t_check "rsa revoked locally ($h)" check_status rsa 1007 $h revoked keyCompromise
	t_check "ec good ($h)" check_status ec 2001 $h good
	t_check "ec revoked via index/CRL ($h)" check_status ec 2002 $h revoked cessationOfOperation
	t_check "self-signing CA good ($h)" check_status self 3000 $h good
	t_check "self-signing CA revoked ($h)" check_status self 3001 $h revoked affiliationChanged
done
get rsa 1001 sha1 && openssl ocsp -respin "$T_TMP/r.der" -resp_text -noverify > "$T_TMP/text" 2>&1
t_grep "responderID is byKey" "Responder Id: [0-9A-F]{40}" "$T_TMP/text"
t_grep "delegated signer's certificate included" "Subject: O ?= ?Demo PKI, CN ?= ?Demo OCSP RSA" "$T_TMP/text"
t_grep "RSA response signed sha256WithRSAEncryption" "Signature Algorithm: sha256WithRSAEncryption" "$T_TMP/text"
get ec 2001 sha1 && openssl ocsp -respin "$T_TMP/r.der" -resp_text -noverify > "$T_TMP/text" 2>&1
t_grep "EC response signed ecdsa-with-SHA256" "Signature Algorithm: ecdsa-with-SHA256" "$T_TMP/text"
if get rsa 1FFF sha1 2>/dev/null; then t_fail "serial never issued has no response"; else t_ok "serial never issued has no response"; fi

t_check "no-change re-run succeeds" gen
t_grep "no-change re-run signs 0" "signed 0, kept 120, removed 0" "$T_TMP/gen.log"
t_grep "no-change re-run does not republish" "unchanged" "$T_TMP/gen.log"
rm out/responses.lmdb.work
t_check "lost working copy: the run succeeds" gen
t_grep "working copy rebuilt from the published file" "signed 0, kept 120, removed 0" "$T_TMP/gen.log"
t_check "rebuilt working copy is private" sh -c "[ \"\$(stat -c %a out/responses.lmdb.work)\" = 600 ]"

PKI_DIR=$P pki_revoke rsa 1009 keyCompromise
t_check "re-run after one revocation" gen
# One serial, two CertID hashes (sha1, sha256): two responses.
t_grep "exactly that serial is re-signed" "issuing_rsa: 20 serials; signed 2, kept 38" "$T_TMP/gen.log"
t_check "new revocation served" check_status rsa 1009 sha256 revoked keyCompromise

sed -i '/^1013$/d' rsa/serials
t_check "re-run after removing a serial" gen
t_grep "its responses are removed" "issuing_rsa: 19 serials; signed 0, kept 38, removed 2" "$T_TMP/gen.log"

cp "$DB" "$T_TMP/published"
cp rsa/ca.crl "$T_TMP/good.crl"
unchanged() { cmp -s "$DB" "$T_TMP/published"; }
# bad_crl DESC EXPECTED-MESSAGE: run must fail, name the CRL, publish nothing.
bad_crl() {
	if gen; then t_fail "$1: run should fail"; else
		if grep -q "rsa/ca.crl.*$2" "$T_TMP/gen.log" && unchanged; then
			t_ok "$1: refused, file byte-identical"
		else t_fail "$1"; cat "$T_TMP/gen.log"; fi
	fi
	cp "$T_TMP/good.crl" rsa/ca.crl
}
head -c 400 "$T_TMP/good.crl" > rsa/ca.crl
bad_crl "truncated CRL" "truncated"
openssl crl -in "$T_TMP/good.crl" -outform DER | head -c 200 > rsa/ca.crl
bad_crl "truncated DER CRL" "truncated"
cp ec/ca.crl rsa/ca.crl
bad_crl "CRL of another CA" "issued by .*Issuing EC"
# A CRL with the RSA CA's name but signed by another key.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T_TMP/evil.key" 2>/dev/null
openssl req -x509 -new -key "$T_TMP/evil.key" -subj "/O=Demo PKI/CN=Demo Issuing RSA" -days 30 -out "$T_TMP/evil.pem" 2>/dev/null
sed "s|= rsa/ca.pem|= $T_TMP/evil.pem|; s|= rsa/ca.key|= $T_TMP/evil.key|" rsa/ca.cnf > "$T_TMP/evil.cnf"
openssl ca -config "$T_TMP/evil.cnf" -gencrl -out rsa/ca.crl 2>/dev/null
bad_crl "CRL signed by another key" "signature does not verify"
if OCSP_PRESIGN_NOW=$(( $(date +%s) + 40 * 86400 )) "$B/ocsp-gen" -c ocsp-gen.conf > "$T_TMP/gen.log" 2>&1; then
	t_fail "expired CRL: run should fail"
elif grep -q "expired" "$T_TMP/gen.log" && unchanged; then t_ok "expired CRL: refused, file byte-identical"
else t_fail "expired CRL"; cat "$T_TMP/gen.log"; fi

printf '1000\nnot-hex\n' > "$T_TMP/bad.serials"
sed "s|^issued .*= rsa/serials|issued = $T_TMP/bad.serials|" ocsp-gen.conf > "$T_TMP/bad.conf"
cp -r rsa ec self root.pem out "$T_TMP/" 2>/dev/null
if "$B/ocsp-gen" -c "$T_TMP/bad.conf" > "$T_TMP/gen.log" 2>&1; then t_fail "malformed serial list: run should fail"
else t_grep "malformed serial list names file and line" "bad.serials:2:" "$T_TMP/gen.log"; fi

t_check "dry run succeeds" gen --dry-run --force
t_grep "dry run reports" "dry run: would sign 118" "$T_TMP/gen.log"
t_check "dry run publishes nothing" unchanged

# Lock: a second concurrent run refuses to start.  The holder keeps the
# lock until told (10 s at most).
flock "$DB.lock" sh -c 'i=0; until [ -e "$1" ] || [ $i -ge 100 ]; do
	sleep 0.1; i=$((i + 1)); done' - "$T_TMP/release" &
holder=$!
t_bg $holder
t_until 5 sh -c '! flock -n "$1" true' - "$DB.lock" || t_fail "another process holds the lock"
gen; rc=$?
if [ $rc -eq 3 ] && grep -q "another ocsp-gen run" "$T_TMP/gen.log"; then t_ok "concurrent run refused (exit 3)"
else t_fail "concurrent run refused (exit $rc)"; cat "$T_TMP/gen.log"; fi
: > "$T_TMP/release"
wait $holder

# SIGKILL mid-signing: enlarge the job, kill it, the old file must stand.
pki_serials 5000 3000 >> rsa/serials
cp "$DB" "$T_TMP/published"
"$B/ocsp-gen" -c ocsp-gen.conf --force -v > "$T_TMP/gen.log" 2>&1 &
pid=$!
# The last authority's set-up line: signing begins.
t_until 30 grep -q "issuing_self: .* serials, signer" "$T_TMP/gen.log"
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; rc=$?
if [ $rc = 137 ] && unchanged && "$B/ocsp-db" stats "$DB" > /dev/null; then t_ok "SIGKILL mid-signing leaves the previous file valid"
else t_fail "SIGKILL mid-signing leaves the previous file valid (exit $rc: 137 if the kill landed)"; fi
# Temporary files of killed runs (other pids), for the file and its
# working copy: the next run removes them.
echo stale > out/.responses.lmdb.tmp.999999
echo stale > out/.responses.lmdb.work.tmp.999999
t_check "next run after SIGKILL succeeds" gen
t_grep "next run signs the new serials" "issuing_rsa: 3019 serials; signed 6000" "$T_TMP/gen.log"
t_check "no temporary files left behind" sh -c "! ls -a out | grep -q '\.tmp\.'"
t_check "response of a new serial verifies" check_status rsa 5BB7 sha256 good

t_check "--ca limits the run" gen --ca issuing_ec --force
t_grep "--ca signs only that authority" "^ocsp-gen: issuing_ec: 20 serials; signed 40" "$T_TMP/gen.log"
if grep -q issuing_rsa "$T_TMP/gen.log"; then t_fail "--ca leaves others alone"; else t_ok "--ca leaves others alone"; fi

# Signer validation: a delegate without OCSPSigning is refused up front.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T_TMP/noeku.key"
PKI_DIR=$P pki_cert "$T_TMP/noeku.key" "/CN=No EKU" ec/ca.pem ec/ca.key noeku 30 "$T_TMP/noeku.pem"
sed "/^\[signer_ec\]/,/^key/{s|^cert = .*|cert = $T_TMP/noeku.pem|;s|^key .*|key = $T_TMP/noeku.key|}" ocsp-gen.conf > "$T_TMP/noeku.conf"
if "$B/ocsp-gen" -c "$T_TMP/noeku.conf" > "$T_TMP/gen.log" 2>&1; then t_fail "signer without OCSPSigning refused"
else t_grep "signer without OCSPSigning refused, with reason" "issuing_ec: no usable signer: signer_ec: no OCSPSigning" "$T_TMP/gen.log"; fi

sed 's|pin-source=file:[^;]*|pin-value=0000|' ocsp-gen.conf > "$T_TMP/pin.conf"
if "$B/ocsp-gen" -c "$T_TMP/pin.conf" > "$T_TMP/gen.log" 2>&1; then t_fail "wrong PIN refused"
else t_grep "wrong PIN refused, naming the signer" "signer signer_rsa: login to token 'ocsp' failed" "$T_TMP/gen.log"; fi
if grep -q 0000 "$T_TMP/gen.log"; then t_fail "PIN never printed"; else t_ok "PIN never printed"; fi
t_check "file still unchanged after failures" "$B/ocsp-db" stats "$DB"

# ocsp-db check, for Nagios-style monitoring.
t_check "ocsp-db check: none expires within 1d" "$B/ocsp-db" check "$DB" --min-remaining 1d
"$B/ocsp-db" check "$DB" --min-remaining 8d > "$T_TMP/check.out" 2>&1; rc=$?
[ $rc = 2 ] && t_ok "ocsp-db check: exit 2 when responses expire within 8d" || t_fail "ocsp-db check: exit $rc, expected 2"
t_grep "ocsp-db check names issuer and serial" "^CRITICAL: issuing_(rsa|ec|self) sha(1|256) [0-9A-F]+ expires" "$T_TMP/check.out"
"$B/ocsp-db" dump "$DB" > "$T_TMP/dump.out"
t_grep "ocsp-db dump: one line per response" "^issuing_rsa sha256 1003 revoked .* keyCompromise " "$T_TMP/dump.out"

# Run metrics for node_exporter: written on success, untouched on failure.
sed 's|^authorities .*|&\nmetrics_file = out/ocsp_gen.prom|' ocsp-gen.conf > m.conf
t_check "run with metrics_file" "$B/ocsp-gen" -q -c m.conf
t_grep "metrics: last success time" "^ocsp_gen_last_success_timestamp_seconds [0-9]{10}$" out/ocsp_gen.prom
t_grep "metrics: per-authority counts" '^ocsp_gen_responses_kept\{authority="issuing_ec"\} 40$' out/ocsp_gen.prom
t_grep "metrics: signer expiry" '^ocsp_gen_signer_not_after_timestamp_seconds\{authority="issuing_rsa",signer="signer_rsa"\} [0-9]+$' out/ocsp_gen.prom
t_grep "metrics: CRL nextUpdate" '^ocsp_gen_crl_next_update_timestamp_seconds\{authority="issuing_ec"\} [0-9]+$' out/ocsp_gen.prom
t_grep "metrics: re-signed early" '^ocsp_gen_responses_resigned_early\{authority="issuing_ec"\} 0$' out/ocsp_gen.prom
cp out/ocsp_gen.prom "$T_TMP/prom"
head -c 300 "$T_TMP/good.crl" > rsa/ca.crl
"$B/ocsp-gen" -q -c m.conf 2>/dev/null
t_check "metrics untouched by a failed run" cmp out/ocsp_gen.prom "$T_TMP/prom"
cp "$T_TMP/good.crl" rsa/ca.crl
# rsync skips a file whose size and whole-second mtime match the edge's
# copy: every publication gets a later second than the file it replaces,
# even when the old one is dated ahead (two runs in a second, a clock step).
touch -d "@$(($(date +%s) + 3600))" "$DB"
before=$(stat -c %Y "$DB")
gen --force
t_check "a new publication is dated after the file it replaces" \
	test "$(stat -c %Y "$DB")" -gt "$before"
t_done
