#!/bin/sh
# Regenerate the real-client seeds of the HTTP fuzz target
# (tests/fuzz/corpus/http/client-*): the bytes curl, openssl ocsp, Python's
# urllib and nginx's OCSP stapling send, caught by a tiny listener on
# 127.0.0.1.  Every client asks for the request in
# tests/fuzz/corpus/http/request.der, whose key fuzz_http.c stores (nginx
# asks for its own certificate).  Not part of make check; run by hand:
#   sh tests/fuzz/capture-http.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_setup
OUT=$here/fuzz/corpus/http
REQ=$OUT/request.der
PORT=$(t_ports 2); TLS=$((PORT + 1))
URL=http://127.0.0.1:$PORT
listen() {  # NAME COUNT
	/usr/bin/python3 "$here/fuzz/capture.py" "$PORT" "$OUT" "client-$1" "$2" &
	cap=$!
	t_until 5 t_listening "$PORT"
}
b64=$(base64 -w0 "$REQ")

listen curl-post 1
curl -s -o /dev/null -H 'Content-Type: application/ocsp-request' --data-binary @"$REQ" "$URL/ocsp"
wait $cap
listen curl-get 1
curl -s -o /dev/null "$URL/ocsp/$(printf '%s' "$b64" | sed 's|+|%2B|g; s|/|%2F|g; s|=|%3D|g')"
wait $cap
listen openssl 1
openssl ocsp -reqin "$REQ" -url "$URL/ocsp" -noverify > /dev/null 2>&1 || true
wait $cap
listen urllib 1
/usr/bin/python3 - "$URL/ocsp" "$REQ" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=open(sys.argv[2], "rb").read(),
                             headers={"Content-Type": "application/ocsp-request"})
urllib.request.urlopen(req, timeout=5).read()
PY
wait $cap

# nginx staples: it asks (GET) for its own certificate when a TLS client
# wants the status.
PKI_DIR=$T_TMP/pki; mkdir -p "$PKI_DIR"; pki_ext "$PKI_DIR/ext.cnf"
pki_key rsa "$PKI_DIR/ca.key"
openssl req -x509 -new -key "$PKI_DIR/ca.key" -subj "/CN=Capture CA" -days 30 \
	-extensions ca -config "$PKI_DIR/ext.cnf" -out "$PKI_DIR/ca.pem" 2>/dev/null \
	|| openssl req -x509 -new -key "$PKI_DIR/ca.key" -subj "/CN=Capture CA" -days 30 \
	-addext "basicConstraints=critical,CA:TRUE" -out "$PKI_DIR/ca.pem"
pki_key rsa "$PKI_DIR/leaf.key"
pki_cert "$PKI_DIR/leaf.key" "/CN=localhost" "$PKI_DIR/ca.pem" "$PKI_DIR/ca.key" leaf 30 "$PKI_DIR/leaf.pem"
cat "$PKI_DIR/leaf.pem" "$PKI_DIR/ca.pem" > "$PKI_DIR/chain.pem"
cat > "$T_TMP/nginx.conf" <<EOT
pid $T_TMP/nginx.pid;
error_log $T_TMP/nginx.err;
events { worker_connections 64; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$TLS ssl;
        ssl_certificate $PKI_DIR/chain.pem;
        ssl_certificate_key $PKI_DIR/leaf.key;
        ssl_stapling on;
        ssl_stapling_responder $URL/ocsp/;
        location / { return 204; }
    }
}
EOT
listen nginx-stapling 1
nginx -c "$T_TMP/nginx.conf" -g 'daemon off;' &
ngx=$!
t_bg $ngx
t_until 5 t_listening "$TLS"
openssl s_client -connect "127.0.0.1:$TLS" -status < /dev/null > /dev/null 2>&1 || true
wait $cap
kill $ngx
ls -l "$OUT"
