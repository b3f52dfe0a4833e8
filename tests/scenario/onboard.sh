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
for p in ocsp-gen ocsp-serve ocsp-db; do
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

# Listed before the CA has certified them: runs keep the current signers.
gen() { "$B/ocsp-gen" -c ocsp-gen.conf "$@" > "$T_TMP/gen.log" 2>&1; }
t_check "a run while the new signers await their certificates" gen
t_grep "... keeps the current signer" "issuing_rsa: .*signer signer_rsa\)" "$T_TMP/gen.log"
t_grep "... and says why the new one is not used" \
	"warning: issuing_rsa: signer signer_rsa_2: certificate .*rsa/ocsp-2.pem does not exist yet" "$T_TMP/gen.log"

# The CA certifies both; a second later than the first signers at least,
# so that "the newest valid one" is well defined.
since() { date -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%s; }
t_until 3 sh -c '[ "$(date +%s)" -gt "$1" ] && [ "$(date +%s)" -gt "$2" ]' - \
	"$(since rsa/ocsp.pem)" "$(since ec/ocsp.pem)" ||
	t_fail "the clock passes the first signers' notBefore"
PKI_DIR=$P pki_issue "$P/ec" "$T_TMP/signer_ec_2.csr" ec/ocsp-2.pem 30
PKI_DIR=$P pki_issue "$P/rsa" "$T_TMP/signer_rsa_2.csr" rsa/ocsp-2.pem 30
# The signer without a key gets an old certificate, so it is never chosen.
openssl x509 -in rsa/ocsp.pem -out rsa/ocsp-nokey.pem

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

