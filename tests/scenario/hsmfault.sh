#!/bin/sh
# Token faults, through the PKCS#11 fault injector (tests/pkcs11/fault.c)
# over SoftHSM: each fault kind once in the middle of a run is survived
# (the run completes, every response verifies, the retry metric counts
# it); a fault that persists stops the run, names signer, token and error,
# and leaves the published file as it was.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
B=${BIN:?BIN must name the directory of the built programs}
INJ=${P11FAULT_LIB:-}
for f in "$B/../build/tests/libp11fault.so" "$B/../tests/libp11fault.so"; do
	[ -z "$INJ" ] && [ -f "$f" ] && INJ=$(cd "$(dirname "$f")" && pwd)/libp11fault.so
done
[ -n "$INJ" ] || { echo "hsmfault: no libp11fault.so (make $B/../build/tests/libp11fault.so)"; exit 1; }
t_start_pki 150
export P11FAULT_MODULE=$PKI_MODULE P11FAULT_LOG=$T_TMP/faults.log
# Fast retries: the backoff is not what is tested here.
sed -e "s|^pkcs11_module .*|pkcs11_module = $INJ\nsign_retry_backoff = 5ms\nmetrics_file = out/metrics.prom|" \
    ocsp-gen.conf > f.conf

# metric NAME: the sum of a per-authority family in the metrics file.
metric() { awk -v m="$1" '$1 ~ "^"m"[{]" { s += $2 } END { print s + 0 }' out/metrics.prom; }

# survives DESC RULES: a first run into a file of its own under RULES
# completes, the fault was injected, counted, and every response verifies.
survives() {
	rm -f "$T_TMP/faults.log" out/metrics.prom
	sed "s|^output .*|output = out/case.lmdb|" f.conf > case.conf
	rm -f out/case.lmdb out/case.lmdb.work
	if ! P11FAULT=$2 "$B/ocsp-gen" -c case.conf > "$T_TMP/gen.log" 2>&1; then
		t_fail "$1: run failed"; sed 's/^/     | /' "$T_TMP/gen.log"; return
	fi
	injected=$(wc -l < "$T_TMP/faults.log" 2>/dev/null || echo 0)
	retries=$(metric ocsp_gen_sign_retries)
	reopened=$(metric ocsp_gen_sessions_reopened)
	if [ "$injected" -ge 1 ] && [ "$retries" -ge "$injected" ] &&
	   grep -q "token faults survived: [1-9][0-9]* signatures retried" "$T_TMP/gen.log"; then
		t_ok "$1: run completes; $injected injected, $retries retried, $reopened reopened"
	else
		t_fail "$1: injected $injected, retries metric $retries"; sed 's/^/     | /' "$T_TMP/gen.log"
	fi
	case $1 in *session*|*logout*|*removed*|*OpenSession*|*Login*)
		[ "$reopened" -ge 1 ] && t_ok "$1: the session was reopened ($reopened)" ||
			t_fail "$1: no session reopened" ;;
	esac
	if "$B/ocsp-db" verify out/case.lmdb --issuer self/ca.pem > "$T_TMP/verify.out" 2>&1 &&
	   [ "$("$B/ocsp-db" stats out/case.lmdb | awk '/^responses/ { print $2 }')" = 900 ]; then
		t_ok "$1: all 900 responses stored, ocsp-db verify passes"
	else
		t_fail "$1: verify"; tail -5 "$T_TMP/verify.out"; "$B/ocsp-db" stats out/case.lmdb | head -5
	fi
	# openssl checks a few, from both token signers, before and after the fault.
	bad=0
	for s in 1000 104B 1095; do
		"$B/ocsp-db" get out/case.lmdb --issuer rsa/ca.pem --serial $s > "$T_TMP/r.der" &&
		verify_resp "$T_TMP/r.der" rsa/ca.pem $s sha1 good root.pem > /dev/null || bad=$((bad + 1))
	done
	for s in 2000 204B 2095; do
		"$B/ocsp-db" get out/case.lmdb --issuer ec/ca.pem --serial $s --hash sha256 > "$T_TMP/r.der" &&
		verify_resp "$T_TMP/r.der" ec/ca.pem $s sha256 good root.pem > /dev/null || bad=$((bad + 1))
	done
	[ $bad = 0 ] && t_ok "$1: responses verify with openssl ocsp" || t_fail "$1: $bad responses do not verify"
}

