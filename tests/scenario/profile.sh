#!/bin/sh
# The response profile regulated PKIs are audited against: signature
# digests by key (RSA, P-256, P-384, P-521 in the token), CertID encodings
# (RFC 5754, certid_sha2_params = both) with Bouncy Castle's byte-for-byte
# CertID match, CA-signed responses without the CA's certificate for Go's
# x/crypto/ocsp, GnuTLS through the issuer and the JDK, removeFromCRL
# releasing a hold, profile = cabf refusing each rule, and the format-2
# upgrade.  Real clients against ocsp-serve on 127.0.0.1.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 8

# Two more CAs: P-384 with a PEM delegate, P-521 whose delegate's key is
# made in the token (the path the SHA-384-for-P-521 bug took).
newca() {  # NAME CURVE FIRST_SERIAL
	mkdir -p "$1"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$2" -out "$1/ca.key" 2>/dev/null
	pki_cert "$1/ca.key" "/O=Demo PKI/CN=Demo Issuing $1" root.pem root.key ca 3650 "$1/ca.pem"
	pki_serials "$3" 8 > "$1/serials"
	: > "$1/crl-index.txt"
	pki_crl "$P/$1" 30
}
newca p384 P-384 4000
newca p521 P-521 5000
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384/ocsp.key 2>/dev/null
pki_cert p384/ocsp.key "/O=Demo PKI/CN=Demo OCSP P-384" p384/ca.pem p384/ca.key ocsp 365 p384/ocsp.pem
pki_keygen EC:secp521r1 ocsp-p521 21
# A hold the CRL lists, and a keyCompromise no local line can release.
pki_revoke "$P/rsa" 1006 certificateHold
cat >> ocsp-gen.conf <<EOT

[issuing_p384]
ca_cert = p384/ca.pem
crl     = p384/ca.crl
issued  = p384/serials
signers = signer_p384

[signer_p384]
cert = p384/ocsp.pem
key  = p384/ocsp.key

[issuing_p521]
ca_cert = p521/ca.pem
crl     = p521/ca.crl
issued  = p521/serials
signers = signer_p521

[signer_p521]
cert = p521/ocsp.pem
key  = pkcs11:token=ocsp;object=ocsp-p521;pin-source=file:$P/pin
EOT
sed -i 's/^authorities .*/&, issuing_p384, issuing_p521/' ocsp-gen.conf
"$B/ocsp-gen" -c ocsp-gen.conf --csr signer_p521 > "$T_TMP/p521.csr" 2> "$T_TMP/csr.err" ||
	{ cat "$T_TMP/csr.err"; t_fail "--csr for the P-521 token key"; }
pki_issue "$P/p521" "$T_TMP/p521.csr" p521/ocsp.pem 365

"$B/ocsp-gen" -c ocsp-gen.conf 2> "$T_TMP/gen1.err" || { cat "$T_TMP/gen1.err"; t_fail "ocsp-gen"; t_done; exit 1; }
get() {  # CA SERIAL HASH OUT [FILE]
	"$B/ocsp-db" get "${5:-out/responses.lmdb}" --issuer "$1/ca.pem" --serial "$2" --hash "$3" > "$4"
}
hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# ---- signatures by the rules, each verified by three clients ----
for c in "rsa 1001 sha256WithRSAEncryption" "ec 2001 ecdsa-with-SHA256" \
	 "p384 4001 ecdsa-with-SHA384" "p521 5001 ecdsa-with-SHA512"; do
	set -- $c
	get $1 $2 sha256 "$T_TMP/$1.der"
	openssl ocsp -respin "$T_TMP/$1.der" -resp_text -noverify > "$T_TMP/$1.txt" 2>&1
	t_grep "$1: responses signed with $3" "Signature Algorithm: $3" "$T_TMP/$1.txt"
	t_check "$1: openssl verifies it through the root" verify_resp "$T_TMP/$1.der" $1/ca.pem $2 sha256 good root.pem
