# Throwaway PKI with a SoftHSM token, for the demo, the tests and the bench.
# Source this file, then: pki_make DIR [N]
#
# DIR gets: root CA; an RSA issuing CA (hex serial list + CRL + local
# revocations, delegated RSA signer in the token); an ECDSA P-256 issuing CA
# (OpenSSL index.txt + CRL, delegated EC signer in the token); a "self" CA
# that signs its own responses (serial directory, PEM key); and
# DIR/ocsp-gen.conf tying them together.  N serials per CA (default 20).
#
# The keys, certificates, CRLs and token (pki_base) do not depend on N and
# cost seconds; the serial lists and configuration (pki_fill) cost nothing.
# With PKI_FIXTURE naming a directory pki_base built (pki_fixture, as
# tests/run-scenarios.sh does once for all scripts), pki_make copies it
# instead of building: each caller still gets its own token and files.
#
# Serials (hex): rsa 1000.., revoked 1003 keyCompromise and 1005 superseded
# in the CRL, 1007 keyCompromise locally; ec 2000.., 2002 revoked
# cessationOfOperation; self 3000.., 3001 revoked affiliationChanged.

PKI_MODULE=${PKI_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
PKI_PIN=${PKI_PIN:-4711}

pki_die() { echo "pki: $*" >&2; exit 1; }

# pki_ext FILE: the X.509v3 sections used below.
pki_ext() {
	cat > "$1" <<'EOT'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ocsp]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
1.3.6.1.5.5.7.48.1.5 = ASN1:NULL
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[noeku]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOT
}

# pki_key TYPE OUT: rsa | ec (P-256) | ec384
pki_key() {
	case "$1" in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" 2>/dev/null ;;
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2" ;;
	ec384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$2" ;;
	esac || pki_die "key generation failed"
}

# pki_cert KEY SUBJ ISSUER_CERT ISSUER_KEY EXT DAYS OUT [SERIAL]
pki_cert() {
	openssl req -new -key "$1" -subj "$2" -out "$7.csr" || pki_die "csr $2"
	openssl x509 -req -in "$7.csr" -CA "$3" -CAkey "$4" \
		-set_serial "${8:-0x$(openssl rand -hex 8)}" -days "$6" \
		-extfile "$PKI_DIR/ext.cnf" -extensions "$5" -out "$7" 2>/dev/null \
		|| pki_die "cert $2"
	rm -f "$7.csr"
}

# pki_cacnf CADIR DAYS: CADIR/ca.cnf, the `openssl ca` configuration (it
# names CADIR's files by absolute path, so a copied CA writes it again).
pki_cacnf() {
	cat > "$1/ca.cnf" <<EOT
[ca]
default_ca = ca_sect
[ca_sect]
database = $1/crl-index.txt
certificate = $1/ca.pem
private_key = $1/ca.key
crlnumber = $1/crlnumber
default_md = sha256
default_crl_days = $2
EOT
}

# pki_crl CADIR DAYS: sign CADIR/crl-index.txt's R lines into CADIR/ca.crl
pki_crl() {
	pki_cacnf "$1" "$2"
	[ -f "$1/crlnumber" ] || echo 01 > "$1/crlnumber"
	: > "$1/crl-index.txt.attr"
	openssl ca -config "$1/ca.cnf" -gencrl -out "$1/ca.crl" 2>/dev/null \
		|| pki_die "CRL for $1"
}

# pki_revoke CADIR SERIAL REASON: add an R line and re-sign the CRL.
pki_revoke() {
	printf 'R\t351231235959Z\t%s,%s\t%s\tunknown\t/CN=leaf %s\n' \
		"$(date -u -d '-1 hour' +%y%m%d%H%M%SZ)" "$3" "$2" "$2" >> "$1/crl-index.txt"
	pki_crl "$1" 30
}

# pki_softhsm_conf: $PKI_DIR/softhsm2.conf naming $PKI_DIR/tokens, exported.
pki_softhsm_conf() {
	cat > "$PKI_DIR/softhsm2.conf" <<EOT
directories.tokendir = $PKI_DIR/tokens
objectstore.backend = file
log.level = ERROR
EOT
	export SOFTHSM2_CONF="$PKI_DIR/softhsm2.conf"
}

pki_softhsm() {
	mkdir -p "$PKI_DIR/tokens"
	pki_softhsm_conf
	softhsm2-util --init-token --free --label ocsp --pin "$PKI_PIN" \
		--so-pin 123456 >/dev/null || pki_die "softhsm token"
	printf '%s\n' "$PKI_PIN" > "$PKI_DIR/pin"
	chmod 600 "$PKI_DIR/pin"
}

