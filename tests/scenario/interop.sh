#!/bin/sh
# Independent clients against ocsp-gen + ocsp-serve on 127.0.0.1:
# Python cryptography (verifies signature, delegation, CertID, window
# itself) and GnuTLS ocsptool.  openssl is covered by gen.sh and serve.sh.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 20
# The self-signing CA embeds its certificate here (include_signer_cert =
# yes; the default is no, see profile.sh), for ocsptool given a trust list.
sed -i 's|^\[issuing_self\]$|&\ninclude_signer_cert = yes|' ocsp-gen.conf
"$B/ocsp-gen" -c ocsp-gen.conf -q || { t_fail "ocsp-gen"; t_done; exit 1; }
PORT=$(t_ports 2)
URL=http://127.0.0.1:$PORT/
"$B/ocsp-serve" --db out/responses.lmdb --listen "127.0.0.1:$PORT" --threads 2 2> "$T_TMP/serve.log" &
t_bg $!
t_wait_url "$URL"

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

# GnuTLS ocsptool on every CA: it looks for the signer among the
# response's certificates, so the CA that signs its own responses must put
# its certificate there too (include_signer_cert = yes, set above).
leaf() {  # CA SERIAL OUT
	PKI_DIR=$P pki_key ec "$T_TMP/leaf-$2.key"
	PKI_DIR=$P pki_cert "$T_TMP/leaf-$2.key" "/CN=leaf $2" "$1/ca.pem" "$1/ca.key" leaf 30 "$3" "0x$2"
}
for ca in rsa ec self; do cat $ca/ca.pem root.pem > trust-$ca.pem; done
cp leaf.pem "$T_TMP/l1001.pem"
leaf rsa 1003 "$T_TMP/l1003.pem"
leaf ec 2001 "$T_TMP/l2001.pem"
leaf ec 2002 "$T_TMP/l2002.pem"
leaf self 3000 "$T_TMP/l3000.pem"
leaf self 3001 "$T_TMP/l3001.pem"
gt() {  # URL CA SERIAL EXPECT
	ocsptool --ask="$1" --load-issuer=$2/ca.pem --load-cert="$T_TMP/l$3.pem" \
		--load-trust=trust-$2.pem > "$T_TMP/gt.out" 2>&1
	grep -q "Certificate Status: $4" "$T_TMP/gt.out" &&
		grep -q "Verifying OCSP Response: Success" "$T_TMP/gt.out" || { cat "$T_TMP/gt.out"; return 1; }
}
for c in "rsa 1001 good" "rsa 1003 revoked" "ec 2001 good" "ec 2002 revoked" \
	 "self 3000 good" "self 3001 revoked"; do
	set -- $c
	t_check "ocsptool: $1 CA $3, verified" gt "$URL" $1 $2 $3
done
t_check "python: the self-signing CA's response carries its certificate" \
	py self 3000 sha1 post good certs=1 responder=key
t_check "python: a delegate's response carries the delegate, byKey" \
	py ec 2001 sha256 post good certs=1 responder=key

# The other profile: responderID byName, SHA-384 and SHA-512 CertIDs, and
# the self-signing CA without its certificate (include_signer_cert = no).
sed -e 's|^output .*|output = out2/responses.lmdb|' \
    -e 's|^cert_ids .*|cert_ids = sha1, sha384, sha512\nresponder_id = name|' \
    -e 's|^\[issuing_self\]$|&\ninclude_signer_cert = no|' ocsp-gen.conf > profile.conf
mkdir -p out2
"$B/ocsp-gen" -c profile.conf -q || t_fail "ocsp-gen with the byName profile"
P2=$((PORT + 2))
URL2=http://127.0.0.1:$P2/
"$B/ocsp-serve" --db out2/responses.lmdb --listen "127.0.0.1:$P2" --threads 2 2> "$T_TMP/serve2.log" &
t_bg $!
t_wait_url "$URL2"
py2() {  # like py, against the second server
	URL=$URL2 py "$@"
}
for h in sha384 sha512; do
	t_check "python $h: RSA CA good, byName" py2 rsa 1001 $h post good responder=name certs=1
	t_check "python $h: RSA CA revoked, byName" py2 rsa 1005 $h get "revoked superseded" responder=name
	t_check "python $h: ECDSA CA revoked, byName" py2 ec 2002 $h post "revoked cessation_of_operation" responder=name
	t_check "python $h: self-signing CA good, byName, no certificate" py2 self 3000 $h post good responder=name certs=0
	t_check "python $h: not served under sha1's key" py2 rsa 1FFF $h post "error: responseStatus UNAUTHORIZED"
done
ossl() {  # CA SERIAL HASH EXPECT [openssl options...]
	ca=$1 s=$2 h=$3 e=$4; shift 4
	out=$(openssl ocsp -url "$URL2" -issuer $ca/ca.pem -$h -serial 0x$s -no_nonce \
		-CAfile root.pem "$@" 2>&1) || { echo "$out"; return 1; }
	echo "$out" | grep -q "Response verify OK" && echo "$out" | grep -q "^0x$s: $e" ||
		{ echo "$out"; return 1; }
}
for h in sha1 sha384 sha512; do
	t_check "openssl $h: RSA CA good, byName" ossl rsa 1001 $h good
	t_check "openssl $h: ECDSA CA revoked, byName" ossl ec 2002 $h revoked
	t_check "openssl $h: self-signing CA without its certificate (found by -issuer)" ossl self 3001 $h revoked
