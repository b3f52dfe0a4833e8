#!/bin/sh
# The published file's format: page stability for rsync, the server's
# figures from the summary records (not a walk), refusal of files of
# another format, and the stored signer certificate spliced back.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 20
DB=out/responses.lmdb
N=3000

# A few thousand random 16-octet serials under the P-256 CA.
openssl rand -hex $((16 * N)) | fold -w32 | tr a-f A-F > many.serials
sed 's/^/V\t351231235959Z\t\t/; s/$/\tunknown\t\/CN=x/' many.serials >> ec/index.txt
sed -i "s|^\(issued  = ec/index.txt\)|\1\nlocal_revocations = ec/local|" ocsp-gen.conf
: > ec/local
"$B/ocsp-gen" -q -c ocsp-gen.conf || { t_fail "ocsp-gen"; t_done; exit 1; }
cp $DB old.lmdb

# ---- page stability: revoke 3 serials (6 responses re-signed)
tail -n +4 many.serials | shuf -n 3 | sed 's/$/ 20261101120000Z keyCompromise/' > ec/local
"$B/ocsp-gen" -c ocsp-gen.conf > gen.log 2>&1
t_grep "second run re-signs only the revoked" "signed 6," gen.log
# New 4096-octet pages: pages of the new file whose octets are nowhere in
# the old one (what rsync's delta transfer has to send).
new_pages() {
	python3 - "$1" "$2" <<'PY'
import hashlib, sys
def pages(p):
    d = open(p, "rb").read()
    return [d[i:i + 4096] for i in range(0, len(d), 4096)]
old = {hashlib.sha256(p).digest() for p in pages(sys.argv[1])}
new = pages(sys.argv[2])
print(sum(1 for p in new if hashlib.sha256(p).digest() not in old), len(new))
PY
}
set -- $(new_pages old.lmdb $DB)
echo "new pages: $1 of $2" > pages.txt
t_check "a 6-response run changes few pages ($1 of $2 new)" test "$1" -le 40
t_check "unchanged pages keep their offset" python3 - old.lmdb $DB <<'PY'
import sys
a = open(sys.argv[1], "rb").read(); b = open(sys.argv[2], "rb").read()
same = sum(1 for i in range(0, min(len(a), len(b)), 4096) if a[i:i + 4096] == b[i:i + 4096])
sys.exit(0 if same >= len(a) // 4096 - 40 else 1)
PY
# Density: file octets per response under the served DER's size.
size=$(stat -c %s $DB)
resp=$("$B/ocsp-db" stats $DB | awk '/^responses/ { print $2 }')
served=$("$B/ocsp-db" get $DB --issuer ec/ca.pem --serial "$(head -1 many.serials)" --hash sha1 | wc -c)
t_check "file octets per response ($((size / resp))) below the served DER ($served)" \
	test $((size / resp)) -lt "$served"
# Repeated small runs do not grow the file: LMDB reuses the pages a run
# frees two runs later, so the size settles after a few runs.
small_runs() {
	for i in 1 2 3 4; do
		tail -n +4 many.serials | shuf -n 3 | sed 's/$/ 20261101120000Z keyCompromise/' > ec/local
		"$B/ocsp-gen" -q -c ocsp-gen.conf
	done
	stat -c %s $DB
}
s4=$(small_runs); s8=$(small_runs)
t_check "file size settles: $size, after 4 runs $s4, after 8 $s8" \
	test $((s8 - s4)) -le $((16 * 4096)) -a "$s8" -le $((size + size / 10))

# The summaries agree with the records, also after a run a day later that
# re-signs a share early (even refresh): counts, oldest thisUpdate,
# nearest nextUpdate.
sum_vs_walk() {
	a=$("$B/ocsp-db" stats $DB | awk '$1 == "good" { n += $2 + $4;
		if (o == "" || $7 < o) o = $7; if (x == "" || $10 < x) x = $10 }
		END { print n, o, x }')
	b=$("$B/ocsp-db" dump $DB | awk '{ n++; t = $(NF - 3); u = $(NF - 2);
		if (o == "" || t < o) o = t; if (x == "" || u < x) x = u }
		END { print n, o, x }')
	echo "summaries: $a; records: $b"
	test "$a" = "$b"
}
t_check "summaries = the records" sum_vs_walk

# ---- splice: every served response is the DER that was signed and verifies
for s in $(head -3 many.serials); do
	"$B/ocsp-db" get $DB --issuer ec/ca.pem --serial "$s" --hash sha256 > r.der
	t_check "served $s verifies (EC delegated, certificate spliced)" \
		verify_resp r.der ec/ca.pem "$s" sha256 good root.pem
done
"$B/ocsp-db" get $DB --issuer self/ca.pem --serial 3001 --hash sha1 > r.der
t_check "CA signing its own responses: verifies" verify_resp r.der self/ca.pem 3001 sha1 revoked root.pem
"$B/ocsp-db" get $DB --issuer rsa/ca.pem --serial 1003 --hash sha1 > r.der
t_check "RSA delegated: verifies" verify_resp r.der rsa/ca.pem 1003 sha1 revoked root.pem
t_check "one certs record per signer in use, none per response" \
	test "$(mdb_dump -n -p $DB | grep -c '^ \\00certs')" -le 3
# After the splice checks: responses re-signed on a clock a day ahead are
# not yet valid for openssl, which checks times against the real clock.
OCSP_PRESIGN_NOW=$(( $(date +%s) + 86400 )) "$B/ocsp-gen" -c ocsp-gen.conf > gen.log 2>&1
t_grep "a day later some are re-signed early" "[1-9][0-9]* re-signed early" gen.log
t_check "summaries = the records after early re-signing" sum_vs_walk

# ---- the server's figures come from the summaries
PORT=$(t_ports 2); MPORT=$((PORT + 1))
"$B/ocsp-serve" --db $DB --listen 127.0.0.1:$PORT --metrics-listen 127.0.0.1:$MPORT \
	--threads 1 > serve.log 2>&1 &
SRV=$!; t_bg $SRV
t_wait_url "http://127.0.0.1:$MPORT/healthz"
metric() { t_metric "http://127.0.0.1:$MPORT/metrics" "$1{db=\"$DB\"}"; }
walked=$("$B/ocsp-db" dump $DB | wc -l)
t_check "responses metric ($(metric ocsp_serve_db_responses)) = records walked ($walked)" \
	test "$(metric ocsp_serve_db_responses)" = "$walked"
nearest=$("$B/ocsp-db" dump $DB | awk '{ print $(NF - 2) }' | sort | head -1)
t_check "nearest nextUpdate metric = the records' ($nearest)" \
	test "$(date -u -d @"$(metric ocsp_serve_db_nearest_next_update_timestamp_seconds)" +%Y-%m-%dT%H:%M:%SZ)" = "$nearest"
kill $SRV; wait $SRV 2>/dev/null
# Opening reads a few pages, not the file: with the file out of the page
# cache (the kernel maps whole cached folios on a fault), what the server
# has resident after open is what it read.
python3 -c "import os; os.posix_fadvise(os.open('$DB', os.O_RDONLY), 0, 0, os.POSIX_FADV_DONTNEED)"
"$B/ocsp-serve" --db $DB --listen 127.0.0.1:$PORT --metrics-listen 127.0.0.1:$MPORT \
	--threads 1 > serve.log 2>&1 &
SRV=$!; t_bg $SRV
t_wait_url "http://127.0.0.1:$MPORT/healthz"
rss=$(awk -v f="$DB" '/^[0-9a-f]+-[0-9a-f]+ / { m = index($0, f) > 0 }
	m && /^Rss:/ { s += $2 } END { print s + 0 }' /proc/$SRV/smaps)
t_check "map resident after open: $rss KiB of $((size / 1024)) KiB" test "$rss" -le 256
kill $SRV; wait $SRV 2>/dev/null

# Staleness from the summary: past the nearest nextUpdate.
OCSP_PRESIGN_NOW=$(( $(date +%s) + 8 * 86400 )) "$B/ocsp-serve" --db $DB \
	--listen 127.0.0.1:$PORT --metrics-listen 127.0.0.1:$MPORT --threads 1 > serve.log 2>&1 &
SRV=$!; t_bg $SRV
t_wait_url "http://127.0.0.1:$MPORT/healthz"
t_check "stale by the summary: /healthz 503" sh -c \
	"test \"\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$MPORT/healthz)\" = 503"
kill $SRV; wait $SRV 2>/dev/null

# ---- files of another format are refused, naming file and format
mdb_dump -n $DB > dump.txt
old_format() {  # VERSION OUT: the same file with another format record
	python3 - "$1" dump.txt > "$2.txt" <<'PY'
import sys
lines = open(sys.argv[2]).read().split("\n")
key = "".join("%02x" % c for c in b"\0format")
for i, l in enumerate(lines):
    if l.strip() == key:
        lines[i + 1] = " " + ("ocsp-presign-db " + sys.argv[1]).encode().hex()
print("\n".join(lines), end="")
PY
	mdb_load -n -f "$2.txt" "$2" 2>/dev/null
}
for v in 1 9; do
	old_format $v v$v.lmdb
	"$B/ocsp-serve" -n --db v$v.lmdb --listen 127.0.0.1:1 > refuse.log 2>&1
	t_check "format $v refused at start" test $? -ne 0
	t_grep "the refusal names the file and the format" "v$v.lmdb.*ocsp-presign-db $v.*expected .ocsp-presign-db 3" refuse.log
	sed -n 1p refuse.log
done
"$B/ocsp-db" stats v1.lmdb > refuse.log 2>&1
t_check "ocsp-db refuses format 1 too" test $? -ne 0
t_done
