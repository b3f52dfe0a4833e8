#!/bin/sh
# ocsp-db as a pure reader: what it links, and the checks it runs on a
# published file.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 12
# The self-signing CA leaves its certificate out of its responses: verify
# must then be given it.
sed -i '/^\[issuing_self\]/a include_signer_cert = no' ocsp-gen.conf
"$B/ocsp-gen" -q -c ocsp-gen.conf || { t_fail "ocsp-gen"; t_done; exit 1; }
DB=$P/out/responses.lmdb

# An edge or a monitoring host runs ocsp-db without PKCS#11 or libevent.
ldd "$B/ocsp-db" > ldd.out 2>&1
if grep -q libcrypto ldd.out && ! grep -Eq 'libp11|libevent|libsofthsm' ldd.out; then
	t_ok "ocsp-db links libcrypto and LMDB only (no libp11, no libevent)"
else
	t_fail "ocsp-db's libraries"; sed 's/^/     | /' ldd.out
fi

"$B/ocsp-db" stats "$DB" > stats.out
t_grep "stats: issuer lines from the walker" "^issuer +issuing_ec /O=Demo PKI/CN=Demo Issuing EC \[sha256\]" stats.out
t_grep "stats: responses counted" "^responses +72$" stats.out
"$B/ocsp-db" get "$DB" --issuer ec/ca.pem --serial 2002 --hash sha256 > r.der &&
	t_check "get: the key built from the issuer's certificate finds 2002" \
		verify_resp r.der ec/ca.pem 2002 sha256 revoked root.pem ||
	t_fail "get 2002"

# ocsp-db verify: the good file passes; each kind of damage is named.
ISS="--issuer self/ca.pem"
"$B/ocsp-db" verify "$DB" $ISS > v.out 2> v.err; rc=$?
[ $rc = 0 ] && grep -q "^OK: 72 responses verified" v.out && t_ok "verify: good file, exit 0" ||
	{ t_fail "verify: good file exit $rc"; sed 's/^/     | /' v.out v.err | head; }
t_grep "verify: delegated responders unchecked without their CA" "signature only" v.err
"$B/ocsp-db" verify "$DB" $ISS --issuer rsa/ca.pem --issuer ec/ca.pem > v.out 2> v.err
[ $? = 0 ] && ! grep -q "signature only" v.err && t_ok "verify: with the CAs, every responder checked against its issuer" ||
	t_fail "verify: with the CAs"
"$B/ocsp-db" verify "$DB" > v.out 2>&1; rc=$?
[ $rc = 2 ] && [ "$(grep -c '^BAD: issuing_self sha[0-9]* 30[0-9A-F]*: the responder.s certificate is neither' v.out)" = 24 ] &&
	t_ok "verify: responses signed by a CA not given are named (24)" || t_fail "verify without the self-signing CA: exit $rc"

# Damaged copies: mdb_dump, one record edited, mdb_load.
mkdir -p dmg
cp "$DB" dmg/good.lmdb && mdb_dump -n dmg/good.lmdb > dmg/good.dump
damage() {  # MODE SERIAL HASH -> dmg/MODE.lmdb
	python3 "$here/lib/dbedit.py" dmg/good.dump "dmg/$1.dump" "$1" "$2" "$3" &&
		mdb_load -n -f "dmg/$1.dump" "dmg/$1.lmdb" 2>/dev/null
}
verify_bad() {  # MODE LINE: exit 2, exactly one BAD response line, this one
	"$B/ocsp-db" verify "dmg/$1.lmdb" $ISS > "dmg/$1.out" 2>&1; rc=$?
	[ $rc = 2 ] || { echo "exit $rc"; cat "dmg/$1.out"; return 1; }
	[ "$(grep -c '^BAD: issuing' "dmg/$1.out")" = 1 ] || { cat "dmg/$1.out"; return 1; }
	grep -q "^BAD: $2" "dmg/$1.out" || { cat "dmg/$1.out"; return 1; }
	grep -q "^BAD: 1 of 72 responses failed verification" "dmg/$1.out"
}
damage sig 1004 sha256 && t_check "verify: one flipped bit in a signature names that serial" \
	verify_bad sig "issuing_rsa sha256 1004: the signature does not verify" || t_fail "damage sig"
damage certid 2003 sha1 && t_check "verify: one flipped bit in a CertID names that serial" \
	verify_bad certid "issuing_ec sha1 2003: the CertID is not the record's key" || t_fail "damage certid"
damage status 3004 sha256 && t_check "verify: a header that disagrees with its DER" \
	verify_bad status "issuing_self sha256 3004: status good in the DER, revoked in the header" || t_fail "damage status"

# Validity window: a week later every response has expired.
later=$(( $(date +%s) + 8 * 86400 ))
OCSP_PRESIGN_NOW=$later "$B/ocsp-db" verify "$DB" $ISS > v.out 2>&1; rc=$?
[ $rc = 2 ] && [ "$(grep -c 'outside its validity window' v.out)" = 72 ] &&
	t_ok "verify: expired responses fail (72)" || t_fail "verify 8 days later: exit $rc"