done
PORT=$(t_ports 2)
URL=http://127.0.0.1:$PORT/
"$B/ocsp-serve" --db out/responses.lmdb --listen "127.0.0.1:$PORT" --threads 2 2> "$T_TMP/serve.log" &
t_bg $!
t_wait_url "$URL"
py() {  # URL CA SERIAL HASH METHOD EXPECT [checks...]
	u=$1 ca=$2 s=$3 h=$4 m=$5 e=$6; shift 6
	out=$(/usr/bin/python3 "$here/interop/ocsp_client.py" "$u" "$ca/ca.pem" "$s" "$h" "$m" root.pem "$@")
	[ $? -eq 0 ] && [ "$out" = "$e" ] || { echo "got: $out"; return 1; }
}
leaf() {  # CA SERIAL
	PKI_DIR=$P pki_key ec "$T_TMP/l$2.key"
	PKI_DIR=$P pki_cert "$T_TMP/l$2.key" "/CN=leaf $2" "$1/ca.pem" "$1/ca.key" leaf 30 "$T_TMP/l$2.pem" "0x$2"
}
for ca in rsa ec self p384 p521; do cat $ca/ca.pem root.pem > trust-$ca.pem; done
gt() {  # URL CA SERIAL EXPECT [ocsptool options]
	u=$1 ca=$2 s=$3 e=$4; shift 4
	ocsptool --ask="$u" --load-issuer=$ca/ca.pem --load-cert="$T_TMP/l$s.pem" "$@" > "$T_TMP/gt.out" 2>&1
	grep -q "Certificate Status: $e" "$T_TMP/gt.out" &&
		grep -q "Verifying OCSP Response: Success" "$T_TMP/gt.out" || { cat "$T_TMP/gt.out"; return 1; }
}
for c in "rsa 1001" "ec 2001" "p384 4001" "p521 5001" "self 3000" "self 3001"; do
	set -- $c
	leaf $1 $2
done
for c in rsa:1001 ec:2001 p384:4001 p521:5001; do
	ca=${c%:*} s=${c#*:}
	t_check "$ca: python verifies (POST, sha256)" py "$URL" $ca $s sha256 post good
	t_check "$ca: python verifies (GET, sha1)" py "$URL" $ca $s sha1 get good
	t_check "$ca: GnuTLS ocsptool verifies" gt "$URL" $ca $s good --load-trust=trust-$ca.pem
done

# ---- CertID encodings (RFC 5754) ----
get rsa 1001 sha256 "$T_TMP/c256.der"; get rsa 1001 sha1 "$T_TMP/c1.der"
if hex "$T_TMP/c256.der" | grep -q 300b06096086480165030402010420; then
	t_ok "sha256 CertID: hashAlgorithm without parameters (RFC 5754)"; else t_fail "sha256 CertID: hashAlgorithm without parameters"; fi
if hex "$T_TMP/c256.der" | grep -q 300d0609608648016503040201050004; then
	t_fail "no NULL-parameter SHA-256 CertID by default"; else t_ok "no NULL-parameter SHA-256 CertID by default"; fi
if hex "$T_TMP/c1.der" | grep -q 300906052b0e03021a05000414; then
	t_ok "sha1 CertID: NULL parameters, as OpenSSL writes them"; else t_fail "sha1 CertID: NULL parameters"; fi
t_check "openssl (NULL-parameter SHA-256 request) accepts the RFC 5754 answer" \
	sh -c "openssl ocsp -url $URL -issuer rsa/ca.pem -sha256 -serial 0x1003 -no_nonce -CAfile root.pem 2>&1 | grep -q '^0x1003: revoked'"

# A second output: certid_sha2_params = both, and the self-signing CA
# embedding its certificate (include_signer_cert = yes), for the clients
# that need it and against Go, which must then refuse.
sed -e 's|^output .*|output = out2/responses.lmdb\ncertid_sha2_params = both|' \
    -e 's|^\[issuing_self\]$|&\ninclude_signer_cert = yes|' ocsp-gen.conf > both.conf
mkdir -p out2
"$B/ocsp-gen" -c both.conf -q 2> "$T_TMP/gen2.err" || { cat "$T_TMP/gen2.err"; t_fail "ocsp-gen with both"; }
n1=$("$B/ocsp-db" dump out/responses.lmdb | wc -l); n2=$("$B/ocsp-db" dump out2/responses.lmdb | wc -l)
t_check "both: one more response per SHA-2 CertID ($n1 -> $n2)" [ "$n2" -eq $((n1 * 3 / 2)) ]
get rsa 1001 sha256-null "$T_TMP/n256.der" out2/responses.lmdb
if hex "$T_TMP/n256.der" | grep -q 300d0609608648016503040201050004; then
	t_ok "both: the NULL form is signed with NULL parameters"; else t_fail "both: the NULL form is signed with NULL parameters"; fi
t_check "ocsp-db verify: both forms, every record" "$B/ocsp-db" verify out2/responses.lmdb --issuer self/ca.pem
P2=$((PORT + 1))
URL2=http://127.0.0.1:$P2/
"$B/ocsp-serve" --db out2/responses.lmdb --listen "127.0.0.1:$P2" --threads 2 2> "$T_TMP/serve2.log" &
t_bg $!
t_wait_url "$URL2"

# ---- Go's x/crypto/ocsp (built offline from Debian's sources) ----
GO_OK=0
if command -v go > /dev/null && [ -d /usr/share/gocode/src/golang.org/x/crypto/ocsp ]; then
	mkdir -p "$T_TMP/go"
	cp "$here/interop/goocsp.go" "$T_TMP/go/"
	(cd "$T_TMP/go" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$T_TMP/go/cache" \
		GOFLAGS= go build -o goocsp goocsp.go) > "$T_TMP/go.err" 2>&1 && GO_OK=1
fi
goc() {  # URL CA SERIAL HASH METHOD EXPECT
	out=$("$T_TMP/go/goocsp" "$1" "$2/ca.pem" "$T_TMP/l$3.pem" "$4" "$5")
	case "$6" in error*) case "$out" in error*) return 0 ;; esac ;; *) [ "$out" = "$6" ] && return 0 ;; esac
	echo "got: $out"; return 1
}
if [ $GO_OK = 1 ]; then
	for m in get post; do for h in sha1 sha256; do
		t_check "go $m $h: CA-signed response, default (no certificate): good" goc "$URL" self 3000 $h $m good
		t_check "go $m $h: CA-signed response, default: revoked" goc "$URL" self 3001 $h $m revoked
	done; done
	t_check "go: a delegate's response (certificate included) verifies" goc "$URL" rsa 1001 sha256 post good
	t_check "go: refuses the CA's own certificate embedded (why the default is no)" goc "$URL2" self 3000 sha1 post error
