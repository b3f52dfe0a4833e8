#!/bin/sh
# CRL inputs as AD CS publishes them: base + delta CRLs signed by Python
# cryptography (tests/lib/mkcrl.py), refusals of incomplete or older CRLs,
# CRLs over HTTP from a local server with the cache in cache_dir.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 20
DB=out/responses.lmdb
unset http_proxy HTTP_PROXY no_proxy NO_PROXY

gen() { "$B/ocsp-gen" -c "${CONF:-ocsp-gen.conf}" "$@" >"$T_TMP/gen.log" 2>&1; }
# mk OUT NUMBER [mkcrl options]: a CRL of the RSA CA, valid 30 days.
mk() { t_mkcrl rsa "$@"; }
# new_second FILE: until the clock is past FILE's modification second, so
# that a file written now has a new Last-Modified.
new_second() {
	t_until 3 sh -c '[ "$(date +%s)" -gt "$(stat -c %Y "$1")" ]' - "$1" ||
		t_fail "the clock passes $1's second"
}
status() { t_db_status "$DB" rsa/ca.pem root.pem "$@"; }
# refused DESC PATTERN: the run fails with exit 1, stderr names the
# authority and matches PATTERN, the published file is byte-identical.
refused() {
	cp "$DB" "$T_TMP/published"
	gen; rc=$?
	if [ $rc -eq 1 ] && grep -q "issuing_rsa: .*$2" "$T_TMP/gen.log" &&
	   cmp -s "$DB" "$T_TMP/published"; then t_ok "$1: refused (exit 1), file byte-identical"
	else t_fail "$1 (exit $rc)"; sed 's/^/     | /' "$T_TMP/gen.log"; fi
}
use_delta() { sed -i '/^delta_crl/d' ocsp-gen.conf
	[ -z "$1" ] || sed -i "s|^crl  *= rsa/ca.crl|&\ndelta_crl = $1|" ocsp-gen.conf; }

# Base CRL 10: 1003 keyCompromise, 1004 on hold.
mk rsa/ca.crl 10 --revoke 1003:keyCompromise --revoke 1004:certificateHold
t_check "base CRL with AD CS extensions accepted" gen
t_check "base: keyCompromise" status 1003 revoked keyCompromise
t_check "base: on hold reads revoked, certificateHold" status 1004 revoked certificateHold
t_check "base: issued, not listed reads good" status 1006 good

# The delta given as crl would drop every revocation of the base.
cp rsa/ca.crl "$T_TMP/base10.crl"
mk rsa/ca.crl 11 --delta 10 --revoke 1006:keyCompromise
refused "delta CRL as crl" "rsa/ca.crl: is a delta CRL"
cp "$T_TMP/base10.crl" rsa/ca.crl

# A delta not newer than its base carries nothing newer.
mk rsa/stale.crl 10 --delta 9 --revoke 1009:keyCompromise
use_delta rsa/stale.crl
t_check "stale delta: run succeeds" gen
t_grep "stale delta: warned and ignored" "delta CRL .*stale.crl \(number 10\) is not newer than the base CRL \(number 10\): ignored" "$T_TMP/gen.log"
t_check "stale delta: its entry not applied" status 1009 good

# A delta that needs a newer base.
mk rsa/ahead.crl 12 --delta 11 --revoke 1009:keyCompromise
use_delta rsa/ahead.crl
refused "delta needing a newer base" "ahead.crl: delta CRL 12 needs base CRL 11 or newer"

# Delta 11 on base 10: new revocation, hold released, hold placed.
mk rsa/ca+.crl 11 --delta 10 --revoke 1006:keyCompromise \
	--revoke 1004:removeFromCRL --revoke 1008:certificateHold
use_delta rsa/ca+.crl
t_check "base + delta accepted" gen
t_check "delta: new revocation" status 1006 revoked keyCompromise
t_check "delta: removeFromCRL releases the hold" status 1004 good
t_check "delta: hold placed" status 1008 revoked certificateHold
t_check "delta: base revocation kept" status 1003 revoked keyCompromise
"$B/ocsp-db" dump "$DB" > "$T_TMP/dump"

