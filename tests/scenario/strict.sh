#!/bin/sh
# Strict RFC 9112 request heads on raw sockets: every malformed head is
# answered 400 (411 for a body without a length) and the connection is
# closed, whether it arrives whole, octet by octet, or behind a good
# request on the same connection; the absolute-form target is answered
# with the stored DER, as the origin form is.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 5
"$B/ocsp-gen" -c ocsp-gen.conf -q || { t_fail "ocsp-gen"; t_done; exit 1; }
PORT=$(t_ports 2); MPORT=$((PORT + 1))
"$B/ocsp-serve" --db out/responses.lmdb --listen "127.0.0.1:$PORT" \
	--metrics-listen "127.0.0.1:$MPORT" --threads 2 --path-prefix /ocsp \
	> "$T_TMP/serve.log" 2>&1 &
SRV=$!
t_bg $SRV
t_wait_url "http://127.0.0.1:$MPORT/healthz"
openssl ocsp -issuer rsa/ca.pem -serial 0x1001 -no_nonce -reqout "$T_TMP/req.der"
B64=$(base64 -w0 "$T_TMP/req.der")
curl -s -o "$T_TMP/origin.der" "http://127.0.0.1:$PORT/ocsp/$B64"

/usr/bin/python3 - "$PORT" "$T_TMP/req.der" "$B64" "$T_TMP/origin.der" > "$T_TMP/raw.out" 2>&1 <<'PY'
import socket, sys, time

port, req, b64, origin = int(sys.argv[1]), open(sys.argv[2], "rb").read(), sys.argv[3], open(sys.argv[4], "rb").read()
post = (b"POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Type: application/ocsp-request\r\n"
        b"Content-Length: %d\r\n\r\n" % len(req)) + req

seen = {}

def exchange(chunks, deadline=5.0):
    """Send chunks (pausing between them), read until the server closes:
    (every octet received, closed by the server?).  Statuses are tallied
    in seen."""
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for c in chunks:
        try:
            s.sendall(c)
        except (BrokenPipeError, ConnectionResetError):
            break
        if len(chunks) > 1:
            time.sleep(0.002)
    s.settimeout(0.2)
    data, closed, end = b"", False, time.time() + deadline
    while time.time() < end:
        try:
            b = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            closed = True
            break
        if not b:
            closed = True
            break
        data += b
    s.close()
    for st in statuses(data):
        seen[st] = seen.get(st, 0) + 1
    return data, closed

def responses(data):
    """[(status, body)] of the responses in data, framed by Content-Length."""
    out = []
    while data.startswith(b"HTTP/1.1 ") and b"\r\n\r\n" in data:
        head, _, data = data.partition(b"\r\n\r\n")
        n = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
             if l.lower().startswith(b"content-length:")]
        out.append((int(head.split()[1]), data[:n[0] if n else 0]))
        data = data[n[0] if n else 0:]
    return out

def statuses(data):
    return [st for st, _ in responses(data)]

def body(data):
    r = responses(data)
    return r[0][1] if r else None

def check(name, chunks, want):
    data, closed = exchange(chunks)
    got = statuses(data)
    if got == want and closed:
        print("ok %s: %s, closed" % (name, " ".join(map(str, got))))
    else:
        print("FAIL %s: got %s, closed=%s: %r" % (name, got, closed, data[:300]))

