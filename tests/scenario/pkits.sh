#!/bin/sh
# NIST PKITS, the revocation sections (4.4, 4.5, 4.7, 4.14, 4.15), from
# Debian's python3-cryptography-vectors: every CA of each test's path an
# authority signing with its own key, each certificate's response verified
# by openssl ocsp, the outcome asserted against the table in
# tests/lib/pkits.py (which also checks itself against the data).  A
# revoked certificate that reads good, a valid one that reads revoked, or
# a refusal without a documented reason fails the test.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
B=${BIN:?BIN must name the directory of the built programs}
data=${PKITS_DATA:-/usr/lib/python3/dist-packages/cryptography_vectors/x509/PKITS_data}
if [ ! -d "$data/certs" ]; then
	echo "skip $T_NAME: no PKITS data in $data (install python3-cryptography-vectors: packaging/install-deps.sh)"
	exit 0
fi
t_setup
# Its lines are in the house format (ok/FAIL per test, then the tally).
TMPDIR=$T_TMP /usr/bin/python3 "$here/lib/pkits.py" --bin "$B" --data "$data" ${PKITS_ARGS:-}
