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

# say LINE...: print it and keep it in $W/report.
say() { printf '%s\n' "$*" | tee -a "$W/report"; }
