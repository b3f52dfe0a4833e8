#!/bin/sh
# The fleet on one machine: ocsp-gen publishes, an rsync daemon on
# 127.0.0.1 serves the file, two edges pull it with ocsp-edge-sync.sh and
# run ocsp-serve, HAProxy balances over them with /healthz checks.  Then an
# nginx proxy_cache in front of one edge shows the cache headers working.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 10
mkdir -p publish edge1 edge2
sed -i 's|^output .*|output = publish/responses.lmdb|' ocsp-gen.conf
"$B/ocsp-gen" -q -c ocsp-gen.conf || { t_fail "ocsp-gen"; t_done; exit 1; }
base=$(t_ports 10)
RS=$base; E1=$((base + 1)); M1=$((base + 2)); E2=$((base + 3)); M2=$((base + 4))
HP=$((base + 5)); NG=$((base + 6)); HS=$((base + 9))

# rsync daemon: the module of packaging/edge-sync/rsyncd.conf, on loopback.
cat > rsyncd.conf <<EOT
pid file = $P/rsyncd.pid
use chroot = no
[ocsp]
    path = $P/publish
    read only = yes
    uid = root
    gid = root
    hosts allow = 127.0.0.1
EOT
rsync --daemon --no-detach --config=rsyncd.conf --address=127.0.0.1 --port=$RS &
t_bg $!
t_until 5 rsync "rsync://127.0.0.1:$RS/" > /dev/null 2>&1
sync_edges() {
	for e in edge1 edge2; do
		sh "$top/packaging/edge-sync/ocsp-edge-sync.sh" "rsync://127.0.0.1:$RS/ocsp/" "$e/" || return 1
	done
}
t_check "edges pull the published file over rsync" sync_edges
t_check "edge copy is identical" cmp publish/responses.lmdb edge1/responses.lmdb

"$B/ocsp-serve" --db edge1/responses.lmdb --listen 127.0.0.1:$E1 --metrics-listen 127.0.0.1:$M1 --threads 1 2> e1.log &
S1=$!; t_bg $S1
"$B/ocsp-serve" --db edge2/responses.lmdb --listen 127.0.0.1:$E2 --metrics-listen 127.0.0.1:$M2 --threads 1 2> e2.log &
S2=$!; t_bg $S2
t_wait_url "http://127.0.0.1:$M1/healthz"; t_wait_url "http://127.0.0.1:$M2/healthz"

cat > haproxy.cfg <<EOT
global
    maxconn 512
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout
frontend ocsp
    bind 127.0.0.1:$HP
    default_backend edges
backend edges
    balance roundrobin
    option httpchk GET /healthz
    default-server inter 500ms fall 2 rise 2
    server e1 127.0.0.1:$E1 check port $M1
    server e2 127.0.0.1:$E2 check port $M2
listen stats
    bind 127.0.0.1:$HS
    stats enable
    stats uri /stats
EOT
haproxy -f haproxy.cfg -db > haproxy.log 2>&1 &
t_bg $!
# hp_server SERVER STATUS CHECK: HAProxy's stats page shows SERVER of
# backend edges in STATUS, its last check's result beginning with CHECK.
hp_server() {
	curl -s "http://127.0.0.1:$HS/stats;csv" | awk -F, -v s="$1" -v st="$2" -v ck="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == "edges" && $2 == s && $c["status"] == st && $c["check_status"] ~ "^" ck { f = 1 }
		END { exit !f }'
}
t_wait_url "http://127.0.0.1:$HP/"
# Servers start UP before any check ran: wait for a passed /healthz check.
t_until 10 hp_server e1 UP L7OK && t_until 10 hp_server e2 UP L7OK ||
	t_fail "HAProxy health checks of both edges pass"

ask() {  # SERIAL -> status word through HAProxy (POST), verified
	openssl ocsp -url "http://127.0.0.1:$HP/" -issuer rsa/ca.pem -serial "0x$1" \
		-CAfile root.pem -no_nonce 2>&1 | awk -v s="0x$1:" '$1 == s { print $2 }'
}
t_check "through HAProxy: 1002 good" sh -c "[ \"\$(openssl ocsp -url http://127.0.0.1:$HP/ -issuer rsa/ca.pem -serial 0x1002 -CAfile root.pem -no_nonce 2>&1 | grep -c '0x1002: good')\" = 1 ]"

# Client loop through HAProxy for the whole rest of the fleet test.
openssl ocsp -issuer rsa/ca.pem -serial 0x1001 -no_nonce -reqout req.der
( n=0; f=0; while [ $n -lt 400 ] && [ ! -f stop-loop ]; do
	code=$(curl -s -o loop.der -w '%{http_code}' --data-binary @req.der "http://127.0.0.1:$HP/")
	[ "$code" = 200 ] && [ -s loop.der ] || f=$((f + 1))
	n=$((n + 1)); echo $n > loop.n; sleep 0.02; done; echo "$n $f" > loop.result ) &