# pki_import KEYFILE LABEL ID: move a private key into the token.
pki_import() {
	openssl pkcs8 -topk8 -nocrypt -in "$1" -out "$1.p8" || pki_die "pkcs8"
	softhsm2-util --import "$1.p8" --token ocsp --label "$2" --id "$3" \
		--pin "$PKI_PIN" >/dev/null || pki_die "import $2"
	rm -f "$1.p8"
}

# pki_keygen TYPE LABEL ID: a key pair made inside the token with OpenSC's
# pkcs11-tool, as an operator makes a signer's key (TYPE as its --key-type:
# rsa:3072, EC:prime256v1, EC:secp384r1, ...).
pki_keygen() {
	pkcs11-tool --module "$PKI_MODULE" --token-label ocsp --login \
		--pin "$PKI_PIN" --keypairgen --key-type "$1" --label "$2" \
		--id "$3" --usage-sign >/dev/null 2>&1 || pki_die "keygen $2"
}

# pki_issue CADIR CSR OUT DAYS: the CA certifies a signer's request with
# `openssl ca`, as an OpenSSL CA operator would: the request's extensions
# (keyUsage, OCSPSigning, nocheck) are copied, the CA adds the rest.
pki_issue() {
	# The CRL configuration (pki_crl) plus what issuing needs; a section
	# named again adds to it, a key named again replaces the first.
	{ cat "$1/ca.cnf"; cat <<EOT
[ca_sect]
database = $1/issue-index.txt
new_certs_dir = $1
serial = $1/issue-serial
policy = policy_any
copy_extensions = copy
preserve = yes
unique_subject = no
[policy_any]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[ocsp_signer]
basicConstraints = critical, CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOT
	} > "$1/issue.cnf"
	touch "$1/issue-index.txt"
	[ -f "$1/issue-serial" ] || openssl rand -hex 8 > "$1/issue-serial"
	openssl ca -batch -config "$1/issue.cnf" -extensions ocsp_signer \
		-days "$4" -in "$2" -out "$3" >/dev/null 2>&1 || pki_die "issue $3"
}

# pki_serials START N: N hex serials from START (hex)
pki_serials() {
	i=0; s=$(printf '%d' "0x$1")
	while [ $i -lt "$2" ]; do printf '%X\n' $((s + i)); i=$((i + 1)); done
}

# pki_base DIR: what does not depend on the serial count: the CAs, the
# signers (RSA and EC keys in a fresh token), the CRLs and the TLS leaf.
pki_base() {
	PKI_DIR=$1
	mkdir -p "$PKI_DIR/rsa" "$PKI_DIR/ec" "$PKI_DIR/self/issued" "$PKI_DIR/out"
	pki_ext "$PKI_DIR/ext.cnf"
	pki_softhsm

	pki_key ec "$PKI_DIR/root.key"
	openssl req -x509 -new -key "$PKI_DIR/root.key" -subj "/O=Demo PKI/CN=Demo Root" \
		-days 3650 -extensions ca -config "$PKI_DIR/ext.cnf" -out "$PKI_DIR/root.pem" \
		2>/dev/null || openssl req -x509 -new -key "$PKI_DIR/root.key" \
		-subj "/O=Demo PKI/CN=Demo Root" -days 3650 -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" -out "$PKI_DIR/root.pem" \
		|| pki_die "root"

	# RSA issuing CA, delegated RSA signer in the token.
	r=$PKI_DIR/rsa
	pki_key rsa "$r/ca.key"
	pki_cert "$r/ca.key" "/O=Demo PKI/CN=Demo Issuing RSA" "$PKI_DIR/root.pem" "$PKI_DIR/root.key" ca 3650 "$r/ca.pem"
	pki_key rsa "$r/ocsp.key"
	pki_cert "$r/ocsp.key" "/O=Demo PKI/CN=Demo OCSP RSA" "$r/ca.pem" "$r/ca.key" ocsp 365 "$r/ocsp.pem"
	pki_import "$r/ocsp.key" ocsp-rsa 01
	rm -f "$r/ocsp.key"
	: > "$r/crl-index.txt"
	pki_revoke "$r" 1003 keyCompromise
	pki_revoke "$r" 1005 superseded

	# ECDSA issuing CA (its index.txt, the issued list, is pki_fill's).
	e=$PKI_DIR/ec
	pki_key ec "$e/ca.key"
	pki_cert "$e/ca.key" "/O=Demo PKI/CN=Demo Issuing EC" "$PKI_DIR/root.pem" "$PKI_DIR/root.key" ca 3650 "$e/ca.pem"
	pki_key ec "$e/ocsp.key"
	pki_cert "$e/ocsp.key" "/O=Demo PKI/CN=Demo OCSP EC" "$e/ca.pem" "$e/ca.key" ocsp 365 "$e/ocsp.pem"
	pki_import "$e/ocsp.key" ocsp-ec 02
	rm -f "$e/ocsp.key"
	: > "$e/crl-index.txt"
	pki_revoke "$e" 2002 cessationOfOperation

	# A CA that signs its own responses (PEM key), serials as a directory.
	c=$PKI_DIR/self
	pki_key rsa "$c/ca.key"
	pki_cert "$c/ca.key" "/O=Demo PKI/CN=Demo Self-signing CA" "$PKI_DIR/root.pem" "$PKI_DIR/root.key" ca 3650 "$c/ca.pem"
	: > "$c/crl-index.txt"
	pki_revoke "$c" 3001 affiliationChanged

	# A TLS leaf (serial 0x1001 of the RSA CA) for stapling tests.
	pki_key rsa "$PKI_DIR/leaf.key"
	pki_cert "$PKI_DIR/leaf.key" "/CN=localhost" "$r/ca.pem" "$r/ca.key" leaf 30 "$PKI_DIR/leaf.pem" 0x1001
	cat "$r/ca.pem" "$PKI_DIR/root.pem" > "$PKI_DIR/chain.pem"
}

