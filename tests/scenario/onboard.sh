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

t_done