LOOP=$!; t_bg $LOOP

# Revocation travels: regenerate, the edges' sync timer (here a bounded
# loop, 1 s interval) picks it up, every answer turns revoked.
( i=0; while [ $i -lt 15 ] && [ ! -f stop-sync ]; do sync_edges; sleep 1; i=$((i + 1)); done ) &
SYNC=$!; t_bg $SYNC
PKI_DIR=$P pki_revoke rsa 1002 keyCompromise
t0=$(date +%s)
"$B/ocsp-gen" -q -c ocsp-gen.conf
i=0; ok=0
while [ $i -lt 40 ]; do
	a=$(ask 1002); b=$(ask 1002)
	if [ "$a" = revoked ] && [ "$b" = revoked ]; then ok=1; break; fi
	sleep 0.25; i=$((i + 1))
done
[ $ok = 1 ] && t_ok "revocation reaches both edges within the sync interval ($(( $(date +%s) - t0 )) s)" || t_fail "revocation reaches both edges"
touch stop-sync

# One edge goes away: HAProxy routes around it, the loop sees no failure.
kill $S1
t_until 10 hp_server e1 DOWN L4 || t_fail "HAProxy marks edge 1 down"
for s in 1 2 3 4 5 6; do a=$(ask 1002); [ "$a" = revoked ] || break; done
[ "$a" = revoked ] && t_ok "edge 1 stopped: answers continue through HAProxy" || t_fail "edge 1 stopped: got '$a'"
# The loop goes on past the change: 30 more requests (or its end).
loop_at() { [ -f loop.result ] || { v=$(cat loop.n); [ -n "$v" ] && [ "$v" -ge "$1" ]; }; }
t_until 20 loop_at $(($(cat loop.n) + 30)) || t_fail "client loop stalled"
touch stop-loop
wait $LOOP 2>/dev/null
read -r n f < loop.result
[ "$f" = 0 ] && [ "$n" -gt 50 ] && t_ok "client loop through HAProxy: $n requests, 0 failed" || t_fail "client loop: $n requests, $f failed"

# HTTP cache: nginx proxy_cache in front of edge 2 honours max-age.
"$B/ocsp-serve" --db edge2/responses.lmdb --listen 127.0.0.1:$((base + 7)) \
	--metrics-listen 127.0.0.1:$((base + 8)) --threads 1 --max-age 2 2> e3.log &
t_bg $!
t_wait_url "http://127.0.0.1:$((base + 8))/healthz"
mkdir -p ngx/cache
cat > ngx/nginx.conf <<EOT
user $(id -un);
worker_processes 1;
pid $P/ngx/nginx.pid;
error_log $P/ngx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    proxy_cache_path $P/ngx/cache keys_zone=ocsp:1m;
    server {
        listen 127.0.0.1:$NG;
        location / {
            proxy_pass http://127.0.0.1:$((base + 7));
            proxy_cache ocsp;
            add_header X-Cache \$upstream_cache_status;
        }
    }
}
EOT
nginx -c "$P/ngx/nginx.conf" -g 'daemon off;' &
t_bg $!
t_wait_url "http://127.0.0.1:$NG/"
get=$(base64 -w0 req.der | sed 's|+|%2B|g; s|/|%2F|g; s|=|%3D|g')
hits() { t_metric "http://127.0.0.1:$((base + 8))/metrics" 'ocsp_serve_requests_total{method="GET",result="good"}'; }
cached_ms=$(($(date +%s%N) / 1000000))
for i in 1 2 3 4 5; do curl -s -o /dev/null "http://127.0.0.1:$NG/$get"; done
[ "$(hits)" = 1 ] && t_ok "nginx cache: 5 GETs, 1 reached ocsp-serve" || t_fail "nginx cache: backend hits $(hits)"
curl -s -D - -o /dev/null "http://127.0.0.1:$NG/$get" | grep -q "X-Cache: HIT" && t_ok "nginx cache: HIT" || t_fail "nginx cache: HIT"
# Poll through nginx (HITs do not reach the server) until the entry is
# stale: the max-age of 2 s has run out, never much sooner.
expired() { curl -s -D - -o /dev/null "http://127.0.0.1:$NG/$get" | grep -q "X-Cache: EXPIRED"; }
t_until 10 expired; age=$(($(date +%s%N) / 1000000 - cached_ms))
[ "$(hits)" = 2 ] && [ $age -ge 1500 ] && t_ok "nginx cache: refetched after max-age ($age ms)" ||
	t_fail "nginx cache: after max-age ($age ms), backend hits $(hits)"
t_done
