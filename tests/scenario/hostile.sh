#!/bin/sh
# Misbehaving clients cost only themselves (tests/lib/hostile.py), and the
# connection cap holds.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 5
"$B/ocsp-gen" -c ocsp-gen.conf -q || { t_fail "ocsp-gen"; t_done; exit 1; }
PORT=$(t_ports 4); MPORT=$((PORT + 1))
openssl ocsp -issuer rsa/ca.pem -serial 0x1001 -no_nonce -reqout "$T_TMP/req.der"
"$B/ocsp-serve" --db out/responses.lmdb --listen "127.0.0.1:$PORT" \
	--metrics-listen "127.0.0.1:$MPORT" --threads 2 2> "$T_TMP/serve.log" &
SRV=$!
t_bg $SRV
t_wait_url "http://127.0.0.1:$MPORT/healthz"
/usr/bin/python3 "$here/lib/hostile.py" "$PORT" "$MPORT" "$T_TMP/req.der" > "$T_TMP/h.out" 2>&1
cat "$T_TMP/h.out" | grep -v '^hostile: [0-9]'
T_PASS=$((T_PASS + $(grep -c '^ok ' "$T_TMP/h.out")))
T_FAIL=$((T_FAIL + $(grep -c '^FAIL' "$T_TMP/h.out")))
grep -q '^hostile: [0-9]* passed' "$T_TMP/h.out" || t_fail "hostile.py finished"
t_grep "the mix ran against the sandboxed server" "sandbox: seccomp filter" "$T_TMP/serve.log"
t_check "sandboxed server alive after the mix" kill -0 $SRV
kill $SRV; wait $SRV 2>/dev/null
if grep -q "Sanitizer\|runtime error" "$T_TMP/serve.log"; then
	t_fail "exit after the mix: sanitizer report"; grep -A5 "Sanitizer\|runtime error" "$T_TMP/serve.log" | head -20
else t_ok "clean exit after the mix"; fi

# Connection cap: with --max-connections 4, the fifth is closed at once.
"$B/ocsp-serve" --db out/responses.lmdb --listen "127.0.0.1:$((PORT + 2))" \
	--metrics-listen "127.0.0.1:$((PORT + 3))" --threads 1 --max-connections 4 2> "$T_TMP/cap.log" &
t_bg $!
t_wait_url "http://127.0.0.1:$((PORT + 3))/healthz"
/usr/bin/python3 - "$((PORT + 2))" "$((PORT + 3))" > "$T_TMP/cap.out" 2>&1 <<'PY'
import socket, sys, time, urllib.request
port, mport = int(sys.argv[1]), int(sys.argv[2])

def metric(name):
    m = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mport).read().decode()
    v = [l.split()[1] for l in m.splitlines() if l.startswith(name + " ")]
    return v[0] if v else "?"

def until_open(n):
    """Until the server holds n connections, 5 s at most."""
    end = time.time() + 5
    while metric("ocsp_serve_open_connections") != str(n) and time.time() < end:
        time.sleep(0.02)

idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
until_open(4)
extra = socket.create_connection(("127.0.0.1", port))
extra.settimeout(2)
try:
    closed = extra.recv(1) == b""
except ConnectionResetError:
    closed = True
except socket.timeout:
    closed = False
rej = metric("ocsp_serve_connections_rejected_total")
for s in idle:
    s.close()
until_open(0)
print("closed=%s rejected=%s" % (closed, rej))
PY
t_grep "connection cap: the fifth is refused and counted" "closed=True rejected=1" "$T_TMP/cap.out"
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T_TMP/req.der" "http://127.0.0.1:$((PORT + 2))/")
[ "$code" = 200 ] && t_ok "connection cap: serving again once they leave" || t_fail "connection cap: serving again (got $code)"
t_done
