#!/bin/sh
# The README's demo: a throwaway PKI with a SoftHSM token, ocsp-gen signs
# every response through PKCS#11, ocsp-db shows the file, ocsp-serve
# answers on 127.0.0.1 and openssl ocsp / curl query it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/pki.sh"
B=${BIN:?}
D=${DEMO_DIR:-$(cd "$here/.." && pwd)/demo-out}
PORT=${DEMO_PORT:-8080}
rm -rf "$D"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Throwaway PKI in $D (root, RSA + ECDSA issuing CAs, signer keys in SoftHSM)"
pki_make "$D" 20
softhsm2-util --show-slots | grep -E 'Label|Serial' | head -2 || true
cd "$D"
step "ocsp-gen -c ocsp-gen.conf --check   (readiness; one test signature per CA, writes nothing)"
"$B/ocsp-gen" -c ocsp-gen.conf --check
step "ocsp-gen -c ocsp-gen.conf --csr signer_ec   (a signer's request, signed in the token)"
"$B/ocsp-gen" -c ocsp-gen.conf --csr signer_ec | openssl req -verify -noout -subject
step "ocsp-gen -c ocsp-gen.conf   (signs through PKCS#11)"
"$B/ocsp-gen" -c ocsp-gen.conf
step "ocsp-db stats out/responses.lmdb"
"$B/ocsp-db" stats out/responses.lmdb
step "ocsp-db get + openssl ocsp -respin (offline verification)"
"$B/ocsp-db" get out/responses.lmdb --issuer rsa/ca.pem --serial 1003 > revoked.der
openssl ocsp -respin revoked.der -issuer rsa/ca.pem -serial 0x1003 -CAfile root.pem -no_nonce

step "ocsp-serve on 127.0.0.1:$PORT"
"$B/ocsp-serve" --db out/responses.lmdb --listen "127.0.0.1:$PORT" \
	--metrics-listen "127.0.0.1:$((PORT + 1))" --threads 2 &
srv=$!
trap 'kill $srv 2>/dev/null' EXIT
i=0; until curl -s "http://127.0.0.1:$((PORT + 1))/healthz" >/dev/null || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
for q in "rsa 1001" "rsa 1003" "ec 2002" "rsa 1FFF"; do
	set -- $q
	step "openssl ocsp -url http://127.0.0.1:$PORT/ -issuer $1/ca.pem -serial 0x$2"
	openssl ocsp -url "http://127.0.0.1:$PORT/" -issuer "$1/ca.pem" -serial "0x$2" \
		-CAfile root.pem -no_nonce || true
done
step "GET with curl (the way browsers and nginx stapling ask)"
openssl ocsp -issuer ec/ca.pem -sha256 -serial 0x2001 -no_nonce -reqout req.der
curl -s -D - -o get.der "http://127.0.0.1:$PORT/$(base64 -w0 req.der)" | tr -d '\r'
openssl ocsp -respin get.der -issuer ec/ca.pem -sha256 -serial 0x2001 -CAfile root.pem -no_nonce
step "metrics (excerpt)"
curl -s "http://127.0.0.1:$((PORT + 1))/metrics" | grep -E 'requests_total.* [1-9]|db_responses'
echo
echo "Demo done; files in $D."