done
t_check "ocsptool: byName from a delegate" gt "$URL2" ec 2001 good
t_check "ocsptool: byName, revoked" gt "$URL2" rsa 1003 revoked
for h in sha384 sha512; do
	"$B/ocsp-db" get out2/responses.lmdb --issuer ec/ca.pem --serial 2002 --hash $h \
		> "$T_TMP/get-$h.der" 2> "$T_TMP/get.err"
	t_check "ocsp-db get --hash $h: the stored response verifies" \
		verify_resp "$T_TMP/get-$h.der" ec/ca.pem 2002 $h revoked root.pem
done
openssl ocsp -respin "$T_TMP/get-sha512.der" -resp_text -noverify > "$T_TMP/r.txt" 2>&1
t_grep "byName in the stored response" "Responder Id: .*CN ?= ?Demo OCSP EC" "$T_TMP/r.txt"

# Negative controls.  ocsp-gen refuses such signers up front (gen.sh), so
# the bad responses are made here by openssl's own responder: each client
# must reject them, which shows their verification is real.
printf 'V\t351231235959Z\t\t1001\tunknown\t/CN=leaf\n' > "$T_TMP/idx"
openssl ocsp -issuer rsa/ca.pem -serial 0x1001 -no_nonce -reqout "$T_TMP/neg.req"
PKI_DIR=$P pki_key ec "$T_TMP/noeku.key"
PKI_DIR=$P pki_cert "$T_TMP/noeku.key" "/CN=No EKU" rsa/ca.pem rsa/ca.key noeku 30 "$T_TMP/noeku.pem"
PKI_DIR=$P pki_key ec "$T_TMP/foreign.key"
PKI_DIR=$P pki_cert "$T_TMP/foreign.key" "/CN=Foreign OCSP" ec/ca.pem ec/ca.key ocsp 30 "$T_TMP/foreign.pem"
for bad in noeku foreign; do
	openssl ocsp -index "$T_TMP/idx" -CA rsa/ca.pem -rsigner "$T_TMP/$bad.pem" \
		-rkey "$T_TMP/$bad.key" -reqin "$T_TMP/neg.req" -respout "$T_TMP/$bad.der" \
		-resp_key_id -nmin 60 2>/dev/null
	if openssl ocsp -respin "$T_TMP/$bad.der" -issuer rsa/ca.pem -serial 0x1001 \
		-CAfile root.pem -no_nonce > "$T_TMP/neg.out" 2>&1; then
		t_fail "openssl rejects a response signed by a $bad signer"
	else t_ok "openssl rejects a response signed by a $bad signer"; fi
	out=$(/usr/bin/python3 "$here/interop/ocsp_client.py" "$URL" rsa/ca.pem 1001 sha1 "file:$T_TMP/$bad.der" root.pem)
	case "$out" in error*) t_ok "python rejects a response signed by a $bad signer ($out)" ;;
	*) t_fail "python rejects a response signed by a $bad signer (got $out)" ;; esac
done

# nginx as a TLS server stapling our responses (nginx fetches by GET).
NG=$((PORT + 1))
mkdir -p "$T_TMP/ngx"
cat leaf.pem rsa/ca.pem > "$T_TMP/ngx/fullchain.pem"
cat > "$T_TMP/ngx/nginx.conf" <<EOT
user $(id -un);
worker_processes 1;
pid $T_TMP/ngx/nginx.pid;
error_log $T_TMP/ngx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$NG ssl;
        ssl_certificate $T_TMP/ngx/fullchain.pem;
        ssl_certificate_key $P/leaf.key;
        ssl_stapling on;
        ssl_stapling_verify on;
        ssl_trusted_certificate $P/chain.pem;
        ssl_stapling_responder $URL;
        location / { return 200 "ok\n"; }
    }
}
EOT
nginx -c "$T_TMP/ngx/nginx.conf" -g 'daemon off;' &
t_bg $!
t_until 10 curl -sk -o /dev/null "https://127.0.0.1:$NG/" || t_fail "nginx listens"
# nginx fetches the response on the first handshakes: retry, bounded.
i=0; stapled=0
while [ $i -lt 20 ]; do
	openssl s_client -connect 127.0.0.1:$NG -servername localhost -status \
		-CAfile root.pem < /dev/null > "$T_TMP/sc.out" 2>&1
	if grep -q "Cert Status: good" "$T_TMP/sc.out"; then stapled=1; break; fi
	sleep 0.5; i=$((i + 1))
done
[ $stapled = 1 ] && t_ok "nginx staples our response: Cert Status: good (after $i retries)" ||
	{ t_fail "nginx staples our response"; grep -i "ocsp\|status" "$T_TMP/sc.out" | head; tail -3 "$T_TMP/ngx/error.log"; }
t_grep "stapled response verified by s_client" "Verify return code: 0|OCSP Response Status: successful" "$T_TMP/sc.out"
t_done
