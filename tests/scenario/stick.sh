#!/bin/sh
# Revocations stick, and the history that guards them fails closed
# (RFC 5280: revocation is permanent; only certificateHold is released).
# CRLs as AD CS makes them (tests/lib/mkcrl.py): a CRL that drops an
# expired entry, a CA restored from a backup, a hold that ends, a local
# line removed, a serial that leaves `issued`, the operator's release; a
# damaged published file or working copy under an older CRL; CRL scope
# (cRLSign); --check with per-authority outputs.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 20
DB=out/responses.lmdb
sed -i 's|^authorities .*|&\nmetrics_file = out/gen.prom|' ocsp-gen.conf

gen() { "$B/ocsp-gen" -c ocsp-gen.conf "$@" >"$T_TMP/gen.log" 2>&1; }
mk() { o=$1; n=$2; shift 2
	/usr/bin/python3 "$here/lib/mkcrl.py" --ca rsa/ca.pem --key rsa/ca.key \
		--days 30 --number "$n" "$@" "$o" || t_fail "mkcrl $o"; }
# status SERIAL STATUS [REASON [TIME]]: openssl verifies both hashes.
status() {
	for h in sha1 sha256; do
		"$B/ocsp-db" get "$DB" --issuer rsa/ca.pem --serial "$1" --hash $h \
			> "$T_TMP/r.der" || return 1
		verify_resp "$T_TMP/r.der" rsa/ca.pem "$1" $h "$2" root.pem \
			> "$T_TMP/v.out" || { cat "$T_TMP/v.out"; return 1; }
		[ -z "${3:-}" ] || grep -q "Reason: $3" "$T_TMP/v.out" ||
			{ cat "$T_TMP/v.out"; return 1; }
		[ -z "${4:-}" ] || grep -q "Revocation Time: $4" "$T_TMP/v.out" ||
			{ cat "$T_TMP/v.out"; return 1; }
	done
}
kept_metric() { awk '$1 == "ocsp_gen_revocations_kept{authority=\"issuing_rsa\"}" { print $2 }' out/gen.prom; }
# refused DESC PATTERN: exit 1, stderr matches, published file untouched.
refused() {
	cp "$DB" "$T_TMP/published"
	gen "$@" ; rc=$?
	if [ $rc -eq 1 ] && grep -Eq -- "$PAT" "$T_TMP/gen.log" &&
	   cmp -s "$DB" "$T_TMP/published"; then t_ok "$DESC: refused (exit 1), file byte-identical"
	else t_fail "$DESC (exit $rc)"; sed 's/^/     | /' "$T_TMP/gen.log"; fi
}
T1="Jan  1 00:00:00 2025 GMT"

# CRL 10: 1003 keyCompromise, 1004 on hold; 1007 keyCompromise locally.
mk rsa/ca.crl 10 --revoke 1003:keyCompromise --revoke 1004:certificateHold
t_check "CRL 10 accepted" gen
t_check "1003 revoked, keyCompromise" status 1003 revoked keyCompromise "$T1"
t_check "1004 on hold" status 1004 revoked certificateHold
t_check "nothing kept yet" test "$(kept_metric)" = 0

# The CA drops 1003 (expired) and ends the hold on 1004.
mk rsa/ca.crl 11
t_check "CRL 11 without 1003 and 1004: run succeeds" gen
t_check "dropped keyCompromise stays revoked, same time and reason" status 1003 revoked keyCompromise "$T1"
t_check "hold no longer listed reads good" status 1004 good
t_grep "kept revocation named in a warning" "warning: issuing_rsa: 1 revocation kept that the inputs no longer carry .*1003 \(keyCompromise\)" "$T_TMP/gen.log"
t_check "kept revocation counted in metrics_file" test "$(kept_metric)" = 1

# A CA restored from a backup: CRL 12 revokes 1005, the restored CA's
# CRL 13 (a higher number) never heard of it.
mk rsa/ca.crl 12 --revoke 1005:cACompromise --revoked-at 20250301000000Z
gen
t_check "1005 revoked by CRL 12" status 1005 revoked cACompromise
mk rsa/ca.crl 13
t_check "restored CA's CRL 13: run succeeds" gen
t_check "restored CA: 1005 stays revoked" status 1005 revoked cACompromise "Mar  1 00:00:00 2025 GMT"
t_check "restored CA: both counted" test "$(kept_metric)" = 2

# A hold over a permanent revocation does not release it later.
mk rsa/ca.crl 14 --revoke 1003:certificateHold
gen
t_check "a later hold does not weaken keyCompromise" status 1003 revoked keyCompromise