bad = {
    "bare LF ends the request line": b"GET /ocsp/x HTTP/1.1\nHost: x\r\n\r\n",
    "bare LF ends a field line": b"GET /ocsp/x HTTP/1.1\r\nHost: x\n\r\n",
    "bare LF ends the head": b"GET /ocsp/x HTTP/1.1\r\nHost: x\r\n\n",
    "bare CR inside a field": b"GET /ocsp/x HTTP/1.1\r\nHost: x\ry\r\n\r\n",
    "space before the colon": b"GET /ocsp/x HTTP/1.1\r\nHost : x\r\n\r\n",
    "tab before the colon": b"POST /ocsp HTTP/1.1\r\nContent-Length\t: 5\r\n\r\nhello",
    "obs-fold": b"GET /ocsp/x HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n",
    "field line without a colon": b"GET /ocsp/x HTTP/1.1\r\nHost x\r\n\r\n",
    "two Host fields": b"GET /ocsp/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "Content-Length with Transfer-Encoding (CL.TE)":
        b"POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
    "Transfer-Encoding with Content-Length (TE.CL)":
        b"POST /ocsp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
    "differing duplicate Content-Length":
        b"POST /ocsp HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    "differing Content-Length list": b"POST /ocsp HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\nabcd",
    "control character in a value": b"GET /ocsp/x HTTP/1.1\r\nHost: a\x01b\r\n\r\n",
    "trailing text after the version": b"GET /ocsp/x HTTP/1.1 extra\r\n\r\n",
}
for name, head in bad.items():
    check(name + ": 400", [head], [400])
    check(name + ", octet by octet: 400", [head[i:i + 1] for i in range(len(head))], [400])
    check(name + ", pipelined behind a good request: 200 400", [post + head], [200, 400])

te = b"POST /ocsp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
check("a body without a length (chunked): 411", [te], [411])
check("a body without a length, pipelined: 200 411", [post + te], [200, 411])

# Accepted: equal duplicate lengths, empty lines before the request line,
# and the absolute form, answered with the stored DER.
same = post.replace(b"Content-Length: %d\r\n" % len(req),
                    b"Content-Length: %d\r\nContent-Length: %d\r\n" % (len(req), len(req)))
for name, msg in (("equal duplicate Content-Length", same),
                  ("empty lines before the request line", b"\r\n\r\n" + post)):
    data, _ = exchange([msg + b"GET /ocsp/x HTTP/1.1\r\nConnection: close\r\n\r\n"])
    print(("ok " if statuses(data)[:1] == [200] else "FAIL ") + name + ": 200 (%s)" % statuses(data))

for target in (b"http://127.0.0.1:%d/ocsp/%s" % (port, b64.encode()),
               b"HTTP://ocsp.example.org/ocsp/%s" % b64.encode()):
    data, _ = exchange([b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"])
    ok = statuses(data) == [200] and body(data) == origin
    print(("ok " if ok else "FAIL ") + "absolute-form GET %s: the stored DER (%d octets)" % (target[:24].decode(), len(origin)))
data, _ = exchange([post.replace(b"POST /ocsp ", b"POST http://127.0.0.1/ocsp ") + b"GET /x HTTP/1.1\r\nConnection: close\r\n\r\n"])
ok = statuses(data)[:1] == [200] and body(data) == origin
print(("ok " if ok else "FAIL ") + "absolute-form POST: the stored DER")
print("seen %d %d" % (seen.get(400, 0), seen.get(411, 0)))
PY
grep -q . "$T_TMP/raw.out" || t_fail "raw socket client ran"
while read -r verdict rest; do
	case $verdict in
	ok) t_ok "$rest" ;;
	FAIL) t_fail "$rest" ;;
	seen) set -- $rest; n400=$1; n411=$2 ;;
	*) t_fail "client: $verdict $rest" ;;
	esac
done < "$T_TMP/raw.out"
# Each refusal counted under its status, none as an OCSP result.
m400=$(t_metric "http://127.0.0.1:$MPORT/metrics" 'ocsp_serve_requests_rejected_total{status="400"}')
m411=$(t_metric "http://127.0.0.1:$MPORT/metrics" 'ocsp_serve_requests_rejected_total{status="411"}')
[ "${n400:-0}" -gt 40 ] && [ "$m400" = "$n400" ] && [ "$m411" = "${n411:-}" ] &&
	t_ok "refusals counted by status: 400 x $m400, 411 x $m411" ||
	t_fail "refusals counted by status: 400 x $m400 of ${n400:-?}, 411 x $m411 of ${n411:-?}"
nf=$(curl -s "http://127.0.0.1:$MPORT/metrics" | awk '/result="not_found"/ { s += $2 } END { print s + 0 }')
[ "$nf" -le 1 ] && t_ok "no refusal counted as not_found ($nf: the GET outside the prefix)" ||
	t_fail "refusals counted as not_found: $nf"
t_check "server still answering" sh -c "curl -sf -o /dev/null http://127.0.0.1:$PORT/ocsp/$B64"
t_check "no worker died" kill -0 $SRV
t_done
