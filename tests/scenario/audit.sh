#!/bin/sh
# The audit trail (audit_log) record by record, the run summary's duration
# under the test clock, and runs started by input changes: the path unit's
# command run as systemd runs it, coalescing a change made during a run.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 20
DB=out/responses.lmdb
sed -i 's|^authorities .*|&\naudit_log = out/audit.log\naudit_syslog = no|' ocsp-gen.conf
gen() { "$B/ocsp-gen" -c ocsp-gen.conf "$@" >"$T_TMP/gen.log" 2>&1; }
mk() { t_mkcrl rsa "$@"; }
status() { t_db_status "$DB" rsa/ca.pem root.pem "$@"; }
# rec FILTER...: the audit records of the last run matching every
# key=value (value "*" for present), one JSON line each; count in $N.
rec() {
	/usr/bin/python3 - "$@" > "$T_TMP/rec" <<'PY'
import json, sys
lines = open("out/audit.log").read().splitlines()
runs = [i for i, l in enumerate(lines) if json.loads(l)["id"] == "OCSPGEN_RUN"]
out = []
for l in lines[runs[-1]:]:
    r = json.loads(l)
    if all(r.get(k) is not None if v == "*" else str(r.get(k)).lower() == v.lower()
           for k, v in (a.split("=", 1) for a in sys.argv[1:])):
        out.append(l)
print("\n".join(out))
PY
	N=$(grep -c . "$T_TMP/rec")
}
has() { rec "$@"; [ "$N" -ge 1 ] || { echo "no record with $*"; tail -30 out/audit.log; return 1; }; }

mk rsa/ca.crl 10 --revoke 1003:keyCompromise --revoke 1004:certificateHold
t_check "first run with audit_log" gen
t_check "every line is JSON with an id and a time" /usr/bin/python3 -c "
import json
for l in open('out/audit.log'):
    r = json.loads(l); assert r['id'].startswith('OCSPGEN_') and r['time']"
t_check "run record: configuration digest" has id=OCSPGEN_RUN config_sha256=$(sha256sum ocsp-gen.conf | cut -d' ' -f1)
t_check "CRL accepted: number, times, source, SHA-256" has id=OCSPGEN_CRL authority=issuing_rsa accepted=true number=10 kind=base this_update='*' next_update='*' sha256=$(sha256sum rsa/ca.crl | cut -d' ' -f1) source=./rsa/ca.crl
t_check "signer chosen" has id=OCSPGEN_SIGNER authority=issuing_rsa signer=signer_rsa
t_check "new serial 1003 revoked keyCompromise by the CRL" has id=OCSPGEN_STATUS authority=issuing_rsa serial=1003 old=none new=revoked reason=keyCompromise decided_by=crl revocation_time=2025-01-01T00:00:00Z
t_check "new serial 1000 good from issued" has id=OCSPGEN_STATUS serial=1000 old=none new=good decided_by=issued
t_check "publication: file and generation" has id=OCSPGEN_PUBLISH published=true generation=1
t_check "end: ok" has id=OCSPGEN_END result=ok
rec id=OCSPGEN_STATUS authority=issuing_rsa
t_check "one status line per serial, not per CertID hash (20)" test "$N" = 20

# Un-hold 1004, revoke 1006, drop 1003 from the CRL (kept), drop 1009
# from issued (removed).
mk rsa/ca.crl 11 --revoke 1006:superseded
sed -i '/^1009$/d' rsa/serials
t_check "second run" gen
t_check "hold released: revoked -> good" has id=OCSPGEN_STATUS serial=1004 old=revoked old_reason=certificateHold new=good decided_by=issued
t_check "new revocation: good -> revoked superseded" has id=OCSPGEN_STATUS serial=1006 old=good new=revoked reason=superseded decided_by=crl
t_check "dropped revocation kept, recorded" has id=OCSPGEN_KEPT serial=1003 reason=keyCompromise revocation_time=2025-01-01T00:00:00Z
rec id=OCSPGEN_STATUS serial=1003
t_check "no status line for the kept 1003" test "$N" = 0
t_check "serial gone from issued: good -> none" has id=OCSPGEN_STATUS serial=1009 old=good new=none
rec id=OCSPGEN_STATUS authority=issuing_rsa
t_check "only the changes (3)" test "$N" = 3
t_check "release recorded" gen --ca issuing_rsa --release 1003
t_check "release record" has id=OCSPGEN_RELEASED serial=1003 reason=keyCompromise