# Rollback: a lower base number, or the base without the delta it had.
mk rsa/ca.crl 9 --revoke 1003:keyCompromise
use_delta ""
refused "rollback to a lower CRL number" "rsa/ca.crl: CRL number 9 is lower than 10, the last one"
cp "$T_TMP/base10.crl" rsa/ca.crl
refused "rollback behind the accepted delta" "CRL number 10 is older than the delta CRL 11"
# A new base that folds the delta in: only the CRL number changes.
mk rsa/ca.crl 12 --revoke 1003:keyCompromise --revoke 1006:keyCompromise \
	--revoke 1008:certificateHold
t_check "new base with the delta folded in" gen
t_grep "nothing re-signed" "issuing_rsa: 20 serials; signed 0" "$T_TMP/gen.log"
t_grep "file republished to remember the CRL number" "^ocsp-gen: published" "$T_TMP/gen.log"
mk rsa/ca.crl 11 --revoke 1003:keyCompromise
refused "the remembered number holds" "CRL number 11 is lower than 12"
mk rsa/ca.crl 12 --revoke 1003:keyCompromise --revoke 1006:keyCompromise \
	--revoke 1008:certificateHold
t_check "equal CRL number is fine" gen

# Scope: a CRL that is not the complete list of the CA's revocations.
mk rsa/ca.crl 13 --idp some-reasons --revoke 1003:keyCompromise
refused "partitioned CRL (onlySomeReasons)" "partitioned by reason"
mk rsa/ca.crl 13 --idp indirect --revoke 1003:keyCompromise
refused "indirect CRL" "is an indirect CRL"
mk rsa/ca.crl 13 --idp ca-only --revoke 1003:keyCompromise
refused "CA certificates only" "covers only CA certificates"
mk rsa/ca.crl 13 --idp attr-only --revoke 1003:keyCompromise
refused "attribute certificates only" "covers only attribute certificates"
# Scoped to end-entity certificates and to a distribution point: taken
# only on the operator's word (user_certs_only, distribution_points).
mk rsa/ca.crl 13 --idp user-only --revoke 1003:keyCompromise \
	--revoke 1006:keyCompromise --revoke 1008:certificateHold --pem
refused "end-entity-only CRL, user_certs_only not said" "onlyContainsUserCerts.*user_certs_only = yes in \[issuing_rsa\]"
sed -i 's|^signers *= signer_rsa|&\nuser_certs_only = yes|' ocsp-gen.conf
refused "distribution point CRL, point not listed" "covers only the certificates of the distribution point http://pki.example.com/CA.crl"
sed -i 's|^user_certs_only = yes|&\ndistribution_points = http://pki.example.com/other.crl, http://pki.example.com/CA.crl|' ocsp-gen.conf
t_check "end-entity-only CRL (PEM) of a listed point accepted" gen
t_check "scoped CRL: its revocation served" status 1006 revoked keyCompromise
sed -i '/^user_certs_only/d; /^distribution_points/d' ocsp-gen.conf

