#!/bin/sh
# ocsp-db as a pure reader: what it links, and the checks it runs on a
# published file.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 12
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
t_done
