#!/bin/sh
# Runs that resume: a first run over 20,000 serials (40,000 responses,
# SoftHSM P-256 signer) commits its work to the working copy as it goes
# (commit_every); SIGKILLed at a random commit, it has published nothing,
# and the next run signs only what is still missing, then publishes all.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 20
N=20000
pki_serials 100000 $N | while read -r s; do
	printf 'V\t351231235959Z\t\t%s\tunknown\t/CN=leaf %s\n' "$s" "$s"
done >> ec/index.txt
total=$((2 * (N + 20)))
sed -e 's|^authorities .*|authorities = issuing_ec\ncommit_every = 2000|' \
    -e 's|^workers .*|workers = 2|' ocsp-gen.conf > r.conf
DB=out/responses.lmdb

# commits: how many commits the run's log reports so far.
commits() { grep -c "committed [0-9]* responses to the working copy" "$T_TMP/run1.log"; }

# Kill at a random commit between the 2nd and the 12th (of about 20).
want=$((2 + $(od -An -N1 -tu1 /dev/urandom | tr -d ' ') % 11))
"$B/ocsp-gen" -v -c r.conf > "$T_TMP/run1.log" 2>&1 &
pid=$!
t_bg $pid
i=0
while [ "$(commits)" -lt $want ] && kill -0 $pid 2>/dev/null && [ $i -lt 1200 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
done_at_kill=$(commits)
committed=$(grep -o "committed [0-9]* responses to the working copy ([0-9]* this run)" "$T_TMP/run1.log" |
	tail -1 | sed 's/.*(\([0-9]*\) this run)/\1/')
if [ "$done_at_kill" -ge $want ]; then
	t_ok "first run SIGKILLed after commit $done_at_kill (chosen: $want; $committed responses committed)"
else
	t_fail "first run: $done_at_kill commits, wanted $want before the kill"; tail -5 "$T_TMP/run1.log"
fi
[ ! -e "$DB" ] && t_ok "nothing published by the killed run" || t_fail "the killed run published $DB"
"$B/ocsp-db" stats "$DB.work" > /dev/null 2>&1 && t_ok "the working copy opens after the kill" ||
	t_fail "the working copy does not open after the kill"

"$B/ocsp-gen" -c r.conf > "$T_TMP/run2.log" 2>&1 || { t_fail "second run"; cat "$T_TMP/run2.log"; }
line=$(grep "issuing_ec: .* serials; signed" "$T_TMP/run2.log")
signed=$(echo "$line" | sed 's/.*signed \([0-9]*\),.*/\1/')
early=$(echo "$line" | sed 's/.*(\([0-9]*\) re-signed early.*/\1/')
missing=$((signed - early))
if [ -n "$committed" ] && [ "$missing" -le $((total - committed)) ] && [ "$missing" -lt $total ]; then
	t_ok "second run signs only what is missing: $missing of $total (+$early early), $committed were committed"
else
	t_fail "second run signed $signed ($early early) of $total; $committed committed before the kill"
	echo "$line"
fi
n=$("$B/ocsp-db" stats "$DB" 2>/dev/null | awk '/^responses/ { print $2 }')
[ "$n" = $total ] && t_ok "published file holds all $total responses" || t_fail "published file holds $n, not $total"
t_check "every published response verifies (ocsp-db verify)" "$B/ocsp-db" verify "$DB"
for s in 2005 100000 104E1F; do
	"$B/ocsp-db" get "$DB" --issuer ec/ca.pem --serial $s --hash sha256 > "$T_TMP/r.der" &&
	verify_resp "$T_TMP/r.der" ec/ca.pem $s sha256 good root.pem > "$T_TMP/v.out" 2>&1 ||
		{ t_fail "serial $s does not verify"; cat "$T_TMP/v.out"; }
done
# The third run has nothing missing: it signs only the sweep's share.
"$B/ocsp-gen" -c r.conf > "$T_TMP/run3.log" 2>&1
t_grep "third run: nothing left to sign" "issuing_ec: [0-9]+ serials; signed ([0-9]+), .*\(\1 re-signed early" "$T_TMP/run3.log"
t_done
