# Set-up shared by the benchmarks (tests/bench/*.sh): set here (the tests
# directory), source this file, then call bench_init NAME.
. "$here/lib/pki.sh"
. "$here/lib/t.sh"

# bench_init NAME [DIR]: top (the source tree), B (the built programs) and
# W, the work directory: DIR (kept between runs, created if need be) or a
# fresh /tmp/ocsp-NAME.XXXXXX.  The caller's EXIT trap removes it.
bench_init() {
	top=$(cd "$here/.." && pwd)
	B=${BIN:?BIN must name the directory of the built programs}
	if [ -n "${2:-}" ]; then W=$2; mkdir -p "$W"
	else W=$(mktemp -d "/tmp/ocsp-$1.XXXXXX"); fi
}

# bench_pki: the demo PKI (20 serials per CA) in $W/pki, and cd there.
bench_pki() {
	pki_make "$W/pki" 20 > /dev/null
	cd "$W/pki"
}

# bench_wait_http PORT...: until each port on 127.0.0.1 answers HTTP at
# all, 10 s at most each.
bench_wait_http() {
	for bw_p in "$@"; do
		t_until 10 curl -s -o /dev/null "http://127.0.0.1:$bw_p/" ||
			{ echo "bench: nothing answers on port $bw_p" >&2; return 1; }
	done
}

# say LINE...: print it and keep it in $W/report.
say() { printf '%s\n' "$*" | tee -a "$W/report"; }
