#!/bin/sh
# What certid_sha2_params = both costs: one first run of N serials (default
# 100000) with cert_ids = sha1, sha256 and a delegated PEM signer (KEY:
# ec = P-256, default, or rsa = RSA 2048), once with the default (RFC 5754
# form only) and once with both; prints signatures, seconds and file size.
#   BIN=$PWD/bin sh tests/bench/both.sh [N] [ec|rsa]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/pki.sh"
B=${BIN:?BIN must name the directory of the built programs}
N=${1:-100000}
KT=${2:-ec}
D=$(mktemp -d "${TMPDIR:-/tmp}/ocsp-both.XXXXXX")
trap 'rm -rf "$D"' EXIT
PKI_DIR=$D
pki_ext "$D/ext.cnf"
cd "$D"
mkdir -p ca
pki_key ec root.key
openssl req -x509 -new -key root.key -subj "/CN=Bench Root" -days 3650 \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
	-out root.pem 2>/dev/null
pki_key "$KT" ca/ca.key
pki_cert ca/ca.key "/CN=Bench CA" root.pem root.key ca 3650 ca/ca.pem
pki_key "$KT" ca/ocsp.key
pki_cert ca/ocsp.key "/CN=Bench OCSP" ca/ca.pem ca/ca.key ocsp 365 ca/ocsp.pem
: > ca/crl-index.txt
pki_crl "$D/ca" 30
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "%X\n", 1048576 + i * 7 }' > ca/serials
for mode in absent both; do
	mkdir -p "out-$mode"
	cat > "$mode.conf" <<EOT
[ocsp_gen]
output = out-$mode/responses.lmdb
cert_ids = sha1, sha256
certid_sha2_params = $mode
workers = ${WORKERS:-2}
authorities = ca
[ca]
ca_cert = ca/ca.pem
crl = ca/ca.crl
issued = ca/serials
signers = s
[s]
cert = ca/ocsp.pem
key = ca/ocsp.key
EOT
	t0=$(date +%s.%N)
	"$B/ocsp-gen" -c "$mode.conf" 2> "$mode.log"
	t1=$(date +%s.%N)
	signed=$(sed -n 's/.*signed \([0-9]*\), kept.*/\1/p' "$mode.log" | head -1)
	size=$(stat -c %s "out-$mode/responses.lmdb")
	der=$("$B/ocsp-db" get "out-$mode/responses.lmdb" --issuer ca/ca.pem --serial 100000 --hash sha256 | wc -c)
	awk -v m="$mode" -v n="$N" -v k="$KT" -v s="$signed" -v t0="$t0" -v t1="$t1" \
	    -v z="$size" -v d="$der" 'BEGIN { printf "%-7s %s serials, %s key: signed %s in %.1f s; file %d octets (%.0f per response); sha256 response %d octets\n", m, n, k, s, t1 - t0, z, z / s, d }'
done