t_check "verify --allow-expired accepts them" env OCSP_PRESIGN_NOW=$later \
	"$B/ocsp-db" verify "$DB" $ISS --allow-expired

# On a terminal a progress line goes to standard error.
if command -v script > /dev/null; then
	script -qec "$B/ocsp-db verify $DB $ISS" /dev/null > tty.out 2>&1
	t_grep "verify: progress line on a terminal" "verify: 72 of about 72 responses" tty.out
fi
# An authority leaves the configuration: the generator's walk removes its
# responses and every per-issuer record (issuer, summary, sweep, CRL
# numbers, retention: docs/db-format.txt), leaves the other authorities'
# records as they were, and the file still verifies.  First issuing_ec
# gets a retention record: 2005 leaves index.txt under retain_expired.
ec_prefix=$(mdb_dump -n -p dmg/good.lmdb 2>/dev/null | grep -c '^ \\00issuer')
sed -i '/^\[issuing_ec\]/a retain_expired = forever' ocsp-gen.conf
sed -i '/\t2005\t/d' ec/index.txt
"$B/ocsp-gen" -q -c ocsp-gen.conf || t_fail "ocsp-gen with 2005 retained"
records() {  # DUMP CA: KIND KEY VALUE of the CA's records (tests/lib/dbissuer.py)
	/usr/bin/python3 "$here/lib/dbissuer.py" "$1" "$2"
}
kinds() { records "$1" "$2" | cut -d' ' -f1 | sort -u | tr '\n' ' '; }
mdb_dump -n "$DB" > dmg/before.dump
all_kinds="crl issuer response retain summary sweep "
[ "$(kinds dmg/before.dump ec/ca.pem)" = "$all_kinds" ] &&
	t_ok "before removal: issuing_ec has records of every per-issuer kind" ||
	t_fail "issuing_ec's records: $(kinds dmg/before.dump ec/ca.pem)"
for c in rsa self; do records dmg/before.dump $c/ca.pem > dmg/$c.before; done
sed -i 's|^authorities .*|authorities = issuing_rsa, issuing_self|' ocsp-gen.conf
"$B/ocsp-gen" -q -c ocsp-gen.conf || t_fail "ocsp-gen without issuing_ec"
mdb_dump -n "$DB" > dmg/removed.dump
left=$(records dmg/removed.dump ec/ca.pem | cut -c1-80)
[ -z "$left" ] && t_ok "authority removed: no record of its issuer is left, meta records included" ||
	t_fail "authority removed: left of issuing_ec: $left"
for c in rsa self; do
	records dmg/removed.dump $c/ca.pem > dmg/$c.after
	t_check "authority removed: the records of ca $c are untouched" \
		cmp dmg/$c.before dmg/$c.after
done
"$B/ocsp-db" stats "$DB" > stats2.out
t_grep "authority removed: 48 responses left" "^responses +48$" stats2.out
! grep -q issuing_ec stats2.out && t_ok "authority removed: its issuer records are gone" ||
	{ t_fail "issuing_ec still listed"; cat stats2.out; }
cp "$DB" dmg/after.lmdb
n=$(mdb_dump -n -p dmg/after.lmdb 2>/dev/null | grep -c '^ \\00issuer')
[ "$ec_prefix" -gt "$n" ] && t_ok "authority removed: issuer records $ec_prefix -> $n" ||
	t_fail "issuer records $ec_prefix -> $n"
t_check "authority removed: the file verifies" "$B/ocsp-db" verify "$DB" $ISS
# CRL numbers stay under the SHA-256 prefix whatever cert_ids says: with
# SHA-1 only, the SHA-256 responses go, the authorities' CRL marks stay.
sed -i 's|^cert_ids .*|cert_ids = sha1|' ocsp-gen.conf
"$B/ocsp-gen" -q -c ocsp-gen.conf || t_fail "ocsp-gen with cert_ids = sha1"
mdb_dump -n "$DB" > dmg/sha1.dump
[ "$(records dmg/sha1.dump rsa/ca.pem | grep -c '^response')" = 12 ] &&
	t_ok "cert_ids = sha1: the SHA-256 responses are gone" ||
	t_fail "cert_ids = sha1: $(records dmg/sha1.dump rsa/ca.pem | grep -c '^response') responses"
grep '^crl' dmg/rsa.before > dmg/crl.before
records dmg/sha1.dump rsa/ca.pem | grep '^crl' > dmg/crl.after
[ -s dmg/crl.before ] && t_check "cert_ids = sha1: the CRL numbers of issuing_rsa are kept" \
	cmp dmg/crl.before dmg/crl.after || t_fail "no CRL mark for issuing_rsa"
t_done