# pki_fixture DIR: pki_base into DIR, marked complete only when it is, for
# PKI_FIXTURE.  Nothing opens the fixture's token afterwards: copies do.
pki_fixture() {
	rm -rf "$1"
	( pki_base "$1" > /dev/null ) || return 1
	: > "$1/.fixture-complete"
}

# pki_copy FIXTURE DIR: DIR becomes a copy of the fixture, its own token
# included, with the files naming absolute paths written for DIR.
pki_copy() {
	[ -f "$1/.fixture-complete" ] || pki_die "PKI_FIXTURE $1 is not a built fixture"
	mkdir -p "$2" && cp -a "$1/." "$2/" || pki_die "copy of $1"
	rm -f "$2/.fixture-complete"
	PKI_DIR=$2
	pki_softhsm_conf
	for ca in rsa ec self; do pki_cacnf "$PKI_DIR/$ca" 30; done
}

# pki_fill DIR N: the issued lists (N serials per CA), the RSA CA's local
# revocations and DIR/ocsp-gen.conf.
pki_fill() {
	PKI_DIR=$1; n=$2
	r=$PKI_DIR/rsa; e=$PKI_DIR/ec; c=$PKI_DIR/self
	pki_serials 1000 "$n" > "$r/serials"
	printf '# local revocations\n1007 20261101120000Z keyCompromise\n' > "$r/local"
	pki_serials 2000 "$n" | while read -r s; do
		printf 'V\t351231235959Z\t\t%s\tunknown\t/CN=leaf %s\n' "$s" "$s"
	done > "$e/index.txt"
	# 2002 revoked in index.txt as in the CRL, at the CRL's instant.
	t=$(awk -F'\t' '$4 == "2002" { sub(/,.*/, "", $3); print $3 }' "$e/crl-index.txt")
	sed -i 's/^V\(\t[^\t]*\t\)\t2002\t/R\1'"$t"',cessationOfOperation\t2002\t/' "$e/index.txt"
	pki_serials 3000 "$n" | while read -r s; do : > "$c/issued/$s"; done

	cat > "$PKI_DIR/ocsp-gen.conf" <<EOT
# ocsp-gen configuration for the throwaway demo PKI.
[ocsp_gen]
output        = out/responses.lmdb
validity      = 7d
refresh       = 3d
cert_ids      = sha1, sha256
workers       = 2
pkcs11_module = $PKI_MODULE
authorities   = issuing_rsa, issuing_ec, issuing_self

[issuing_rsa]
ca_cert           = rsa/ca.pem
crl               = rsa/ca.crl
issued            = rsa/serials
local_revocations = rsa/local
signers           = signer_rsa

[signer_rsa]
cert = rsa/ocsp.pem
key  = pkcs11:token=ocsp;object=ocsp-rsa;pin-source=file:$PKI_DIR/pin

[issuing_ec]
ca_cert = ec/ca.pem
crl     = ec/ca.crl
issued  = ec/index.txt
signers = signer_ec

[signer_ec]
cert = ec/ocsp.pem
key  = pkcs11:token=ocsp;object=ocsp-ec;pin-source=file:$PKI_DIR/pin

[issuing_self]
ca_cert = self/ca.pem
crl     = self/ca.crl
issued  = self/issued
signers = signer_self

[signer_self]
cert = self/ca.pem
key  = self/ca.key
EOT
}

# pki_make DIR [N]: a demo PKI in DIR with N serials per CA (default 20),
# a copy of $PKI_FIXTURE when it is set, else built here.
pki_make() {
	if [ -n "${PKI_FIXTURE:-}" ]; then pki_copy "$PKI_FIXTURE" "$1"
	else pki_base "$1"; fi
	pki_fill "$1" "${2:-20}"
}
