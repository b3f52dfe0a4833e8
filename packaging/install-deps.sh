#!/bin/sh
# Install what building, testing and the demo need, when it is missing.
# On Debian/Ubuntu as root: apt-get update + install.  Elsewhere: print the
# command and fail, so nobody is left guessing.
set -eu

PKGS="build-essential pkg-config libssl-dev openssl liblmdb-dev lmdb-utils
libevent-dev libp11-dev libp11-kit-dev check libsubunit-dev softhsm2 opensc gnutls-bin
python3 python3-cryptography curl nginx-light wrk clang libclang-rt-14-dev
golang-cfssl procps rsync xfsprogs openssh-server openssh-client haproxy debhelper
dpkg-dev systemd groff-base man-db prometheus logrotate
python3-cryptography-vectors golang-go golang-golang-x-crypto-dev
openjdk-17-jdk-headless libbcprov-java libbcpkix-java
podman runc catatonit busybox-static docker-compose python3-yaml file binutils"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
	for p in $PKGS; do
		s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$s" in *"ok installed") ;; *) missing="$missing $p" ;; esac
	done
else
	echo "install-deps: not a Debian system; install the equivalents of:" >&2
	echo "  $PKGS" | tr '\n' ' ' >&2; echo >&2
	exit 0
fi
[ -z "$missing" ] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run as root: $cmd" >&2
	exit 1
fi
echo "install-deps: installing:$missing" >&2
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
