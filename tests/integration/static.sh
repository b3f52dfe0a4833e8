#!/bin/sh
# make static: bin/ocsp-serve and bin/ocsp-db as single static files.
# file(1) and the ELF headers say static, --version says so, the binaries
# serve the demo PKI's file to openssl and pass the serve scenario, and in
# an empty root (a scratch image's view: no libc files, no /etc/passwd)
# the server runs with a numeric --user and refuses a name, saying why.
# At the end plain `make` links the dynamic programs again.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
S=$top/bin
restore() { make -C "$top" -s TEST_CLOCK=1 all > /dev/null 2>&1; }
t_start_pki 10

# The test clock, as the serve scenario below needs it.
t_check "make static" make -C "$top" -s TEST_CLOCK=1 static
for p in ocsp-serve ocsp-db; do
	file "$S/$p" > "$T_TMP/file" 2>&1 || true
	# -static-pie keeps ASLR; file(1) calls it "static-pie linked".
	t_grep "file(1): $p statically linked" "statically linked|static-pie linked" "$T_TMP/file"
	readelf -ld "$S/$p" > "$T_TMP/elf" 2>&1
	t_check "$p: no program interpreter, no NEEDED library" \
		sh -c "! grep -Eq 'INTERP|\\(NEEDED\\)' $T_TMP/elf"
	"$S/$p" --version > "$T_TMP/ver" 2>&1
	t_grep "$p --version says static and names its libraries" \
		"^$p [0-9.]+ \\(static: OpenSSL [0-9.]+, libevent [0-9.]+-stable, LMDB [0-9.]+\\)$" "$T_TMP/ver"
done
size=$(stat -c %s "$S/ocsp-serve")
echo "     ocsp-serve static: $size octets"

# ocsp-gen stays dynamic (it loads the PKCS#11 module): bin/ has it.
"$S/ocsp-gen" -q -c ocsp-gen.conf || { t_fail "ocsp-gen"; restore; t_done; exit 1; }
DB=out/responses.lmdb
t_check "static ocsp-db stats reads the file" sh -c "'$S/ocsp-db' stats $DB | grep -q '^responses'"
PORT=$(t_ports 2); MPORT=$((PORT + 1))
"$S/ocsp-serve" --db "$DB" --listen "127.0.0.1:$PORT" --metrics-listen "127.0.0.1:$MPORT" \
	--threads 2 --user 65534:65533 2> serve.log &
SRV=$!; t_bg $SRV
t_wait_url "http://127.0.0.1:$MPORT/healthz"
t_check "--user UID:GID: runs as uid 65534" sh -c "grep -Eq '^Uid:[[:space:]]+65534[[:space:]]' /proc/$SRV/status"
t_check "--user UID:GID: runs as gid 65533" sh -c "grep -Eq '^Gid:[[:space:]]+65533[[:space:]]' /proc/$SRV/status"
ask() {  # CA SERIAL EXPECT
	openssl ocsp -url "http://127.0.0.1:$PORT/" -issuer "$1/ca.pem" -serial "0x$2" \
		-CAfile root.pem -no_nonce > "$T_TMP/ask" 2>&1
	cat "$T_TMP/ask"
	grep -q "Response verify OK" "$T_TMP/ask" && grep -q "^0x$2: $3" "$T_TMP/ask"
}
t_check "static ocsp-serve: openssl ocsp 1001 good, verified" ask rsa 1001 good
t_check "static ocsp-serve: openssl ocsp 1003 revoked, verified" ask rsa 1003 revoked
t_check "static ocsp-serve: EC CA 2002 revoked, verified" ask ec 2002 revoked
kill $SRV; wait $SRV 2>/dev/null

# The scratch image's view: an empty root with the binary and the file.
R=$T_TMP/root
mkdir -p "$R/data" && cp "$S/ocsp-serve" "$R/" && cp "$DB" "$R/data/"
chroot "$R" /ocsp-serve --db /data/responses.lmdb --listen "127.0.0.1:$PORT" \
	--user nobody > "$T_TMP/named" 2>&1 &
NP=$!; t_bg $NP
i=0; while kill -0 $NP 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_grep "empty root: --user NAME refused, says to give UID:GID" "no such user.*static build: give UID:GID" "$T_TMP/named"
chroot "$R" /ocsp-serve --db /data/responses.lmdb --listen "127.0.0.1:$PORT" \
	--metrics-listen "127.0.0.1:$MPORT" --user 65534:65534 2> "$T_TMP/numeric" &
NP=$!; t_bg $NP
t_wait_url "http://127.0.0.1:$MPORT/healthz"
t_check "empty root: --user 65534:65534 serves, 1001 good" ask rsa 1001 good
t_check "empty root: dropped to uid 65534" sh -c "grep -Eq '^Uid:[[:space:]]+65534[[:space:]]' /proc/$NP/status"
kill $NP; wait $NP 2>/dev/null

# The serve scenario, whole, against the static server.
if BIN=$S sh "$here/scenario/serve.sh" > "$T_TMP/serve.out" 2>&1; then
	t_ok "serve scenario passes with the static ocsp-serve ($(tail -1 "$T_TMP/serve.out"))"
else
	t_fail "serve scenario with the static ocsp-serve"; grep -E '^FAIL|passed' "$T_TMP/serve.out"
fi

restore
file "$S/ocsp-serve" > "$T_TMP/file" 2>&1
t_grep "plain make links the dynamic ocsp-serve again" "dynamically linked" "$T_TMP/file"
t_done
