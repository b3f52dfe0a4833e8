#!/bin/sh
# The test clock (OCSP_PRESIGN_NOW) lives only in test builds: the
# programs under test (make TEST_CLOCK=1, as make check builds them)
# honour it, while a production build (plain make, built here into a
# scratch directory so bin/ is left alone) refuses to start when it is
# set, naming it, and runs normally without it.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
t_start_pki 3
"$B/ocsp-gen" -c ocsp-gen.conf -q || { t_fail "ocsp-gen"; t_done; exit 1; }
DB=out/responses.lmdb
later=$(( $(date +%s) + 8 * 86400 ))

# The test build: the variable moves every program's clock.
t_check "test build: ocsp-db check passes today" "$B/ocsp-db" check "$DB" --min-remaining 1d
if OCSP_PRESIGN_NOW=$later "$B/ocsp-db" check "$DB" --min-remaining 1d > "$T_TMP/tc.out" 2>&1; then
	t_fail "test build: OCSP_PRESIGN_NOW 8 days on makes check fail"
else t_ok "test build: OCSP_PRESIGN_NOW 8 days on makes check fail"; fi
if OCSP_PRESIGN_NOW=soon "$B/ocsp-serve" -n --db "$DB" --listen 127.0.0.1:1 > "$T_TMP/bad.out" 2>&1; then
	t_fail "test build: a value that is not seconds is refused"
else t_grep "test build: a value that is not seconds is refused" "OCSP_PRESIGN_NOW='soon'" "$T_TMP/bad.out"; fi

# A production build of the same tree.  The make that runs this test
# (make check passes TEST_CLOCK=1 down) must not leak into it.
PROD=$T_TMP/prod
root=$(cd "$here/.." && pwd)
# From a copy of the plain build's objects when there is one: only the
# clock's object (it depends on build/.clock) is compiled again, the
# rest relinked.  (Never from build-san: make does not track flags.)
if [ -f "$root/build/.clock" ]; then
	mkdir -p "$PROD" && cp -a "$root/build" "$PROD/build"
fi
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES nice make -s -j2 -C "$root" \
	BUILD="$PROD/build" BIN="$PROD/bin" TEST_CLOCK= SANITIZE= \
	"$PROD/bin/ocsp-serve" "$PROD/bin/ocsp-gen" "$PROD/bin/ocsp-db" > "$T_TMP/make.out" 2>&1; then
	t_fail "production build"; tail -20 "$T_TMP/make.out"; t_done; exit 1
fi
t_check "production build: compiled without the test clock" grep -qx production "$PROD/build/.clock"
refused() {  # NAME CMD...: exits non-zero and names the variable
	name=$1; shift
	if OCSP_PRESIGN_NOW=$later "$@" > "$T_TMP/p.out" 2>&1; then
		t_fail "production $name runs with OCSP_PRESIGN_NOW set"; cat "$T_TMP/p.out"
	else t_grep "production $name refuses to start, naming OCSP_PRESIGN_NOW" \
		"OCSP_PRESIGN_NOW is set, but this is a production build" "$T_TMP/p.out"; fi
}
PORT=$(t_ports 1)
refused ocsp-serve "$PROD/bin/ocsp-serve" --db "$DB" --listen "127.0.0.1:$PORT"
refused ocsp-db "$PROD/bin/ocsp-db" check "$DB" --min-remaining 1d
refused ocsp-gen "$PROD/bin/ocsp-gen" -c ocsp-gen.conf --dry-run
# Even set empty: a unit file's "Environment=OCSP_PRESIGN_NOW=" is a slip too.
if OCSP_PRESIGN_NOW= "$PROD/bin/ocsp-serve" -n --db "$DB" --listen 127.0.0.1:1 > "$T_TMP/e.out" 2>&1; then
	t_fail "production ocsp-serve refuses an empty OCSP_PRESIGN_NOW"
else t_ok "production ocsp-serve refuses an empty OCSP_PRESIGN_NOW"; fi
t_check "production ocsp-db without the variable: check passes" "$PROD/bin/ocsp-db" check "$DB" --min-remaining 1d
t_check "production ocsp-serve without the variable: -n passes" "$PROD/bin/ocsp-serve" -n --db "$DB" --listen 127.0.0.1:1
t_done
