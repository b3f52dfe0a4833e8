#!/bin/sh
# Status beyond expiry and times bound to the CRL (the regulated profile,
# issue 24 items 1, 2 and 8).  Under the test clock: a serial that leaves
# `issued`, an index.txt E line and a hold the CRL drops answered with
# their last status and the archive cutoff (the CA's notBefore, producedAt
# minus retain_expired) while retain_expired runs, unauthorized after; a
# retention record that cannot be read stops the run.  this_update = crl,
# next_update_cap = crl and crl_references against an AD CS-style base and
# delta of different times; a short delta re-signing what it bounds at
# once, a longer one spread over the runs before they come due.  Every
# option checked in the bytes by openssl ocsp -resp_text and the Python
# client.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 8
cp ocsp-gen.conf plain.conf
NOW=$(date +%s)
DAY=86400
DB=out/responses.lmdb

gen() {  # TIME [CONF]
	OCSP_PRESIGN_NOW=$1 "$B/ocsp-gen" -c "${2:-ocsp-gen.conf}" > "$T_TMP/gen.log" 2>&1 ||
		{ cat "$T_TMP/gen.log"; return 1; }
}
unix() { date -u -d "$1" +%s; }
crl_at() { unix "$(openssl crl -in "$1" -noout -"$2" | cut -d= -f2)"; }	# FILE lastupdate|nextupdate
get() { "$B/ocsp-db" get "${4:-$DB}" --issuer "$1/ca.pem" --serial "$2" --hash "$3" > "$T_TMP/r.der"; }
py() {  # CA SERIAL HASH EXPECT [checks]: the response in r.der
	ca=$1 s=$2 h=$3 e=$4; shift 4
	out=$(/usr/bin/python3 "$here/interop/ocsp_client.py" - "$ca/ca.pem" "$s" "$h" \
		"file:$T_TMP/r.der" root.pem "$@" 2>/dev/null)
	[ "$out" = "$e" ] || { echo "got: $out"; return 1; }
}
txt() { openssl ocsp -respin "$T_TMP/r.der" -resp_text -noverify > "$T_TMP/r.txt" 2>&1; }
signed() {  # AUTHORITY: what the last run signed for it
	sed -n "s/^ocsp-gen: $1: .*; signed \([0-9]*\),.*/\1/p" "$T_TMP/gen.log"
}
absent() { ! "$B/ocsp-db" get "$DB" --issuer "$1/ca.pem" --serial "$2" --hash sha1 > /dev/null 2>&1; }

# ---- status beyond expiry ----
# CRLs valid 60 days, so that the test clock may run a month ahead.
t_mkcrl self self/ca.crl 10 --days 60 --revoke 3001:affiliationChanged --revoke 3005:certificateHold
t_mkcrl ec ec/ca.crl 10 --days 60 --revoke 2002:cessationOfOperation
t_mkcrl rsa rsa/ca.crl 10 --days 60 --revoke 1003:keyCompromise --revoke 1005:superseded
sed -i -e 's|^\[issuing_self\]$|&\nretain_expired = 30d\narchive_cutoff = ca_notbefore|' \
       -e 's|^\[issuing_ec\]$|&\nretain_expired = 10d\narchive_cutoff = retain|' ocsp-gen.conf
NBS=$(openssl x509 -in self/ca.pem -noout -startdate | cut -d= -f2)
NB=$(unix "$NBS")
T=$(date +%s)
t_check "first run" gen "$T"
get self 3002 sha1
t_check "archive_cutoff = ca_notbefore: python reads the CA's notBefore" py self 3002 sha1 good exts=1 cutoff="$NB"
txt
t_check "... openssl prints it" sh -c "grep -A1 'OCSP Archive Cutoff:' '$T_TMP/r.txt' | grep -q '$NBS'"
get rsa 1001 sha1
t_check "no extension where none is configured" py rsa 1001 sha1 good exts=0

# 3002 expires (leaves `issued`), 2003 becomes an E line, 3005 (on hold)
# leaves `issued` while the CRL still holds it.
rm self/issued/3002 self/issued/3005
sed -i 's/^V\(\t[^\t]*\t\t2003\t\)/E\1/' ec/index.txt
T1=$((T + DAY))
t_check "run a day later" gen "$T1"
t_grep "the retention is said" "issuing_self: 1 serial no input lists answered with their last status \(retain_expired; 1 left in this run\)" "$T_TMP/gen.log"
get self 3002 sha1
t_check "left issued: still answered good, with the cutoff" py self 3002 sha1 good at="$T1" exts=1 cutoff="$NB"
get ec 2003 sha256
t_check "index.txt E line: answered good, cutoff producedAt - 10d" py ec 2003 sha256 good at="$T1" exts=1 cutoff=produced-$((10 * DAY))
get self 3005 sha256
t_check "hold still in the CRL: answered on hold" py self 3005 sha256 "revoked certificate_hold" at="$T1"
t_check "ocsp-db verify: every record, extensions included" env OCSP_PRESIGN_NOW="$T1" \
	"$B/ocsp-db" verify "$DB" --issuer self/ca.pem --issuer ec/ca.pem --issuer rsa/ca.pem

