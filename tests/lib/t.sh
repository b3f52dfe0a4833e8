# Tiny scenario-test helpers: one line per case, a tally at the end.
# Scenario scripts source this, call t_ok / t_fail / t_check, then t_done.
T_PASS=0
T_FAIL=0
T_NAME=${T_NAME:-$(basename "$0" .sh)}

t_ok() { T_PASS=$((T_PASS + 1)); echo "ok   $T_NAME: $*"; }
t_fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL $T_NAME: $*"; }

# t_check DESC CMD...: passes when CMD exits 0.
t_check() {
	d=$1; shift
	if "$@" >"$T_TMP/last.out" 2>&1; then t_ok "$d"; else
		t_fail "$d"; sed 's/^/     | /' "$T_TMP/last.out" | tail -15; fi
}

# t_grep DESC PATTERN FILE
t_grep() {
	if grep -Eq -- "$2" "$3"; then t_ok "$1"; else
		t_fail "$1 (no /$2/ in $3)"; sed 's/^/     | /' "$3" | tail -15; fi
}

t_done() {
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}

# A scratch directory removed at exit, plus registered background
# processes killed (dash's `jobs -p` is empty inside an EXIT trap, so
# scripts register what they start with t_bg PID).
T_PIDS=""
t_setup() {
	T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ocsp-presign-test.XXXXXX")
	trap 't_cleanup' EXIT
	trap 'exit 130' INT TERM
}
t_bg() { T_PIDS="$T_PIDS $1"; }
t_cleanup() {
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	for p in $T_PIDS; do wait "$p" 2>/dev/null; done
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$T_TMP"
}

# verify_resp DER ISSUER SERIAL HASH EXPECT ROOT: openssl must verify the
# signature and print the expected status line.
verify_resp() {
	out=$(openssl ocsp -respin "$1" -issuer "$2" "-$4" -serial "0x$3" \
		-CAfile "$6" -no_nonce 2>&1) || { echo "$out"; return 1; }
	echo "$out" | grep -q "Response verify OK" || { echo "$out"; return 1; }
	echo "$out" | grep -q "^0x$3: $5" || { echo "$out"; return 1; }
	echo "$out"
}

# t_ports N: the first of N consecutive free TCP ports on 127.0.0.1, chosen
# below Linux's ephemeral range (32768+) so client sockets never hold them.
t_ports() {
	tries=0
	while [ $tries -lt 100 ]; do
		base=$((10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 22000))
		if /usr/bin/python3 - "$base" "$1" <<'PY' 2>/dev/null
import socket, sys
b, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for p in range(b, b + n):
    s = socket.socket()
    s.bind(("127.0.0.1", p))
    socks.append(s)
PY
		then echo "$base"; return 0; fi
		tries=$((tries + 1))
	done
	echo "t_ports: no free ports" >&2
	return 1
}

# t_start_pki N: scratch directory, B = built programs, P = a fresh demo
# PKI with N serials per CA (tests/lib/pki.sh), and cd into it.
t_start_pki() {
	t_setup
	B=${BIN:?BIN must name the directory of the built programs}
	P=$T_TMP/pki
	pki_make "$P" "$1" > /dev/null || { t_fail "building the test PKI"; t_done; exit 1; }
	cd "$P" || exit 1
}

# t_until SECONDS CMD...: run CMD every 0.05 s until it succeeds, SECONDS
# at most; CMD's last status.  What a test waits on instead of a sleep.
t_until() {
	tu_n=$(($1 * 20)); shift
	while ! "$@"; do
		[ "$tu_n" -gt 0 ] || return 1
		sleep 0.05; tu_n=$((tu_n - 1))
	done
}

# t_metric URL NAME: NAME's sample value in the Prometheus text at URL
# (NAME with its labels, as printed).
t_metric() { curl -s "$1" | awk -v k="$2" '$1 == k { print $2 }'; }

# t_metric_ge URL NAME N: the sample is at least N.
t_metric_ge() { v=$(t_metric "$1" "$2"); [ -n "$v" ] && [ "$v" -ge "$3" ]; }

# t_server_looked URL DB: once ocsp-serve's check of the --db path DB has
# run twice more (ocsp_serve_db_checks_total): one check may have begun
# before the caller's change, the second began after it.
t_server_looked() {
	tl_k="ocsp_serve_db_checks_total{db=\"$2\"}"
	tl_c=$(t_metric "$1" "$tl_k")
	[ -n "$tl_c" ] || { echo "t_server_looked: no $tl_k at $1" >&2; return 1; }
	t_until 10 t_metric_ge "$1" "$tl_k" $((tl_c + 2))
}

# t_listening PORT: a socket listens on 127.0.0.1:PORT.  Read from
# /proc/net/tcp, so no connection is made: for servers that count them.
t_listening() {
	grep -q "^ *[0-9]*: 0100007F:$(printf %04X "$1") 00000000:0000 0A " /proc/net/tcp
}

# t_wait_url URL: until it answers at all, 5 s at most.
t_wait_url() {
	i=0
	until curl -s -o /dev/null "$1" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
}

# wrk_post_lua REQ.der OUT.lua: a wrk script POSTing that request.
wrk_post_lua() {
	{ printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/ocsp-request"\nwrk.body = "'
	  od -An -v -tu1 "$1" | tr -s ' \n' '\n\n' | sed '/^$/d' | awk '{ printf "\\%d", $1 }'
	  printf '"\n'; } > "$2"
}

# t_db_status DB ISSUER ROOT SERIAL STATUS [REASON [TIME]]: the stored
# response of SERIAL, under both SHA-1 and SHA-256 CertIDs, verifies with
# openssl and says STATUS (and the reason and revocation time, if given).
t_db_status() {
	for h in sha1 sha256; do
		"$B/ocsp-db" get "$1" --issuer "$2" --serial "$4" --hash $h \
			> "$T_TMP/r.der" || return 1
		verify_resp "$T_TMP/r.der" "$2" "$4" $h "$5" "$3" \
			> "$T_TMP/v.out" || { cat "$T_TMP/v.out"; return 1; }
		[ -z "${6:-}" ] || grep -q "Reason: $6" "$T_TMP/v.out" ||
			{ cat "$T_TMP/v.out"; return 1; }
		[ -z "${7:-}" ] || grep -q "Revocation Time: $7" "$T_TMP/v.out" ||
			{ cat "$T_TMP/v.out"; return 1; }
	done
}

# t_mkcrl CADIR OUT NUMBER [mkcrl.py options]: a CRL of CADIR's CA made
# as AD CS makes them (tests/lib/mkcrl.py), valid 30 days.
t_mkcrl() {
	c=$1; o=$2; n=$3; shift 3
	/usr/bin/python3 "${here:?}/lib/mkcrl.py" --ca "$c/ca.pem" \
		--key "$c/ca.key" --days 30 --number "$n" "$@" "$o" || t_fail "mkcrl $o"
}
