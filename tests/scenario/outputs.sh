#!/bin/sh
# Per-authority output files: authorities naming the same file are
# published together, each file has its own lock, runs for different files
# proceed at the same time, --ca touches only its authority's file, and
# ocsp-serve serves several files with several --db.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 20
sed -i '/^\[issuing_rsa\]/a output = out/rsa.lmdb' ocsp-gen.conf
sed -i '/^\[issuing_ec\]/a output = out/ec.lmdb' ocsp-gen.conf
gen() { "$B/ocsp-gen" -c ocsp-gen.conf "$@" > "$T_TMP/gen.log" 2>&1; }
# The authority names a file holds, sorted, on one line.
issuers() {
	"$B/ocsp-db" stats "out/$1.lmdb" | awk '$1 == "issuer" { print $2 }' |
		sort -u | tr '\n' ' '
}
ino() { stat -c %i "out/$1.lmdb"; }

t_check "first run publishes each file" gen
t_grep "summary line counts the files" "published 3 files: signed 120" "$T_TMP/gen.log"
t_grep "one line per file" "^ocsp-gen: published ./out/ec.lmdb$" "$T_TMP/gen.log"
t_check "rsa.lmdb holds issuing_rsa only" test "$(issuers rsa)" = "issuing_rsa "
t_check "ec.lmdb holds issuing_ec only" test "$(issuers ec)" = "issuing_ec "
t_check "the default output holds the rest" test "$(issuers responses)" = "issuing_self "
t_check "each file has its own lock" test -f out/rsa.lmdb.lock -a -f out/ec.lmdb.lock \
	-a -f out/responses.lmdb.lock

# --ca republishes its authority's file and no other.
ec=$(ino ec); self=$(ino responses); rsa=$(ino rsa)
t_check "--ca issuing_rsa --force" gen --ca issuing_rsa --force
t_grep "--ca: the summary names its file" "published ./out/rsa.lmdb: signed 40" "$T_TMP/gen.log"
t_check "--ca issuing_rsa republished rsa.lmdb" test "$(ino rsa)" != "$rsa"
t_check "--ca issuing_rsa left ec.lmdb alone" test "$(ino ec)" = "$ec"
t_check "--ca issuing_rsa left the default output alone" test "$(ino responses)" = "$self"

# Locks are per file: with rsa.lmdb's lock held (as by a long run on
# another host or HSM), a run for ec.lmdb proceeds, one for rsa.lmdb
# refuses (exit 3), and a run over every file refuses before writing any.
t_check "rsa.lmdb locked: --ca issuing_ec runs" \
	flock out/rsa.lmdb.lock "$B/ocsp-gen" -q -c ocsp-gen.conf --ca issuing_ec --force
flock out/rsa.lmdb.lock "$B/ocsp-gen" -q -c ocsp-gen.conf --ca issuing_rsa --force 2> "$T_TMP/err"
t_check "rsa.lmdb locked: --ca issuing_rsa exits 3" test $? = 3
ec=$(ino ec); self=$(ino responses)
flock out/rsa.lmdb.lock "$B/ocsp-gen" -q -c ocsp-gen.conf --force 2> "$T_TMP/err"
t_check "rsa.lmdb locked: a full run exits 3" test $? = 3
t_check "... having published nothing" test "$(ino ec)" = "$ec" -a "$(ino responses)" = "$self"

# Two runs for different files at the same time both succeed.  One signs
# in the token, the other with the self-signing CA's PEM key (as two HSMs
# would: SoftHSM's token files are not for two processes at once).
pki_serials 5000 1500 >> rsa/serials
"$B/ocsp-gen" -q -c ocsp-gen.conf --ca issuing_rsa --force 2> "$T_TMP/a.err" & a=$!
"$B/ocsp-gen" -q -c ocsp-gen.conf --ca issuing_self --force 2> "$T_TMP/b.err" & b=$!
wait $a; ra=$?; wait $b; rb=$?
t_check "concurrent --ca runs on different files both succeed" test $ra = 0 -a $rb = 0 ||
	sed 's/^/     | /' "$T_TMP/a.err" "$T_TMP/b.err"
t_check "and rsa.lmdb has the new serials" sh -c \
	"'$B/ocsp-db' stats out/rsa.lmdb | grep -Eq '^responses +3040$'"

# Moving an authority to another file: the new file takes it, the old
# one drops it on its next full run.
sed -i '/^\[issuing_ec\]/,/^\[/ s|^output = out/ec.lmdb|output = out/rsa.lmdb|' ocsp-gen.conf
sed -i '/^\[issuing_self\]/a output = out/ec.lmdb' ocsp-gen.conf
t_check "after moving authorities, a full run succeeds" gen
t_check "rsa.lmdb holds issuing_ec and issuing_rsa" test "$(issuers rsa)" = "issuing_ec issuing_rsa "
t_check "ec.lmdb now holds issuing_self only" test "$(issuers ec)" = "issuing_self "

# One server, several files.
PORT=$(t_ports 1)
"$B/ocsp-serve" --db out/rsa.lmdb --db out/ec.lmdb --listen 127.0.0.1:$PORT \
	--threads 1 2> "$T_TMP/serve.log" &
t_bg $!
t_wait_url "http://127.0.0.1:$PORT/"
for c in "rsa 0x1001" "ec 0x2001" "self 0x3000"; do
	set -- $c
	openssl ocsp -url "http://127.0.0.1:$PORT/" -issuer "$1/ca.pem" -serial "$2" \
		-CAfile root.pem -no_nonce > "$T_TMP/o.out" 2>&1
	t_grep "ocsp-serve with two --db answers $1 $2" "^$2: good" "$T_TMP/o.out"
done
t_done