else
	t_fail "go: cannot build the x/crypto/ocsp client"; cat "$T_TMP/go.err" 2>/dev/null
fi

# ---- GnuTLS through the issuer (gnutls_ocsp_resp_verify_direct) ----
t_check "ocsptool: CA-signed, no certificate, verified against the issuer (good)" \
	gt "$URL" self 3000 good --load-signer=self/ca.pem
t_check "ocsptool: CA-signed, no certificate, verified against the issuer (revoked)" \
	gt "$URL" self 3001 revoked --load-signer=self/ca.pem
t_check "ocsptool: with include_signer_cert = yes, a trust list is enough" \
	gt "$URL2" self 3000 good --load-trust=trust-self.pem
t_check "python: no certificate in a CA-signed response by default" py "$URL" self 3000 sha1 post good certs=0
t_check "python: a delegate's certificate is always included" py "$URL" ec 2001 sha1 post good certs=1

# ---- the JDK and Bouncy Castle, one JVM run ----
CP=/usr/share/java/bcprov.jar:/usr/share/java/bcpkix.jar:/usr/share/java/bcutil.jar
{
	echo "jdk-self-good jdk $URL self/ca.pem $T_TMP/l3000.pem - -"
	echo "jdk-self-revoked jdk $URL self/ca.pem $T_TMP/l3001.pem - -"
	echo "jdk-rsa-delegate jdk $URL rsa/ca.pem $T_TMP/l1001.pem - -"
	for m in post get; do
		for ca in self:3000 rsa:1001 p521:5001; do
			echo "bc-${ca%:*}-sha1-$m bc $URL ${ca%:*}/ca.pem ${ca#*:} sha1 $m"
			echo "bc-${ca%:*}-sha256-$m bc $URL ${ca%:*}/ca.pem ${ca#*:} sha256 $m"
			echo "bc-${ca%:*}-sha256null-default-$m bc $URL ${ca%:*}/ca.pem ${ca#*:} sha256null $m"
			echo "bc-${ca%:*}-sha256null-both-$m bc $URL2 ${ca%:*}/ca.pem ${ca#*:} sha256null $m"
			echo "bc-${ca%:*}-sha256-both-$m bc $URL2 ${ca%:*}/ca.pem ${ca#*:} sha256 $m"
		done
	done
} > "$T_TMP/java.cases"
if javac -d "$T_TMP/java" -cp "$CP" "$here/interop/OcspInterop.java" > "$T_TMP/javac.err" 2>&1 &&
   java -cp "$T_TMP/java:$CP" OcspInterop "$T_TMP/java.cases" > "$T_TMP/java.out" 2>&1; then
	jv() {  # NAME EXPECT
		got=$(sed -n "s/^$1: //p" "$T_TMP/java.out")
		case "$2" in error*) case "$got" in "$2"*) return 0 ;; esac ;; *) [ "$got" = "$2" ] && return 0 ;; esac
		echo "got: $got"; return 1
	}
	t_check "JDK: CA-signed response without its certificate, good" jv jdk-self-good good
	t_check "JDK: CA-signed response without its certificate, revoked" jv jdk-self-revoked revoked
	t_check "JDK: a delegate's response" jv jdk-rsa-delegate good
	for m in post get; do for ca in self rsa p521; do
		for h in sha1 sha256 sha256null-both sha256-both; do
			t_check "bc $ca $h $m: CertificateID.equals and signature" jv bc-$ca-$h-$m good
		done
		t_check "bc $ca sha256null $m without both: the RFC 5754 form does not equal" \
			jv bc-$ca-sha256null-default-$m "error: no SingleResponse"
	done; done
