#!/bin/sh
# Faults: disk full during publication, PKCS#11 failures, SIGKILL at random
# moments, bad files renamed under a running server.  Nothing is lost: the
# published file is always the old one or a complete new one.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 20
DB=out/responses.lmdb
gen() { "$B/ocsp-gen" "$@" > "$T_TMP/gen.log" 2>&1; }
"$B/ocsp-gen" -q -c ocsp-gen.conf || { t_fail "first run"; t_done; exit 1; }
cp "$DB" "$T_TMP/v1.lmdb"
same_as() { cmp -s "$DB" "$1"; }
fails_cleanly() {  # DESC PATTERN CONF
	if gen -c "$3"; then t_fail "$1: run should fail"; return; fi
	if grep -q -- "$2" "$T_TMP/gen.log" && same_as "$T_TMP/v1.lmdb"; then
		t_ok "$1: refused, nothing published"
	else t_fail "$1"; sed 's/^/     | /' "$T_TMP/gen.log"; fi
}

# PKCS#11: every failure names the signer, publishes nothing.
sed 's|token=ocsp;object=ocsp-rsa|token=nosuch;object=ocsp-rsa|' ocsp-gen.conf > c1.conf
fails_cleanly "missing token" "signer signer_rsa: no token 'nosuch'" c1.conf
sed 's|^pkcs11_module .*|pkcs11_module = /nonexistent/libpkcs11.so|' ocsp-gen.conf > c2.conf
fails_cleanly "wrong module path" "signer signer_rsa: pkcs11_module /nonexistent/libpkcs11.so: No such file or directory" c2.conf
sed 's|object=ocsp-rsa|object=no-such-key|' ocsp-gen.conf > c3.conf
fails_cleanly "key object missing" "signer signer_rsa: token 'ocsp' has no private key that matches key = pkcs11:token=ocsp;object=no-such-key" c3.conf
sed 's|object=ocsp-rsa|object=ocsp-ec|' ocsp-gen.conf > c4.conf
fails_cleanly "key of another signer" "signer signer_rsa: key does not match its certificate" c4.conf
chmod 644 pin
fails_cleanly "group/world-readable PIN file" "readable or writable by group or others" ocsp-gen.conf
chmod 600 pin

# SIGKILL at moments of a run: each time the file is the old or a new one,
# it opens, and a response in it verifies.  The moments are conditions, not
# delays, so each kill lands while the run is on: the first signer's login,
# the start of signing, and a quarter, half and three quarters of the CPU
# time a whole run takes (signing is CPU-bound).
pki_serials 6000 1500 >> rsa/serials
# SoftHSM rewrites its token files in place at login, so a SIGKILL can land
# in that rewrite and leave the token unreadable: SoftHSM's fault, not the
# generator's.  Each kill therefore starts from a saved copy of the token.
cp -a "$PKI_DIR/tokens" "$T_TMP/tokens.saved"
full=$(/usr/bin/python3 - "$B/ocsp-gen" -q --force -c ocsp-gen.conf <<'PY'
import os, resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(int((r.ru_utime + r.ru_stime) * os.sysconf("SC_CLK_TCK")))
PY
) || { t_fail "a whole run, to place the kills"; full=0; }
# reached PID MOMENT: the run got there, or ended (then the kill is late).
reached() {
	set -- "$1" "$2" "$(cat "/proc/$1/stat" 2>/dev/null)"
	case $3 in ""|*") Z "*) return 0 ;; esac
	case $2 in
	log:*) grep -q -- "${2#log:}" "$T_TMP/kill.log" ;;
	cpu:*) echo "$3" | awk -v n="${2#cpu:}" '{ exit !($14 + $15 >= n) }' ;;
	esac
}
bad=0; late=""
for at in "log:signer signer_rsa: key loaded" "log:issuing_self: [0-9]* serials, signer" \
    "cpu:$((full / 4))" "cpu:$((full / 2))" "cpu:$((full * 3 / 4))"; do
	cp "$DB" "$T_TMP/before.lmdb"
	"$B/ocsp-gen" -v --force -c ocsp-gen.conf > "$T_TMP/kill.log" 2>&1 &
	pid=$!
	t_until 60 reached $pid "$at"
	kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	[ $? = 137 ] || late="$late [$at]"
	rm -rf "$PKI_DIR/tokens" && cp -a "$T_TMP/tokens.saved" "$PKI_DIR/tokens"
	if ! "$B/ocsp-db" stats "$DB" > /dev/null 2>&1; then bad=$((bad + 1))
	elif ! "$B/ocsp-db" get "$DB" --issuer rsa/ca.pem --serial 1001 > "$T_TMP/r.der" ||
	     ! openssl ocsp -respin "$T_TMP/r.der" -issuer rsa/ca.pem -serial 0x1001 \
		-CAfile root.pem -no_nonce 2>&1 | grep -q "Response verify OK"; then bad=$((bad + 1))
	fi
