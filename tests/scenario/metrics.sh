#!/bin/sh
# Metrics as Prometheus' own tool reads them: ocsp-serve's /metrics and
# ocsp-gen's metrics_file pass `promtool check metrics` with no output, and
# the alert rules in docs/ pass `promtool check rules` and their unit tests
# (tests/alerts/, `promtool test rules`).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 10
command -v promtool > /dev/null || { t_fail "promtool missing (make deps)"; t_done; exit 1; }

# lint CASE FILE: promtool check metrics must say nothing and exit 0.
lint() {
	if promtool check metrics < "$2" > "$T_TMP/lint.out" 2>&1 && [ ! -s "$T_TMP/lint.out" ]; then
		t_ok "$1"; else t_fail "$1"; sed 's/^/     | /' "$T_TMP/lint.out" | head -20; fi
}

t_check "alert rules: promtool check rules" promtool check rules "$here/../docs/alerts.rules.yml"
for f in "$here"/alerts/*.yml; do
	t_check "alert rules: promtool test rules $(basename "$f")" promtool test rules "$f"
done

sed -i "s|^\[ocsp_gen\]|[ocsp_gen]\nmetrics_file = $T_TMP/gen.prom|" ocsp-gen.conf
"$B/ocsp-gen" -c ocsp-gen.conf -q || { t_fail "ocsp-gen"; t_done; exit 1; }
t_grep "ocsp-gen wrote its metrics file" "^ocsp_gen_serials\\{authority=" "$T_TMP/gen.prom"
lint "ocsp-gen metrics_file: promtool check metrics is silent" "$T_TMP/gen.prom"

# Two files, one under a name that needs escaping in a label value.
cp out/responses.lmdb "$T_TMP/odd\"name.lmdb"
PORT=$(t_ports 2); MPORT=$((PORT + 1))
URL=http://127.0.0.1:$PORT
"$B/ocsp-serve" --db out/responses.lmdb --db "$T_TMP/odd\"name.lmdb" \
	--listen "127.0.0.1:$PORT" --metrics-listen "127.0.0.1:$MPORT" \
	--threads 2 > "$T_TMP/serve.log" 2>&1 &
t_bg $!
t_wait_url "http://127.0.0.1:$MPORT/healthz"
# Some of every kind of answer, so that every series has moved.
for s in 1001 1003 1fff; do
	openssl ocsp -url "$URL" -issuer rsa/ca.pem -serial "0x$s" -no_nonce -noverify > /dev/null 2>&1
done
printf 'garbage' | curl -s -o /dev/null --data-binary @- "$URL/"
curl -s -o /dev/null "$URL/nothing-here"
curl -s "http://127.0.0.1:$MPORT/metrics" > "$T_TMP/serve.prom"
t_grep "ocsp-serve answered and counted" 'ocsp_serve_requests_total\{method="POST",result="revoked"\} 1$' "$T_TMP/serve.prom"
t_grep "label value escaped" 'odd\\"name.lmdb"\} ' "$T_TMP/serve.prom"
lint "ocsp-serve /metrics: promtool check metrics is silent" "$T_TMP/serve.prom"
t_done