else
	t_fail "java: compile or run"; cat "$T_TMP/javac.err" "$T_TMP/java.out" 2>/dev/null | tail -20
fi

# ---- removeFromCRL in the local list releases a hold ----
t_check "a CRL hold is signed revoked certificateHold" \
	sh -c "openssl ocsp -url $URL -issuer rsa/ca.pem -serial 0x1006 -no_nonce -CAfile root.pem 2>&1 | grep -q 'Reason: certificateHold'"
printf '1006 20260101000000Z removeFromCRL\n1003 20260101000000Z removeFromCRL\n' >> rsa/local
"$B/ocsp-gen" -c ocsp-gen.conf 2> "$T_TMP/gen3.err" || t_fail "ocsp-gen after the local releases"
get rsa 1006 sha1 "$T_TMP/rel.der"
t_check "local removeFromCRL: the held serial reads good" verify_resp "$T_TMP/rel.der" rsa/ca.pem 1006 sha1 good root.pem
get rsa 1003 sha1 "$T_TMP/kc.der"
t_check "local removeFromCRL does not release keyCompromise" verify_resp "$T_TMP/kc.der" rsa/ca.pem 1003 sha1 revoked root.pem
t_grep "... and says so" "1003 removeFromCRL releases only a certificateHold" "$T_TMP/gen3.err"
if "$B/ocsp-db" dump out/responses.lmdb | grep -qi removeFromCRL; then
	t_fail "no response carries removeFromCRL"; else t_ok "no response carries removeFromCRL"; fi

# ---- --check ----
"$B/ocsp-gen" -c ocsp-gen.conf --check > "$T_TMP/check.out" 2>&1
t_grep "--check warns when the CA signs with its own key" "issuing_self: signer signer_self is the CA's own key" "$T_TMP/check.out"
if grep -q "issuing_rsa: signer .* the CA's own key" "$T_TMP/check.out"; then
	t_fail "--check: no such warning for a delegate"; else t_ok "--check: no such warning for a delegate"; fi

# ---- profile = cabf refuses each rule, naming it ----
refused() {  # DESC CONF PATTERN
	if "$B/ocsp-gen" -c "$2" --dry-run > "$T_TMP/r.out" 2>&1; then t_fail "$1: accepted"; else
		t_grep "$1" "$3" "$T_TMP/r.out"; fi
}
cabf() {  # NAME SED...: a configuration with profile = cabf in [issuing_rsa]
	n=$1; shift
	sed -e 's|^\[issuing_rsa\]$|&\nprofile = cabf|' "$@" ocsp-gen.conf > "$n.conf"
}
cabf c1 -e 's|^validity .*|validity = 30d|'
refused "cabf: validity 30d" c1.conf "\[issuing_rsa\]: profile = cabf: validity 30d is outside 8 hours .. 10 days \(BR 4.9.10"
cabf c2 -e 's|^validity .*|validity = 10d|' -e 's|^refresh .*|refresh = 5d|'
refused "cabf: refresh past 4 days" c2.conf "age past 4 days \(BR 4.9.10"
cabf c3 -e 's|^validity .*|validity = 1d|' -e 's|^refresh .*|refresh = 20h|'
refused "cabf: less than 8 hours before nextUpdate" c3.conf "at least eight hours before nextUpdate\)"
cabf c4 -e 's|^validity .*|validity = 4h|' -e 's|^refresh .*|refresh = 1h|'
refused "cabf: validity under 8 hours" c4.conf "validity 4h is outside"
t_check "cabf: 7d / 3d passes" "$B/ocsp-gen" -c ocsp-gen.conf --dry-run -q
cat >> ext.cnf <<'EOT'
[ocsp_nocheckless]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
EOT
PKI_DIR=$P pki_key ec "$T_TMP/nn.key"
PKI_DIR=$P pki_cert "$T_TMP/nn.key" "/CN=No nocheck" p384/ca.pem p384/ca.key ocsp_nocheckless 30 "$T_TMP/nn.pem"
openssl req -new -key "$T_TMP/nn.key" -subj "/CN=SHA-1 signed" -out "$T_TMP/s1.csr"
openssl x509 -req -sha1 -in "$T_TMP/s1.csr" -CA p384/ca.pem -CAkey p384/ca.key -set_serial 0x51 -days 30 \
	-extfile ext.cnf -extensions ocsp -out "$T_TMP/s1.pem" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$T_TMP/ed.key"