done
[ -z "$late" ] && t_ok "each SIGKILL landed while the run was on" ||
	t_fail "SIGKILL after the run had ended at:$late (a whole run: $full ticks of CPU)"
[ $bad = 0 ] && t_ok "5 SIGKILLs at moments of the run: file always opens and verifies" || t_fail "SIGKILL: $bad of 5 left a bad file"
t_check "run after the kills completes" gen -q -c ocsp-gen.conf
t_check "no temporary files left" sh -c "! ls -a out | grep -q '\.tmp\.'"

# Disk full: the output directory on a small tmpfs.
mkdir -p "$T_TMP/small"
if mount -t tmpfs -o size=1200k tmpfs "$T_TMP/small" 2>/dev/null; then
	head -20 rsa/serials > rsa/small.serials
	sed -e "s|^output .*|output = $T_TMP/small/responses.lmdb|" \
	    -e "s|^issued            = rsa/serials|issued = rsa/small.serials|" ocsp-gen.conf > small.conf
	if gen -q -c small.conf; then
		cp "$T_TMP/small/responses.lmdb" "$T_TMP/small-v1.lmdb"
		pki_serials 7000 3000 >> rsa/small.serials
		if gen -c small.conf; then t_fail "disk full: run should fail"
		else
			cmp -s "$T_TMP/small/responses.lmdb" "$T_TMP/small-v1.lmdb" &&
				t_ok "disk full: non-zero exit, old file intact" ||
				t_fail "disk full: old file changed"
			t_grep "disk full: the error says the filesystem is full" "KiB free: full\?" "$T_TMP/gen.log"
			ls -a "$T_TMP/small" | grep -q '\.tmp\.' && t_fail "disk full: temporary file left" ||
				t_ok "disk full: no temporary file left"
		fi
		head -20 rsa/serials > rsa/small.serials
		t_check "after space returns, runs succeed again" gen -q -c small.conf
	else
		t_fail "disk full: first run on the small filesystem"; cat "$T_TMP/gen.log"
	fi
	umount "$T_TMP/small"
else
	t_fail "disk full: cannot mount a tmpfs (run as root)"
fi

# Bad files renamed under a running server: refused, counted, old one served.
PORT=$(t_ports 2); MPORT=$((PORT + 1))
"$B/ocsp-serve" --db "$DB" --listen 127.0.0.1:$PORT --metrics-listen 127.0.0.1:$MPORT --threads 1 2> "$T_TMP/serve.log" &
t_bg $!
t_wait_url "http://127.0.0.1:$MPORT/healthz"
cp "$DB" "$T_TMP/served.lmdb"
refused() { curl -s "http://127.0.0.1:$MPORT/metrics" | awk '/^ocsp_serve_db_swaps_refused_total/ { print $2 }'; }
refused_ge() { [ "$(refused)" -ge "$1" ] 2>/dev/null; }
answer_ok() {
	openssl ocsp -url "http://127.0.0.1:$PORT/" -issuer rsa/ca.pem -serial 0x1001 \
		-CAfile root.pem -no_nonce 2>&1 | grep -q "0x1001: good"
}
n=0
for kind in empty wrong-version not-lmdb truncated; do
	case $kind in
	empty) : > "$T_TMP/bad" ;;
	wrong-version)
		# A valid LMDB file whose format record says version 9.
		cp "$T_TMP/served.lmdb" "$T_TMP/bad"
		python3 - "$T_TMP/bad" <<'PY'
import sys
p = sys.argv[1]; b = open(p, "rb").read()
# Every copy: free pages of a plain copy may hold older ones.
open(p, "wb").write(b.replace(b"ocsp-presign-db 3", b"ocsp-presign-db 9"))
PY
		;;
	not-lmdb) head -c 65536 /dev/urandom > "$T_TMP/bad" ;;
	truncated) head -c 12000 "$T_TMP/served.lmdb" > "$T_TMP/bad" ;;
	esac
	cp "$T_TMP/bad" "$DB.new"; mv "$DB.new" "$DB"
	n=$((n + 1))
	t_until 10 refused_ge $n
	if [ "$(refused)" = "$n" ] && answer_ok; then t_ok "$kind file renamed over: refused, counted, old answers continue"
	else t_fail "$kind file: refused=$(refused), expected $n"; tail -3 "$T_TMP/serve.log"; fi
done
t_grep "refusals logged with the reason" "format 'ocsp-presign-db 9'" "$T_TMP/serve.log"
t_done
