#!/bin/sh
# Independent clients against ocsp-gen + ocsp-serve on 127.0.0.1:
# Python cryptography (verifies signature, delegation, CertID, window
# itself) and GnuTLS ocsptool.  openssl is covered by gen.sh and serve.sh.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_setup
B=${BIN:?}
P=$T_TMP/pki
pki_make "$P" 20 >/dev/null
cd "$P" || exit 1
"$B/ocsp-gen" -c ocsp-gen.conf -q || { t_fail "ocsp-gen"; t_done; exit 1; }
PORT=$((20000 + ($$ + 7919) % 20000))
URL=http://127.0.0.1:$PORT/
"$B/ocsp-serve" --db out/responses.lmdb --listen "127.0.0.1:$PORT" --threads 2 2> "$T_TMP/serve.log" &
t_bg $!
i=0; until curl -s -o /dev/null "$URL" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done

py() {  # CA SERIAL HASH METHOD EXPECT
	out=$(/usr/bin/python3 "$here/interop/ocsp_client.py" "$URL" "$1/ca.pem" "$2" "$3" "$4" root.pem)
	rc=$?
	case "$5" in
	error*) [ $rc -ne 0 ] && echo "$out" | grep -q "^$5" ;;
	*) [ $rc -eq 0 ] && [ "$out" = "$5" ] ;;
	esac || { echo "got: $out (exit $rc)"; return 1; }
}
for m in post get; do
	for h in sha1 sha256; do
		t_check "python $m $h: RSA CA good" py rsa 1001 $h $m good
		t_check "python $m $h: RSA CA revoked, reason" py rsa 1003 $h $m "revoked key_compromise"
		t_check "python $m $h: ECDSA CA good" py ec 2001 $h $m good
		t_check "python $m $h: ECDSA CA revoked, reason" py ec 2002 $h $m "revoked cessation_of_operation"
		t_check "python $m $h: self-signing CA good" py self 3000 $h $m good
		t_check "python $m $h: never-issued serial is no answer" py rsa 1FFF $h $m "error: responseStatus UNAUTHORIZED"
	done
done
cp root.pem rootca.pem; mkdir -p rootdir; cp root.pem rootdir/ca.pem
t_check "python: issuer we do not serve is no answer" py rootdir 1001 sha1 post "error: responseStatus UNAUTHORIZED"

cat rsa/ca.pem root.pem > trust-rsa.pem
PKI_DIR=$P pki_key rsa "$T_TMP/l.key"
PKI_DIR=$P pki_cert "$T_TMP/l.key" "/CN=revoked" rsa/ca.pem rsa/ca.key leaf 30 "$T_TMP/l1003.pem" 0x1003
gt() {  # CERT EXPECT
	ocsptool --ask="$URL" --load-issuer=rsa/ca.pem --load-cert="$1" \
		--load-trust=trust-rsa.pem > "$T_TMP/gt.out" 2>&1
	grep -q "Certificate Status: $2" "$T_TMP/gt.out" &&
		grep -q "Verifying OCSP Response: Success" "$T_TMP/gt.out" || { cat "$T_TMP/gt.out"; return 1; }
}
t_check "ocsptool: good, verified" gt leaf.pem good
t_check "ocsptool: revoked, verified" gt "$T_TMP/l1003.pem" revoked
t_done