PKI_DIR=$P pki_cert "$T_TMP/ed.key" "/CN=Ed25519 OCSP" p384/ca.pem p384/ca.key ocsp 30 "$T_TMP/ed.pem"
signer() {  # NAME CERT [PROFILE]: issuing_p384 signed by that certificate (key nn.key)
	sed -e "s|^cert = p384/ocsp.pem|cert = $2|" -e "s|^key  = p384/ocsp.key|key = $T_TMP/nn.key|" \
	    -e "s|^\[issuing_p384\]$|&\nprofile = ${3:-none}|" ocsp-gen.conf > "$1.conf"
}
signer s1 "$T_TMP/nn.pem" cabf
refused "cabf: a delegate without id-pkix-ocsp-nocheck" s1.conf "signer_p384: profile = cabf: a delegated responder's certificate needs id-pkix-ocsp-nocheck \(BR 4.9.9, 7.3\)"
signer s2 "$T_TMP/nn.pem"
t_check "... accepted without the profile (with a warning)" "$B/ocsp-gen" -c s2.conf --dry-run -q
signer s3 "$T_TMP/s1.pem" cabf
refused "cabf: a delegate certificate signed with SHA-1" s3.conf "signer_p384: profile = cabf: its certificate is signed with SHA-1 \(BR 7.1.3.2\)"
signer s4 "$T_TMP/ed.pem"
sed -i "s|^key = $T_TMP/nn.key|key = $T_TMP/ed.key|" s4.conf
refused "an Ed25519 signer is refused, named, before its key is used" s4.conf "signer_p384: ED25519 key: responses are signed with RSA"

# ---- format 2: served, and upgraded by the next run ----
mdb_dump -n out/responses.lmdb | sed 's/6f6373702d7072657369676e2d64622033$/6f6373702d7072657369676e2d64622032/' > "$T_TMP/f2.dump"
mkdir -p out3
mdb_load -n -f "$T_TMP/f2.dump" out3/responses.lmdb 2>/dev/null
"$B/ocsp-db" stats out3/responses.lmdb > "$T_TMP/f2.stats" 2>&1
t_grep "ocsp-db reads a format-2 file" "format +ocsp-presign-db 2" "$T_TMP/f2.stats"
sed 's/6f6373702d7072657369676e2d64622033$/6f6373702d7072657369676e2d64622039/' "$T_TMP/f2.dump" > "$T_TMP/f9.dump"
sed -i 's/6f6373702d7072657369676e2d64622032$/6f6373702d7072657369676e2d64622039/' "$T_TMP/f9.dump"
mdb_load -n -f "$T_TMP/f9.dump" "$T_TMP/f9.lmdb" 2>/dev/null
if "$B/ocsp-db" stats "$T_TMP/f9.lmdb" > "$T_TMP/f9.out" 2>&1; then t_fail "format 9 refused"; else
	t_grep "format 9 refused, naming it" "format 'ocsp-presign-db 9'" "$T_TMP/f9.out"; fi
sed 's|^output .*|output = out3/responses.lmdb|' ocsp-gen.conf > up.conf
"$B/ocsp-gen" -c up.conf -v > "$T_TMP/up.out" 2>&1 || t_fail "ocsp-gen upgrading a format-2 file"
t_grep "the upgrade re-signs the SHA-2 responses only" "upgraded the working copy from ocsp-presign-db 2 to ocsp-presign-db 3: $((n1 / 2)) SHA-2" "$T_TMP/up.out"
"$B/ocsp-db" stats out3/responses.lmdb > "$T_TMP/f3.stats" 2>&1
t_grep "... and publishes format 3" "format +ocsp-presign-db 3" "$T_TMP/f3.stats"
t_done