# The CA drops the hold of the expired 3005 from its CRL (AD CS does).
t_mkcrl self self/ca.crl 11 --days 60 --revoke 3001:affiliationChanged
T2=$((T + 2 * DAY))
t_check "CRL without the hold" gen "$T2"
get self 3005 sha1
t_check "dropped hold: retained with its last status" py self 3005 sha1 "revoked certificate_hold" at="$T2" cutoff="$NB"

T11=$((T + 11 * DAY))
t_check "11 days after 2003 left" gen "$T11"
t_check "retain_expired = 10d over: 2003 no longer answered" absent ec 2003
t_grep "... and said so" "issuing_ec: 0 serials no input lists answered .* 1 whose retention ended" "$T_TMP/gen.log"
T29=$((T + 29 * DAY))
t_check "29 days after 3002 left" gen "$T29"
get self 3002 sha1
t_check "within 30d: re-signed, still good" py self 3002 sha1 good at="$T29" this="$T29" cutoff="$NB"

# The memory fails closed: a damaged retention record stops the run.
mdb_dump -n out/responses.lmdb.work > "$T_TMP/w.dump"
awk 'hit { print " 00"; hit = 0; next } { print } /^ 0072657461696e02/ { hit = 1 }' \
	"$T_TMP/w.dump" > "$T_TMP/bad.dump"
cp out/responses.lmdb.work "$T_TMP/good.work"
cp "$DB" "$T_TMP/published"
rm out/responses.lmdb.work
mdb_load -n -f "$T_TMP/bad.dump" out/responses.lmdb.work 2> /dev/null
if OCSP_PRESIGN_NOW=$((T + 30 * DAY)) "$B/ocsp-gen" -c ocsp-gen.conf > "$T_TMP/gen.log" 2>&1; then
	t_fail "damaged retention record: refused"; else
	t_grep "damaged retention record: refused, naming the serial" \
		"responses.lmdb.work: the retention record of serial 300[25] cannot be read" "$T_TMP/gen.log"; fi
t_check "... the published file untouched" cmp -s "$DB" "$T_TMP/published"
cp "$T_TMP/good.work" out/responses.lmdb.work

T31=$((T + 31 * DAY))
t_check "31 days after 3002 left" gen "$T31"
t_check "retain_expired = 30d over: 3002 no longer answered" absent self 3002
get self 3005 sha1
t_check "3005 left a day later: still answered" py self 3005 sha1 "revoked certificate_hold" at="$T31"
PORT=$(t_ports 1)
OCSP_PRESIGN_NOW=$T31 "$B/ocsp-serve" --db "$DB" --listen "127.0.0.1:$PORT" 2> "$T_TMP/serve.log" &
t_bg $!
t_wait_url "http://127.0.0.1:$PORT/"
out=$(openssl ocsp -url "http://127.0.0.1:$PORT/" -issuer self/ca.pem -serial 0x3002 -no_nonce -noverify 2>&1)
if echo "$out" | grep -q "unauthorized (6)"; then t_ok "ocsp-serve: 3002 unauthorized after the retention"; else
	t_fail "ocsp-serve: 3002 unauthorized after the retention"; echo "$out"; fi

# ---- times bound to the CRL ----
# AD CS-style: a base 2 days old (nextUpdate in 5 days), a delta 12 hours
# old (nextUpdate in 12 hours); a second output with its own history.
t_mkcrl rsa rsa/b.crl 20 --ago 2 --days 7 --revoke 1003:keyCompromise --revoke 1004:certificateHold
t_mkcrl rsa rsa/b+.crl 21 --delta 20 --ago 0.5 --days 1 --revoke 1006:keyCompromise
t_mkcrl ec ec/b.crl 20 --days 2 --revoke 2002:cessationOfOperation
sed -e 's|^output .*|output = out2/responses.lmdb|' \
    -e 's|^authorities .*|authorities = issuing_rsa, issuing_ec|' \
    -e 's|^crl               = rsa/ca.crl|crl = rsa/b.crl\ndelta_crl = rsa/b+.crl\nthis_update = crl\nnext_update_cap = crl\ncrl_references = yes|' \
    -e 's|^crl     = ec/ca.crl|crl = ec/b.crl\nnext_update_cap = crl|' plain.conf > b.conf
