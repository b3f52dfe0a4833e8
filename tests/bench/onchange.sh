# Sourced by bench.sh: minutes from issuance to answer (issue 22).
# bench_onchange CONF INDEX OUT NOCHANGE_MS: append one serial to INDEX
# (an OpenSSL index.txt or a serial list), run the path unit's command as systemd runs it
# (packaging/systemd/ocsp-gen-onchange.sh), rsync the published file to
# an edge directory served by ocsp-serve (hot swap), and time until the
# edge answers good; the run that added the serial next to NOCHANGE_MS.
bench_onchange() {
	edge=$W/edge
	mkdir -p "$edge"
	rsync -a "$3" "$edge/" || return 1
	port=$(t_ports 2) || return 1
	"$B/ocsp-serve" --db "$edge/$(basename "$3")" --listen 127.0.0.1:$port \
		--metrics-listen 127.0.0.1:$((port + 1)) --threads 1 \
		> "$W/edge.log" 2>&1 &
	srv_edge=$!
	t_wait_url "http://127.0.0.1:$((port + 1))/healthz"
	serial=7FFFFFF0
	good() {
		openssl ocsp -url "http://127.0.0.1:$port/" -issuer "${ONCHANGE_CA:-ec/ca.pem}" \
			-serial "0x$serial" -noverify -no_nonce 2>/dev/null |
			grep -q "0x$serial: good"
	}
	t0=$(now_ms)
	if grep -q '^V	' "$2"; then	# an OpenSSL index.txt, or a serial list
		printf 'V\t351231235959Z\t\t%s\tunknown\t/CN=new\n' "$serial" >> "$2"
	else
		echo "$serial" >> "$2"
	fi
	OCSP_GEN=$B/ocsp-gen sh "$here/../packaging/systemd/ocsp-gen-onchange.sh" \
		"$1" "$(dirname "$2")" > "$W/onchange.log" 2>&1
	t1=$(now_ms)
	rsync -a --no-whole-file --block-size=4096 --stats "$3" "$edge/" > "$W/onchange-rsync.log"
	t2=$(now_ms)
	i=0
	until good || [ $i -ge 1200 ]; do sleep 0.1; i=$((i + 1)); done
	t3=$(now_ms)
	kill "$srv_edge" 2>/dev/null; wait "$srv_edge" 2>/dev/null
	good_ok=$([ $i -lt 1200 ] && echo yes || echo "NO (not within 120 s)")
	say "one serial appended to issued: the path unit's command ran in $((t1 - t0)) ms" \
	    "($(awk -v a=$((t1 - t0)) -v b="$4" 'BEGIN { printf "%.2f", a / b }')x the no-change run;" \
	    "goal <= 1.5x); rsync to the edge $((t2 - t1)) ms," \
	    "$(awk '/Literal data/ { print $3 }' "$W/onchange-rsync.log") octets literal;" \
	    "edge answers good: $good_ok, $((t3 - t0)) ms after the append" \
	    "(goal 120 s, plus the edge's sync interval)"
}
