#!/bin/sh
# The signing path: every response ocsp-gen writes verifies with openssl
# ocsp (all four CertID hashes, RSA and ECDSA through SoftHSM, a PEM key,
# byKey and byName, with and without certificates), with more workers than
# cores, each worker signing in a PKCS#11 session of its own; an Ed25519
# signer refused before anything is signed.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 12
sed -e 's|^cert_ids .*|cert_ids = sha1, sha256, sha384, sha512|' \
    -e 's|^workers .*|workers = 5|' ocsp-gen.conf > a.conf
sed -e 's|^output .*|output = out/b.lmdb|' \
    -e 's|^cert_ids .*|cert_ids = sha1, sha256, sha384, sha512\nresponder_id = name\ninclude_signer_cert = no|' \
    -e 's|^workers .*|workers = 3|' ocsp-gen.conf > b.conf
"$B/ocsp-gen" -v -c a.conf > "$T_TMP/a.log" 2>&1 || { cat "$T_TMP/a.log"; t_fail "ocsp-gen, workers = 5"; }
t_grep "RSA signer in the token: one session per worker" "signer signer_rsa: 5 signing sessions" "$T_TMP/a.log"
t_grep "EC signer in the token: one session per worker" "signer signer_ec: 5 signing sessions" "$T_TMP/a.log"
"$B/ocsp-gen" -q -c b.conf || t_fail "ocsp-gen, byName profile"

expect() {  # SERIAL: the status the demo PKI gives it
	case $1 in 1003|1005|1007|2002|3001) echo revoked ;; *) echo good ;; esac
}
# Every response of both files, one openssl ocsp -respin each.
for f in out/responses.lmdb out/b.lmdb; do
	bad=0; n=0
	for ca in rsa:1000 ec:2000 self:3000; do
		for s in $(pki_serials "${ca#*:}" 12); do
			for h in sha1 sha256 sha384 sha512; do
				n=$((n + 1))
				"$B/ocsp-db" get "$f" --issuer "${ca%:*}/ca.pem" --serial "$s" \
					--hash $h > "$T_TMP/r.der" 2> "$T_TMP/get.err" &&
				verify_resp "$T_TMP/r.der" "${ca%:*}/ca.pem" "$s" $h \
					"$(expect "$s")" root.pem > "$T_TMP/v.out" 2>&1 ||
				{ bad=$((bad + 1)); echo "$f ${ca%:*} $s $h:"; cat "$T_TMP/get.err" "$T_TMP/v.out"; }
			done
		done
	done > "$T_TMP/verify-$(basename "$f").log"
	[ $bad -eq 0 ] && [ $n -eq 144 ] && t_ok "$f: all $n responses verify with openssl ocsp" ||
		{ t_fail "$f: $bad of $n responses do not verify"; head -20 "$T_TMP/verify-$(basename "$f").log"; }
done
"$B/ocsp-db" get out/b.lmdb --issuer self/ca.pem --serial 3000 --hash sha384 > "$T_TMP/b.der"
openssl ocsp -respin "$T_TMP/b.der" -resp_text -noverify > "$T_TMP/b.txt" 2>&1
t_grep "byName profile: responder named" "Responder Id: O ?= ?Demo PKI, CN ?= ?Demo Self-signing CA" "$T_TMP/b.txt"
if grep -q "BEGIN CERTIFICATE" "$T_TMP/b.txt"; then t_fail "include_signer_cert = no: CA response without certificate"
else t_ok "include_signer_cert = no: CA response without certificate"; fi

# An unsupported key type (Ed25519, PEM) is refused before anything is
# signed, naming the signer, the key type and what signs; a configuration
# error (exit 1, ocsp-gen(8)) with the published file left as it was.
openssl genpkey -algorithm ED25519 -out self/ed.key 2>/dev/null
pki_cert self/ed.key "/CN=Ed25519 OCSP" self/ca.pem self/ca.key ocsp 30 self/ed.pem
sed -e 's|^cert = self/ca.pem|cert = self/ed.pem|' -e 's|^key  = self/ca.key|key = self/ed.key|' \
    a.conf > ed.conf
cp out/responses.lmdb "$T_TMP/before.lmdb"
"$B/ocsp-gen" -c ed.conf > "$T_TMP/ed.log" 2>&1; rc=$?
t_check "Ed25519 signer: exit status 1" [ "$rc" -eq 1 ]
t_grep "Ed25519 signer: the message names signer and key type, and what signs" \
	"authority issuing_self: no usable signer: signer_self: ED25519 key: responses are signed with RSA \(PKCS#1 v1.5\) or ECDSA on P-256, P-384 or P-521 only; nothing was published" "$T_TMP/ed.log"
if grep -q "constant parts\|signing a response" "$T_TMP/ed.log"; then
	t_fail "Ed25519 signer: refused before any signing"; cat "$T_TMP/ed.log"
else t_ok "Ed25519 signer: refused before any signing"; fi
t_check "Ed25519 signer: the published file is unchanged" cmp -s out/responses.lmdb "$T_TMP/before.lmdb"
t_done