# 600 C_Sign calls (300 per token signer): the faults land mid-run.
survives "C_Sign device error" "C_Sign:CKR_DEVICE_ERROR:at=250"
survives "C_Sign session handle invalid" "C_Sign:CKR_SESSION_HANDLE_INVALID:at=250"
survives "C_Sign session closed" "C_Sign:CKR_SESSION_CLOSED:at=250"
survives "C_Sign logout (user not logged in)" "C_Sign:CKR_USER_NOT_LOGGED_IN:at=250"
survives "C_Sign device removed" "C_Sign:CKR_DEVICE_REMOVED:at=250"
survives "C_SignInit device error, twice in a row" "C_SignInit:CKR_DEVICE_ERROR:at=250:count=2"
survives "C_SignInit session closed" "C_SignInit:CKR_SESSION_CLOSED:at=400"
survives "C_OpenSession device error while reopening" \
	"C_Sign:CKR_SESSION_CLOSED:at=250;C_OpenSession:CKR_DEVICE_ERROR:at=1:count=2:after=250"
survives "C_Login device error while logging in again" \
	"C_Sign:CKR_DEVICE_REMOVED:at=250;C_Login:CKR_DEVICE_ERROR:at=1:after=250"
survives "every 50th C_Sign a device error" "C_Sign:CKR_DEVICE_ERROR:every=50"

# A fault that persists: the run stops, the published file stays, and
# the work committed before it (commit_every) is not signed again.
P11FAULT= "$B/ocsp-gen" -q -c f.conf || t_fail "first run without faults"
cp out/responses.lmdb "$T_TMP/before.lmdb"
cp out/responses.lmdb.work "$T_TMP/before.work"
pki_serials 5000 400 >> rsa/serials
sed 's|^metrics_file .*|&\ncommit_every = 100|' f.conf > p.conf
# C_Sign calls: 2 signature-algorithm probes at start, then the 400 new
# sha1 responses (committed once their issuer prefix is done), then the
# sha256 ones: the fault comes in the middle of those.
for kind in CKR_DEVICE_ERROR CKR_SESSION_HANDLE_INVALID CKR_DEVICE_REMOVED; do
	cp "$T_TMP/before.work" out/responses.lmdb.work
	if P11FAULT="C_Sign:$kind:from=600" "$B/ocsp-gen" -v -c p.conf > "$T_TMP/gen.log" 2>&1; then
		t_fail "persistent $kind: the run should stop"; continue
	fi
	cmp -s out/responses.lmdb "$T_TMP/before.lmdb" &&
		t_ok "persistent $kind: run stops, published file byte-identical" ||
		t_fail "persistent $kind: published file changed"
	# A removed device also closes the other thread's session, which may
	# be the one that gives up first, in whichever call it was making.
	want="C_Sign failed with $kind"
	[ $kind = CKR_DEVICE_REMOVED ] &&
		want="C_[A-Za-z]+ failed with CKR_(DEVICE_REMOVED|SESSION_HANDLE_INVALID)"
	t_grep "persistent $kind: message names signer, token and error" \
		"signer signer_rsa, token 'ocsp': $want, still after 6 retries" "$T_TMP/gen.log"
	t_grep "persistent $kind: the sha1 half was committed before" \
		"committed 400 responses to the working copy" "$T_TMP/gen.log"
done
P11FAULT= "$B/ocsp-gen" -c p.conf > "$T_TMP/gen.log" 2>&1 || { t_fail "run after the fault"; cat "$T_TMP/gen.log"; }
line=$(grep "issuing_rsa: .* serials; signed" "$T_TMP/gen.log")
signed=$(echo "$line" | sed 's/.*signed \([0-9]*\),.*/\1/')
early=$(echo "$line" | sed 's/.*(\([0-9]*\) re-signed early.*/\1/')
[ $((signed - early)) = 400 ] &&
	t_ok "next run without faults signs only what is missing: 400 of 800 (+$early early)" ||
	{ t_fail "next run signed $signed ($early early), not 400 missing"; echo "$line"; }
t_check "the published file verifies" "$B/ocsp-db" verify out/responses.lmdb --issuer self/ca.pem
n=$("$B/ocsp-db" stats out/responses.lmdb | awk '/^responses/ { print $2 }')
[ "$n" = 1700 ] && t_ok "published file holds all 1700 responses" || t_fail "published file holds $n, not 1700"
t_done