# CRLs from the CDP over HTTP (AD CS: CA.crl and CA+.crl), kept in cache_dir.
port=$(t_ports 1) || { t_done; exit 1; }
cdp=http://127.0.0.1:$port
mkdir cdp
mk cdp/CA.crl 14 --revoke 1003:keyCompromise --revoke 1004:certificateHold
mk cdp/CA+.crl 15 --delta 14 --revoke 1004:removeFromCRL --revoke 1009:keyCompromise
/usr/bin/python3 "$here/lib/cdp.py" cdp "$port" > "$T_TMP/cdp.log" 2>&1 &
srv=$!
t_bg $srv
t_wait_url "$cdp/CA.crl"
sed -i "/^delta_crl/d; s|^crl  *= rsa/ca.crl|crl = $cdp/CA.crl\ndelta_crl = $cdp/moved/CA+.crl|" ocsp-gen.conf
sed -i 's|^authorities .*|&\ncache_dir = cache\nmetrics_file = out/gen.prom|' ocsp-gen.conf
t_check "CRLs over HTTP (delta behind a redirect)" gen
t_check "HTTP: delta revocation" status 1009 revoked keyCompromise
t_check "HTTP: hold released by the delta" status 1004 good
t_check "HTTP: copies kept in cache_dir" test -s cache/issuing_rsa.crl -a -s cache/issuing_rsa+.crl
t_grep "HTTP: first fetch downloads" "GET /CA.crl 200" "$T_TMP/cdp.log"
t_check "HTTP: conditional re-run" gen
t_grep "HTTP: unchanged base answered 304" "GET /CA.crl 304" "$T_TMP/cdp.log"
t_grep "HTTP: unchanged delta answered 304" "GET /CA\+.crl 304" "$T_TMP/cdp.log"
t_grep "HTTP: no cached copy used" '^ocsp_gen_crl_cache_used\{authority="issuing_rsa"\} 0$' out/gen.prom
new_second cdp/CA+.crl
mk cdp/CA+.crl 16 --delta 14 --revoke 1004:removeFromCRL --revoke 1009:keyCompromise \
	--revoke 100A:keyCompromise
t_check "HTTP: a new delta is downloaded" gen
t_check "HTTP: its revocation served" status 100A revoked keyCompromise
# A CRL whose distribution point is the URL it is fetched from.
new_second cdp/CA.crl
mk cdp/CA.crl 17 --idp dp --idp-dp "$cdp/CA.crl" --revoke 1003:keyCompromise \
	--revoke 1009:keyCompromise --revoke 100A:keyCompromise
t_check "HTTP: CRL of the distribution point it is fetched from" gen
t_grep "HTTP: its newer delta-less base used" "delta CRL .* is not newer than the base CRL \(number 17\)" "$T_TMP/gen.log"
new_second cdp/CA.crl
mk cdp/CA.crl 18 --revoke 1003:keyCompromise --revoke 1009:keyCompromise \
	--revoke 100A:keyCompromise
t_check "HTTP: back to a complete CRL" gen

cp cdp/CA.crl "$T_TMP/cdp-base.crl"
cp ec/ca.crl cdp/CA.crl
refused "fetched CRL failing verification (cache not used)" "$cdp/CA.crl: issued by .*Issuing EC"
cp "$T_TMP/cdp-base.crl" cdp/CA.crl

sed -i "s|^crl = $cdp/CA.crl|crl = $cdp/oversize|" ocsp-gen.conf
t_check "oversized download: run goes on" gen
t_grep "oversized download: refused, cached copy used" "oversize: cannot fetch: max resp len exceeded.*using the cached copy" "$T_TMP/gen.log"
sed -i "s|^cache_dir = cache|cache_dir = cache2|" ocsp-gen.conf
refused "oversized download without a cached copy" "oversize: cannot fetch: max resp len exceeded.*no cached copy"
sed -i "s|^cache_dir = cache2|cache_dir = cache|; s|^crl = $cdp/oversize|crl = $cdp/CA.crl|" ocsp-gen.conf

kill $srv; wait $srv 2>/dev/null
t_check "server gone: run goes on" gen
t_grep "server gone: warned, cached copy used" "warning: issuing_rsa: $cdp/CA.crl: cannot fetch.*using the cached copy" "$T_TMP/gen.log"
t_grep "server gone: metric" '^ocsp_gen_crl_cache_used\{authority="issuing_rsa"\} 2$' out/gen.prom
t_check "server gone: statuses kept" status 100A revoked keyCompromise
export OCSP_PRESIGN_NOW=$(( $(date +%s) + 31 * 86400 ))
refused "server gone, cached copy expired" "$cdp/CA.crl: cannot fetch.*the cached copy is no use: .*expired"
unset OCSP_PRESIGN_NOW

t_done