mkdir -p out2
B1=$(crl_at rsa/b.crl lastupdate) B2=$(crl_at rsa/b.crl nextupdate)
D1=$(crl_at rsa/b+.crl lastupdate) D2=$(crl_at rsa/b+.crl nextupdate)
E2=$(crl_at ec/b.crl nextupdate)
t_check "base and delta" gen "$(date +%s)" b.conf
O2=out2/responses.lmdb
get rsa 1001 sha256 $O2
t_check "good: thisUpdate and nextUpdate of the delta, which decided; cites it" \
	py rsa 1001 sha256 good this="$D1" next="$D2" exts=1 crlnum=21 crltime="$D1" crlurl=none
txt
t_grep "... openssl: thisUpdate is the delta's" "This Update: $(openssl crl -in rsa/b+.crl -noout -lastupdate | cut -d= -f2)" "$T_TMP/r.txt"
t_grep "... openssl: nextUpdate is the delta's" "Next Update: $(openssl crl -in rsa/b+.crl -noout -nextupdate | cut -d= -f2)" "$T_TMP/r.txt"
t_check "... openssl: the CRL reference, crlNum 21 (0x15)" sh -c "grep -A2 'OCSP CRL ID:' '$T_TMP/r.txt' | grep -q 'crlNum: 15'"
get rsa 1003 sha1 $O2
cp "$T_TMP/r.der" "$T_TMP/1003.der"
t_check "keyCompromise in the base: the base's times, cites the base" \
	py rsa 1003 sha1 "revoked key_compromise" this="$B1" next="$B2" crlnum=20 crltime="$B1"
get rsa 1004 sha1 $O2
t_check "hold in the base: the delta's to lift, its times" \
	py rsa 1004 sha1 "revoked certificate_hold" this="$D1" next="$D2" crlnum=21
get rsa 1006 sha256 $O2
t_check "revoked by the delta: its times" py rsa 1006 sha256 "revoked key_compromise" this="$D1" next="$D2" crlnum=21
get rsa 1007 sha1 $O2
t_check "local revocation: the run's times, no CRL reference" py rsa 1007 sha1 "revoked key_compromise" span=$((7 * DAY)) exts=0
get ec 2001 sha1 $O2
t_check "next_update_cap alone: the CRL's nextUpdate, no extension" py ec 2001 sha1 good next="$E2" exts=0
t_check "ocsp-db verify: both outputs' records" "$B/ocsp-db" verify $O2 --issuer rsa/ca.pem --issuer ec/ca.pem
t_check "same CRLs again: nothing to sign" gen "$(date +%s)" b.conf
t_check "... not even the capped ones within refresh of their end" test "$(signed issuing_ec)" = 0 -a "$(signed issuing_rsa)" = 0

# A short delta (nextUpdate 12 hours away, refresh leaving 4 days): what
# it bounds is due the run a new one comes.
t_mkcrl rsa rsa/b+.crl 22 --delta 20 --days 1 --revoke 1006:keyCompromise
t_check "new delta" gen "$(date +%s)" b.conf
t_check "short delta: its 6 serials x 2 hashes re-signed in one run" test "$(signed issuing_rsa)" = 12
get rsa 1003 sha1 $O2
t_check "... the base's responses untouched" cmp -s "$T_TMP/r.der" "$T_TMP/1003.der"

# Where the delta allows it (refresh leaving 2 hours, runs every 3 hours,
# the old delta's nextUpdate a day away): spread over the runs before.
sed -i -e 's|^refresh .*|refresh = 3d\nrun_interval = 3h|' \
       -e 's|^this_update = crl$|&\nrefresh = 166h|' b.conf
t_mkcrl rsa rsa/b+.crl 23 --delta 20 --days 2 --revoke 1006:keyCompromise
D3=$(crl_at rsa/b+.crl lastupdate)
T=$(date +%s) total=0 most=0 runs=0
while [ $runs -lt 8 ]; do
	gen $((T + runs * 3 * 3600)) b.conf || break
	n=$(signed issuing_rsa); total=$((total + n)); [ "$n" -gt "$most" ] && most=$n
	runs=$((runs + 1))
done
t_check "longer delta: all 12 re-signed over 8 runs ($total)" test "$total" -ge 12
t_check "... no run more than a share ($most)" test "$most" -le 4
get rsa 1001 sha256 $O2
t_check "... and each states the new delta" py rsa 1001 sha256 good at="$T" this="$D3" crlnum=23
t_done
