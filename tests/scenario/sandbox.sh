#!/bin/sh
# ocsp-serve confines itself before it reads a request: the kernel shows
# the seccomp filter and no_new_privs on the running server; what the
# server needs still works inside (answers, hot swap, the access log and
# its reopen); a file outside the served files' directory, swapped in
# through a symlink, is refused (Landlock); --no-sandbox runs without.
# (The forbidden calls themselves, exec, socket, fork, executable memory,
# are tried in tests/unit/check_srv_sandbox.c, and the server tries exec,
# socket and opening / at start, refusing to serve if any goes through.)
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 5
"$B/ocsp-gen" -c ocsp-gen.conf -q || { t_fail "ocsp-gen"; t_done; exit 1; }
mkdir -p srv log elsewhere
cp out/responses.lmdb srv/responses.lmdb
PORT=$(t_ports 2); MPORT=$((PORT + 1))
URL=http://127.0.0.1:$PORT
"$B/ocsp-serve" --db srv/responses.lmdb --listen "127.0.0.1:$PORT" \
	--metrics-listen "127.0.0.1:$MPORT" --threads 2 --access-log log/access.log \
	> "$T_TMP/serve.log" 2>&1 &
SRV=$!
t_bg $SRV
t_wait_url "http://127.0.0.1:$MPORT/healthz"
MURL=http://127.0.0.1:$MPORT/metrics
ask() {  # SERIAL EXPECT
	openssl ocsp -url "$URL/" -issuer rsa/ca.pem -serial "0x$1" -CAfile root.pem -no_nonce 2>&1 |
		grep -q "^0x$1: $2"
}

t_check "kernel: seccomp filter on (Seccomp: 2)" grep -Eq '^Seccomp:[[:space:]]+2$' /proc/$SRV/status
t_check "kernel: no_new_privs set" grep -Eq '^NoNewPrivs:[[:space:]]+1$' /proc/$SRV/status
# Every thread, the workers started after the filter included.
t_check "kernel: every thread filtered" sh -c "for t in /proc/$SRV/task/*; do grep -Eq '^Seccomp:[[:space:]]+2\$' \$t/status || exit 1; done"
if grep -q "no Landlock in this kernel" "$T_TMP/serve.log"; then
	t_ok "log: seccomp on; this kernel has no Landlock (file rules skipped)"
	LANDLOCK=0
else
	t_grep "log: seccomp filter and Landlock entered" "sandbox: seccomp filter \([0-9]+ system calls allowed\), Landlock ABI [0-9]+" "$T_TMP/serve.log"
	LANDLOCK=1
fi

t_check "inside: answers" ask 1001 good
# Hot swap inside the sandbox: a new file renamed in beside the old one.
PKI_DIR=$P pki_revoke rsa 1002 keyCompromise
"$B/ocsp-gen" -c ocsp-gen.conf -q
cp out/responses.lmdb srv/.next && mv srv/.next srv/responses.lmdb
t_until 3 ask 1002 revoked && t_ok "inside: hot swap of a file renamed in" || t_fail "inside: hot swap"
# logrotate inside the sandbox: the log is created anew beside the old one.
mv log/access.log log/access.log.1
kill -USR1 $SRV
ask 1001 good
t_until 3 test -s log/access.log
t_check "inside: SIGUSR1 reopens (creates) the access log" grep -q " 1001 good 200 " log/access.log

# A file outside the served files' directory, put at the path through a
# symlink: Landlock refuses to open it, the served file stays.
if [ $LANDLOCK = 1 ]; then
	cp out/responses.lmdb elsewhere/responses.lmdb
	ln -s "$P/elsewhere/responses.lmdb" srv/.link && mv srv/.link srv/responses.lmdb
	k='ocsp_serve_db_swaps_refused_total{db="srv/responses.lmdb"}'
	t_until 3 t_metric_ge "$MURL" "$k" 1
	n=$(t_metric "$MURL" "$k")
	[ "$n" = 1 ] && t_ok "Landlock: a file outside the --db directory is refused" ||
		t_fail "Landlock: outside file refused (swaps refused: $n)"
	t_grep "Landlock: the refusal is logged (permission denied)" "srv/responses.lmdb: new file refused.*ermission denied" "$T_TMP/serve.log"
	t_check "Landlock: the file already served still answers" ask 1002 revoked
fi
t_check "server alive" kill -0 $SRV
kill $SRV; wait $SRV 2>/dev/null
if grep -q "Sanitizer\|runtime error" "$T_TMP/serve.log"; then
	t_fail "exit inside the sandbox: sanitizer report"; grep -A5 "Sanitizer\|runtime error" "$T_TMP/serve.log" | head -20
else t_ok "clean exit inside the sandbox (sanitizer builds: leak check ran)"; fi

# --no-sandbox: the filter is off.
"$B/ocsp-serve" --db out/responses.lmdb --listen "127.0.0.1:$PORT" --metrics-listen "127.0.0.1:$MPORT" \
	--threads 1 --no-sandbox > "$T_TMP/nosb.log" 2>&1 &
SRV=$!
t_bg $SRV
t_wait_url "http://127.0.0.1:$MPORT/healthz"
t_check "--no-sandbox: no filter (Seccomp: 0)" grep -Eq '^Seccomp:[[:space:]]+0$' /proc/$SRV/status
t_grep "--no-sandbox: said in the log" "--no-sandbox: not confined" "$T_TMP/nosb.log"
kill $SRV; wait $SRV 2>/dev/null
t_done