# --check: ready, with the report an operator needs, and nothing written.
snap() { (cd out && ls -la --time-style=+%s.%N . && md5sum ./*) > "$1" 2>&1; }
check() { "$B/ocsp-gen" -c "${CONF:-ocsp-gen.conf}" --check "$@" > "$T_TMP/check.out" 2> "$T_TMP/check.err"; }
snap "$T_TMP/before"
t_check "--check passes on a ready configuration" check
snap "$T_TMP/after"
t_check "--check changes nothing in the output directory" cmp "$T_TMP/before" "$T_TMP/after"
t_grep "report: each authority ready" "^issuing_rsa: ready" "$T_TMP/check.out"
t_grep "report: the signer chosen, days until it expires" \
	"signer: +signer_rsa_2, the newest usable; expires .*\(in (29|30) days\)" "$T_TMP/check.out"
t_grep "report: why another signer was not chosen" \
	"not chosen: +signer_rsa: usable, but signer_rsa_2 is newer" "$T_TMP/check.out"
t_grep "report: CRL number and nextUpdate" "CRL: +number [0-9]+(, delta [0-9]+)?; nextUpdate .*\(in (29|30) days\)" "$T_TMP/check.out"
t_grep "report: serial count" "serials: +7 \(3 revoked\)" "$T_TMP/check.out"
t_grep "report: a test response signed in the token" \
	"test response: signed with the key and verified" "$T_TMP/check.out"
t_grep "report: the verdict" "^ready: a run would succeed now" "$T_TMP/check.out"
mkdir empty-out
sed 's|^output .*|output = empty-out/responses.lmdb|' ocsp-gen.conf > fresh.conf
CONF=fresh.conf check
t_check "--check creates no lock, working copy or file in a new output directory" \
	sh -c '[ -z "$(ls -A empty-out)" ]'

# not_ready DESC CONF PATTERN [VAR=VALUE]: --check fails with the message a
# run prints for the same problem, and names the cause.
not_ready() {
	d=$1; c=$2; pat=$3; shift 3
	if env "$@" "$B/ocsp-gen" -c "$c" --check > "$T_TMP/check.out" 2> "$T_TMP/check.err"; then
		t_fail "$d: --check should fail"; return; fi
	env "$@" "$B/ocsp-gen" -c "$c" > "$T_TMP/run.out" 2> "$T_TMP/run.err"
	sed -n 's/^ocsp-gen: error: //p' "$T_TMP/check.err" > "$T_TMP/m.check"
	sed -n 's/^ocsp-gen: error: \(.*\); nothing was published, the previous file is unchanged$/\1/p' \
		"$T_TMP/run.err" > "$T_TMP/m.run"
	if [ -s "$T_TMP/m.check" ] && cmp -s "$T_TMP/m.check" "$T_TMP/m.run" &&
	   grep -Eq -- "$pat" "$T_TMP/m.check" && grep -q "NOT READY" "$T_TMP/check.out"; then
		t_ok "$d: --check fails with the run's message"
	else
		t_fail "$d (/$pat/)"; sed 's/^/     | /' "$T_TMP/check.err" "$T_TMP/run.err"; fi
}
not_ready "expired CRL" ocsp-gen.conf "ca.crl.*expired" OCSP_PRESIGN_NOW=$(( $(date +%s) + 40 * 86400 ))
printf '0000\n' > "$T_TMP/badpin"; chmod 600 "$T_TMP/badpin"
sed "s|pin-source=file:$P/pin|pin-source=file:$T_TMP/badpin|" ocsp-gen.conf > badpin.conf
not_ready "wrong PIN" badpin.conf "signer signer_(rsa|ec)_2: login to token 'ocsp' failed"
sed 's|object=ocsp-rsa-2;|object=ocsp-rsa-gone;|' ocsp-gen.conf > nokey.conf
not_ready "chosen signer's key missing" nokey.conf \
	"authority issuing_rsa: signer signer_rsa_2: token 'ocsp' has no private key that matches key = pkcs11:token=ocsp;object=ocsp-rsa-gone"

# Errors an operator meets first: one line each (warnings aside), naming the
# file, section or signer, without OpenSSL's internal fragments.
one_line() {  # DESC PATTERN OCSP-GEN-ARGS...
	d=$1; pat=$2; shift 2
	"$B/ocsp-gen" "$@" > /dev/null 2> "$T_TMP/err.all" && { t_fail "$d: should fail"; return; }
	grep -v ': warning: ' "$T_TMP/err.all" > "$T_TMP/err"
	if [ "$(wc -l < "$T_TMP/err")" -eq 1 ] && grep -Eq -- "^ocsp-gen: error: $pat" "$T_TMP/err" &&
	   ! grep -Eqi 'unknown OpenSSL error|asn1|no start line|error:[0-9A-F]{8}' "$T_TMP/err"; then
		t_ok "message: $d"
	else t_fail "message: $d (/$pat/)"; sed 's/^/     | /' "$T_TMP/err.all"; fi
}
one_line "configuration file missing" "/nonexistent: cannot read the configuration: No such file or directory$" -c /nonexistent
one_line "configuration is a directory" "$P: is a directory" -c "$P"
printf '[ocsp_gen\n' > broken.conf
one_line "configuration syntax" "broken.conf:1: syntax error" -c broken.conf
sed 's|^signers = signer_ec, signer_ec_2$|signers = signer_ec, signer_ec_3|' ocsp-gen.conf > m0.conf
one_line "signers names a missing section" "m0.conf: \[issuing_ec\]: signers names \[signer_ec_3\], which is not in the file" -c m0.conf
sed 's|^ca_cert *= rsa/ca.pem|ca_cert = rsa/ca.crl|' ocsp-gen.conf > m1.conf
one_line "CA certificate not PEM" "authority issuing_rsa: .*rsa/ca.crl: not a PEM certificate; nothing was published" -c m1.conf
cp rsa/ca.crl "$T_TMP/crl"; echo garbage > rsa/ca.crl
one_line "CRL not a CRL" "authority issuing_rsa: .*rsa/ca.crl: .*(corrupt|truncated)" -c ocsp-gen.conf
cp "$T_TMP/crl" rsa/ca.crl
sed 's|^issued *= rsa/serials|issued = rsa/nothere|' ocsp-gen.conf > m2.conf
one_line "issued list missing" "authority issuing_rsa: .*rsa/nothere: No such file or directory" -c m2.conf
sed 's|^pkcs11_module.*|pkcs11_module = /nonexistent/lib.so|' ocsp-gen.conf > m3.conf
one_line "PKCS#11 module missing (no stray dlopen line)" "authority issuing_rsa: signer signer_rsa_2: pkcs11_module /nonexistent/lib.so: No such file or directory" -c m3.conf
sed 's|^output .*|output = /nonexistent/out.lmdb|' ocsp-gen.conf > m4.conf
one_line "output directory missing" "output /nonexistent/out.lmdb: its directory does not exist" -c m4.conf
"$B/ocsp-gen" -c ocsp-gen.conf --check --force > /dev/null 2> "$T_TMP/err"; rc=$?
t_check "usage error: exit 2" [ "$rc" = 2 ]
t_grep "usage error: says what is wrong, then the synopsis" "^ocsp-gen: --check goes with -c and --ca only" "$T_TMP/err"

t_done