# The local list loses its line; the serial leaves `issued`.
sed -i '/^1007/d' rsa/local
sed -i '/^1005$/d' rsa/serials
t_check "local line and issued serial removed: run succeeds" gen
t_check "local revocation stays" status 1007 revoked keyCompromise
t_check "serial gone from issued stays revoked (not unauthorized)" status 1005 revoked cACompromise
t_check "four kept" test "$(kept_metric)" = 3 -o "$(kept_metric)" = 4
"$B/ocsp-db" dump "$DB" | grep -c ' revoked' > "$T_TMP/nrev"

# The operator's release: only with --ca, logged, and only what the
# inputs no longer list.
gen --release 1007; rc=$?
t_check "--release without --ca: usage error (exit 2)" test $rc -eq 2
t_check "--release 1007: run succeeds" gen --ca issuing_rsa --release 1007
t_grep "release logged with what was forgotten" "warning: --release 1007: forgot its revocation \(keyCompromise, " "$T_TMP/gen.log"
t_check "released serial reads good" status 1007 good
t_check "others stay revoked" status 1003 revoked keyCompromise
t_check "released stays released on the next run" sh -c "'$B/ocsp-gen' -c ocsp-gen.conf -q && true"
t_check "released: still good" status 1007 good
mk rsa/ca.crl 15 --revoke 1006:keyCompromise
gen
gen --ca issuing_rsa --release 1006
t_grep "release of a serial the CRL lists: refused in words" "warning: --release 1006: the inputs still list it revoked" "$T_TMP/gen.log"
t_check "release of a serial the CRL lists: stays revoked" status 1006 revoked keyCompromise

# Fail closed.  An older CRL is refused by the working copy's memory even
# when the published file is damaged ...
cp "$DB" "$T_TMP/good.lmdb"
head -c 12000 "$T_TMP/good.lmdb" > "$DB"
mk rsa/ca.crl 12 --revoke 1005:cACompromise
DESC="older CRL under a damaged published file" PAT="CRL number 12 is lower than 15, the last one .*responses.lmdb.work accepted" refused
# ... and with the working copy gone too, nothing is started afresh.
mv out/responses.lmdb.work "$T_TMP/work.lmdb"
mk rsa/ca.crl 16 --revoke 1006:keyCompromise
DESC="damaged published file, no working copy" PAT="responses.lmdb: the published file cannot be read .*restore it .*move it away" refused
t_check "damaged published file: no working copy made" test ! -e out/responses.lmdb.work
"$B/ocsp-gen" -c ocsp-gen.conf --check > "$T_TMP/check.out" 2>&1; rc=$?
t_check "--check says the same (exit 1)" test $rc -eq 1
t_grep "--check names the file" "published file cannot be read" "$T_TMP/check.out"
cp "$T_TMP/good.lmdb" "$DB"
t_check "restored published file: run succeeds" gen
t_check "restored: kept revocations still kept" status 1003 revoked keyCompromise
t_check "restored: working copy rebuilt" test -s out/responses.lmdb.work
# A working copy that is damaged stops the run too.
head -c 8192 "$DB" > out/responses.lmdb.work
DESC="damaged working copy" PAT="responses.lmdb.work: .*remove the working copy" refused
rm out/responses.lmdb.work

# CRL scope: a CA certificate whose keyUsage lacks cRLSign signs no CRL.
cat >> ext.cnf <<'EOT'
[nocrl]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOT
cp rsa/ca.pem "$T_TMP/ca.pem"
PKI_DIR=$P pki_cert rsa/ca.key "/O=Demo PKI/CN=Demo Issuing RSA" root.pem root.key nocrl 3650 rsa/ca.pem
DESC="CA certificate without cRLSign" PAT="rsa/ca.crl: signed with the key of .*Demo Issuing RSA, whose keyUsage lacks cRLSign" refused
cp "$T_TMP/ca.pem" rsa/ca.pem
t_check "cRLSign back: run succeeds" gen

# --check with outputs named only in the authorities' sections: the same
# plan and history as a run (it crashed once).
sed -i '/^output  *= out\/responses.lmdb/d' ocsp-gen.conf
sed -i 's|^signers *= signer_\(.*\)|&\noutput = out/responses.lmdb|' ocsp-gen.conf
"$B/ocsp-gen" -c ocsp-gen.conf --check > "$T_TMP/check.out" 2>&1; rc=$?
t_check "--check, per-authority outputs: ready (exit 0)" test $rc -eq 0
t_grep "--check, per-authority outputs: report" "^ready: a run would succeed now" "$T_TMP/check.out"
mk rsa/ca.crl 14 --revoke 1006:keyCompromise
"$B/ocsp-gen" -c ocsp-gen.conf --check > "$T_TMP/check.out" 2>&1; rc=$?
t_check "--check refuses the older CRL a run refuses (exit 1)" test $rc -eq 1
t_grep "--check: rollback named from the working copy" "CRL number 14 is lower than 16, the last one .*responses.lmdb.work accepted" "$T_TMP/check.out"
DESC="run after --check, same older CRL" PAT="CRL number 14 is lower than 16" refused
t_done
