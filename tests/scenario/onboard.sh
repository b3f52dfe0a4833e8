#!/bin/sh
# Onboarding a signer, as a new operator would: --version, a key made in the
# token with pkcs11-tool, its CSR from ocsp-gen --csr, the test CA's
# certificate for it, a run that picks it, and --check.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 5
top=$(cd "$here/.." && pwd)

# --version: every program prints the Makefile's VERSION, which is also the
# upstream part of the Debian changelog's top entry.
ver=$(sed -n 's/^VERSION := //p' "$top/Makefile")
debver=$(sed -n '1s/^ocsp-presign (\([^-)]*\).*/\1/p' "$top/packaging/debian/changelog")
t_check "Makefile VERSION ($ver) is the Debian changelog's ($debver)" [ -n "$ver" -a "$ver" = "$debver" ]
for p in ocsp-gen ocsp-db; do
	"$B/$p" --version > "$T_TMP/version" 2>&1
	t_grep "$p --version" "^$p $ver\$" "$T_TMP/version"
done

# Keys made in the token by its own tools (pkcs11-tool from OpenSC); the
# existing signers stay in place, so the new ones must win by being newer.
pki_keygen EC:prime256v1 ocsp-ec-2 12
pki_keygen rsa:2048 ocsp-rsa-2 13
cat >> ocsp-gen.conf <<EOT

[signer_ec_2]
cert = ec/ocsp-2.pem
key  = pkcs11:token=ocsp;object=ocsp-ec-2;pin-source=file:$P/pin

[signer_rsa_2]
cert    = rsa/ocsp-2.pem
key     = pkcs11:token=ocsp;object=ocsp-rsa-2;pin-source=file:$P/pin
subject = /O=Demo PKI/OU=OCSP/CN=Demo OCSP RSA 2

[signer_nokey]
cert = rsa/ocsp-nokey.pem
key  = pkcs11:token=ocsp;object=ocsp-nokey?pin-value=$PKI_PIN
EOT
sed -i 's/^signers = signer_ec$/signers = signer_ec, signer_ec_2/
	s/^signers *= signer_rsa$/signers = signer_rsa, signer_rsa_2, signer_nokey/' ocsp-gen.conf

csr() { "$B/ocsp-gen" -c ocsp-gen.conf --csr "$1" > "$T_TMP/$1.csr" 2> "$T_TMP/csr.err"; }
for s in signer_ec_2 signer_rsa_2; do
	t_check "--csr $s" csr $s
	openssl req -in "$T_TMP/$s.csr" -verify -noout -text > "$T_TMP/$s.txt" 2>&1
	t_grep "$s: openssl req -verify accepts the request" "verify OK" "$T_TMP/$s.txt"
	t_grep "$s: keyUsage digitalSignature, critical" "Key Usage: critical" "$T_TMP/$s.txt"
	t_grep "$s: extendedKeyUsage OCSPSigning" "^ *OCSP Signing" "$T_TMP/$s.txt"
	t_grep "$s: id-pkix-ocsp-nocheck" "OCSP No Check" "$T_TMP/$s.txt"
done
t_grep "EC key: ECDSA request" "id-ecPublicKey" "$T_TMP/signer_ec_2.txt"
t_grep "default subject: OCSP Responder under the CA's subject" \
	"Subject: O ?= ?Demo PKI, CN ?= ?Demo Issuing EC, CN ?= ?OCSP Responder" "$T_TMP/signer_ec_2.txt"
t_grep "RSA key: RSA request" "rsaEncryption" "$T_TMP/signer_rsa_2.txt"
t_grep "subject from the section's subject key" \
	"Subject: O ?= ?Demo PKI, OU ?= ?OCSP, CN ?= ?Demo OCSP RSA 2" "$T_TMP/signer_rsa_2.txt"

if csr signer_nokey; then t_fail "--csr for a key that does not exist fails"; else
	t_ok "--csr for a key that does not exist fails"; fi
t_grep "... naming the signer and the URI" \
	"signer signer_nokey: .*no private key.*pkcs11:token=ocsp;object=ocsp-nokey" "$T_TMP/csr.err"
if grep -q "$PKI_PIN" "$T_TMP/csr.err"; then t_fail "... without the PIN"; else t_ok "... without the PIN"; fi
if csr nosuch; then t_fail "--csr for an unknown section fails"; else
	t_grep "--csr for an unknown section fails, naming it" "nosuch" "$T_TMP/csr.err"; fi

# The CA certifies both; one second later than the first signers, so that
# "the newest valid one" is well defined.
sleep 1
PKI_DIR=$P pki_issue "$P/ec" "$T_TMP/signer_ec_2.csr" ec/ocsp-2.pem 30
PKI_DIR=$P pki_issue "$P/rsa" "$T_TMP/signer_rsa_2.csr" rsa/ocsp-2.pem 30
# The signer without a key gets an old certificate, so it is never chosen.
openssl x509 -in rsa/ocsp.pem -out rsa/ocsp-nokey.pem

gen() { "$B/ocsp-gen" -c ocsp-gen.conf "$@" > "$T_TMP/gen.log" 2>&1; }
t_check "a run with the new signers listed" gen
t_grep "the newest valid EC signer takes over" "issuing_ec: .*signer signer_ec_2" "$T_TMP/gen.log"
t_grep "the newest valid RSA signer takes over" "issuing_rsa: .*signer signer_rsa_2" "$T_TMP/gen.log"
resp() {  # CA SERIAL STATUS SIGNER-CN
	"$B/ocsp-db" get out/responses.lmdb --issuer "$1/ca.pem" --serial "$2" --hash sha256 > "$T_TMP/r.der" &&
	verify_resp "$T_TMP/r.der" "$1/ca.pem" "$2" sha256 "$3" root.pem > /dev/null &&
	openssl ocsp -respin "$T_TMP/r.der" -resp_text -noverify 2>&1 | grep -Eq "Subject: $4"
}
t_check "openssl verifies an EC response by the new signer" resp ec 2001 good "O ?= ?Demo PKI, CN ?= ?Demo Issuing EC, CN ?= ?OCSP Responder"
t_check "openssl verifies an RSA response by the new signer" resp rsa 1003 revoked "O ?= ?Demo PKI, OU ?= ?OCSP, CN ?= ?Demo OCSP RSA 2"

t_done
