#!/bin/sh
# Build the .deb, install it on this machine, use the installed programs,
# verify the units, purge it.  Needs root (CI runs as root).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_setup
if [ "$(id -u)" -ne 0 ]; then t_fail "needs root to install a package"; t_done; exit 1; fi
t_check "make deb" make -C "$top" -s deb
deb=$(ls "$top"/build-deb/ocsp-presign_*_amd64.deb 2>/dev/null | head -1)
t_check "dpkg -i" dpkg -i "$deb"
t_check "ocsp-gen --help (installed)" /usr/sbin/ocsp-gen --help
t_check "ocsp-serve --help (installed)" /usr/sbin/ocsp-serve --help
t_check "ocsp-db --help (installed)" /usr/bin/ocsp-db --help
pkgver=$(dpkg-query -W -f='${Version}' ocsp-presign)
for p in /usr/sbin/ocsp-gen /usr/sbin/ocsp-serve /usr/bin/ocsp-db; do
	"$p" --version > "$T_TMP/version" 2>&1
	t_grep "$p --version is the package's upstream version" "^${p##*/} ${pkgver%-*}\$" "$T_TMP/version"
done
t_check "system user created" id ocsp-presign
t_grep "example config has the contract's keys" "^authorities" /etc/ocsp-presign/ocsp-gen.conf
pki_make "$T_TMP/pki" 3 > /dev/null
( cd "$T_TMP/pki" && /usr/sbin/ocsp-gen -q -c ocsp-gen.conf )
t_check "installed ocsp-serve -n accepts a generated file" /usr/sbin/ocsp-serve -n --db "$T_TMP/pki/out/responses.lmdb" --listen 127.0.0.1:1
for u in ocsp-serve.service ocsp-gen.service ocsp-gen.timer ocsp-gen.path ocsp-gen-onchange.service ocsp-edge-sync.service ocsp-edge-sync.timer; do
	t_check "systemd-analyze verify $u" systemd-analyze verify "/lib/systemd/system/$u"
done
t_check "logrotate accepts the installed snippet" logrotate -d /etc/logrotate.d/ocsp-serve
t_check "logrotate accepts the audit log snippet" logrotate -d /etc/logrotate.d/ocsp-gen
for m in ocsp-gen.8 ocsp-serve.8 ocsp-db.1 ocsp-gen.conf.5; do
	s=${m##*.}
	t_check "man page $m renders without warnings" sh -c "zcat /usr/share/man/man$s/$m.gz | groff -ww -man -Tutf8 2>&1 >/dev/null | grep -q . && exit 1 || exit 0"
done
t_check "dpkg --purge" dpkg --purge ocsp-presign
t_check "binaries gone" sh -c "[ ! -e /usr/sbin/ocsp-serve ]"
t_check "system user gone" sh -c "! id ocsp-presign 2>/dev/null"
t_done
