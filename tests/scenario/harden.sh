#!/bin/sh
# ocsp-gen keeps itself out of core dumps and away from ptrace by other
# users while it holds a key and the token's PIN: the process reports
# prctl(PR_GET_DUMPABLE) right after each key is loaded (-v).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 2
"$B/ocsp-gen" -v -c ocsp-gen.conf > gen.out 2>&1 || { t_fail "ocsp-gen"; cat gen.out; }
n=$(grep -c "key loaded; process not dumpable" gen.out)
# Three signers: RSA and P-256 in the token (PIN), the self-signing CA's PEM.
[ "$n" = 3 ] && ! grep -q "DUMPABLE" gen.out &&
	t_ok "ocsp-gen is not dumpable while it holds each of its 3 keys" ||
	{ t_fail "dumpable after key load ($n lines)"; grep -i "key loaded" gen.out; }
t_done