# A refused CRL is recorded with the reason; the run's failure too.
mk rsa/ca.crl 9
gen
t_check "refused CRL recorded" has id=OCSPGEN_CRL accepted=false number=9 reason='*'
t_grep "refusal reason names the rollback" '"reason":".*CRL number 9 is lower than 11' "$T_TMP/rec"
t_check "failed run recorded" has id=OCSPGEN_END result=failed error='*'
mk rsa/ca.crl 12

# A mass change is summarised after GEN_AUDIT_MAX_CHANGES (1000) lines.
PKI_DIR=$P pki_serials 4000 1500 > rsa/serials.more
cat rsa/serials.more >> rsa/serials
t_check "1,500 new serials" gen
rec id=OCSPGEN_STATUS authority=issuing_rsa
t_check "status lines capped at 1000" test "$N" = 1000
t_check "the rest summarised with the total" has id=OCSPGEN_TRUNCATED authority=issuing_rsa shown=1000 total=1500

# A dry run asserts nothing.
lines=$(wc -l < out/audit.log)
t_check "dry run" gen --dry-run
t_check "dry run: no audit records" test "$(wc -l < out/audit.log)" = "$lines"

# The summary's duration is real time, whatever the test clock says.
PKI_DIR=$P pki_serials 100000 15000 > self/many
sed -i 's|^issued  = self/issued|issued  = self/many|' ocsp-gen.conf
t0=$(date +%s)
OCSP_PRESIGN_NOW=$(date +%s) "$B/ocsp-gen" -c ocsp-gen.conf > "$T_TMP/gen.log" 2>&1
t1=$(date +%s)
took=$(sed -n 's/.* in \([0-9]*\)s;.*/\1/p' "$T_TMP/gen.log")
wall=$((t1 - t0))
t_check "a run of ${wall}s under the test clock says 'in ${took:-?}s'" \
	sh -c "[ '$wall' -ge 1 ] && [ '${took:-x}' -ge $((wall - 1)) ] && [ '${took:-x}' -le $((wall + 1)) ]"

# The path unit's command, run as systemd runs it.
U=$top/packaging/systemd
mkdir -p "$T_TMP/units"
exec_start=$(sed -n 's/^ExecStart=//p' "$U/ocsp-gen-onchange.service")
cmd=$(echo "$exec_start" | sed "s|/usr/lib/ocsp-presign/ocsp-gen-onchange|$U/ocsp-gen-onchange.sh|; s|/etc/ocsp-presign/ocsp-gen.conf|$P/ocsp-gen.conf|; s|/var/lib/ocsp-presign/inputs|$P/rsa|; s|/etc/ocsp-presign|$P/self/issued|")
sed "s|^ExecStart=.*|ExecStart=/bin/sh $cmd|; /^User=/d; /^Group=/d" "$U/ocsp-gen-onchange.service" > "$T_TMP/units/ocsp-gen-onchange.service"
sed "s|^PathChanged=/var/lib/ocsp-presign/inputs|PathChanged=$P/rsa|; s|^PathChanged=/etc/ocsp-presign|PathChanged=$P/self/issued|" "$U/ocsp-gen.path" > "$T_TMP/units/ocsp-gen.path"
if command -v systemd-analyze >/dev/null 2>&1; then
	t_check "systemd-analyze verify: the path unit and its service" \
		systemd-analyze verify --man=no "$T_TMP/units/ocsp-gen.path" "$T_TMP/units/ocsp-gen-onchange.service"
else
	t_fail "systemd-analyze missing (install-deps.sh installs systemd)"
fi
# A counting ocsp-gen that, on its first run only, issues one more serial
# while it runs: the change during the run must lead to one more run.
cat > "$T_TMP/gen-counting" <<EOT
#!/bin/sh
echo run >> "$T_TMP/runs"
"$B/ocsp-gen" "\$@" || exit \$?
[ -e "$T_TMP/late" ] || { touch "$T_TMP/late"; echo 2001 >> "$P/rsa/serials"; }
EOT
chmod 755 "$T_TMP/gen-counting"
echo 2000 >> rsa/serials
: > "$T_TMP/runs"
t_check "path unit command: runs" env OCSP_GEN="$T_TMP/gen-counting" sh -c "$cmd" 
t_check "a change during the run led to exactly one more run (2)" test "$(grep -c run "$T_TMP/runs")" = 2
t_check "the serial appended to issued is served good" status 2000 good
t_check "the serial issued during the run too" status 2001 good
: > "$T_TMP/runs"
t_check "no change: command runs once" env OCSP_GEN="$T_TMP/gen-counting" sh -c "$cmd"
t_check "no change: exactly one run" test "$(grep -c run "$T_TMP/runs")" = 1
t_done
