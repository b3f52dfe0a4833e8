#!/bin/sh
# The edge image (packaging/container/): podman builds it offline FROM
# scratch; inspect shows the numeric user, the entrypoint, the health check
# and the size; the image holds the two static programs and nothing else
# (no shell, no key).  Then, where this machine's container runtime lets
# it, the image serves a published file on 127.0.0.1 with a read-only root:
# openssl verifies its answers, the baked health check passes, a new file
# renamed into the volume is served within a second, SIGUSR1 reopens the
# access log, SIGTERM stops it cleanly.  Needs root (rootful podman).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
IMG=localhost/ocsp-serve:integration-test
NAME=ocsp-serve-it-$$
t_start_pki 10
if ! command -v podman > /dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
	echo "skip container: needs root and podman (apt-get install podman runc)"
	t_done; exit 0
fi
cleanup_podman() {
	podman rm -f -v "$NAME" > /dev/null 2>&1
	podman rmi "$IMG" > /dev/null 2>&1
	make -C "$top" -s TEST_CLOCK=1 all > /dev/null 2>&1	# bin/ dynamic (test clock) again
}
trap 'cleanup_podman; t_cleanup' EXIT

t_check "podman build, offline (--pull=never, FROM scratch)" sh "$top/packaging/container/build.sh" serve "$IMG"
ins() { podman image inspect --format "$1" "$IMG" 2>&1; }
[ "$(ins '{{.Config.User}}')" = 65532:65532 ] && t_ok "image user is numeric 65532:65532" ||
	t_fail "image user: $(ins '{{.Config.User}}')"
[ "$(ins '{{json .Config.Entrypoint}}')" = '["/usr/sbin/ocsp-serve"]' ] && t_ok "entrypoint /usr/sbin/ocsp-serve" ||
	t_fail "entrypoint: $(ins '{{json .Config.Entrypoint}}')"
ins '{{json .HealthCheck.Test}}' > hc.json
t_grep "health check runs ocsp-healthz on /healthz's listener" 'ocsp-healthz","127.0.0.1:9090' hc.json
ins '{{json .Config.Volumes}}' > vol.json
t_grep "volume /var/lib/ocsp-presign" '/var/lib/ocsp-presign' vol.json
isize=$(ins '{{.Size}}')
[ "$isize" -gt 0 ] && [ "$isize" -lt 16000000 ] 2>/dev/null && t_ok "image size $isize octets (< 16 MB)" ||
	t_fail "image size: $isize"
[ "$(ins '{{len .RootFS.Layers}}')" = 1 ] && t_ok "one layer, no base image" || t_fail "layers: $(ins '{{len .RootFS.Layers}}')"
# Every file in the image: the two programs, nothing else.
podman create --name "$NAME" "$IMG" > /dev/null 2>&1
podman export "$NAME" 2>/dev/null | tar -tf - 2>/dev/null | grep -v '/$' | sort > files
podman rm -f -v "$NAME" > /dev/null 2>&1
printf 'usr/sbin/ocsp-healthz\nusr/sbin/ocsp-serve\n' > files.want
t_check "the image holds ocsp-serve and ocsp-healthz only (no shell, no key)" diff files.want files

# Running it.  Where the runtime refuses, find out what it needs, in order:
# the defaults; lower ulimits (podman raises nofile and nproc, which needs
# CAP_SYS_RESOURCE); runc instead of crun (crun 1.8 refuses a cgroup v1
# host whose v2 hierarchy has controllers).
LIM="--ulimit nofile=4096:4096 --ulimit nproc=4096:4096"
RUNOPT=unusable
for o in "" "$LIM" "--runtime runc $LIM"; do
	# shellcheck disable=SC2086
	if podman run --rm $o "$IMG" --version > ver.out 2> ver.err; then RUNOPT=$o; break; fi
	echo "     podman run ${o:-(defaults)}: $(grep -v 'systemd' ver.err | tail -1)"
done
if [ "$RUNOPT" = unusable ]; then
	echo "skip container run: podman cannot start a container here (see the errors above)"
	t_done; exit $?
fi
echo "     podman run works here with: ${RUNOPT:-the defaults}"
t_grep "podman run IMAGE --version: the static build" "^ocsp-serve .*\\(static: " ver.out

# The volume: the published file, readable by the image's user; logs: a
# directory that user may write.
V=$T_TMP/vol; L=$T_TMP/logs
"$B/ocsp-gen" -q -c ocsp-gen.conf || { t_fail "ocsp-gen"; t_done; exit 1; }
chmod 711 "$T_TMP"
mkdir -p "$V" "$L" && chmod 755 "$V" && chown 65532:65532 "$L"
cp out/responses.lmdb "$V/" && chmod 644 "$V/responses.lmdb"
base=$(t_ports 2); PORT=$base; MPORT=$((base + 1))
# start NETOPTS... LISTEN METRICS
start() {
	a=$1; m=$2; shift 2
	# shellcheck disable=SC2086
	podman run -d --name "$NAME" --read-only $RUNOPT "$@" \
		-v "$V:/var/lib/ocsp-presign:ro" -v "$L:/var/log/ocsp-serve" "$IMG" \
		--db /var/lib/ocsp-presign/responses.lmdb --listen "$a" --metrics-listen "$m" \
		--threads 2 --access-log /var/log/ocsp-serve/access.log > run.out 2>&1
	i=0
	until curl -sf -o /dev/null "http://127.0.0.1:$MPORT/healthz" || [ $i -ge 100 ]; do
		sleep 0.1; i=$((i + 1)); done
	curl -sf -o /dev/null "http://127.0.0.1:$MPORT/healthz"
}
# Published ports on 127.0.0.1 (the CNI bridge); else the host's network
# with the listeners on 127.0.0.1.
if start 0.0.0.0:8080 0.0.0.0:9090 -p "127.0.0.1:$PORT:8080" -p "127.0.0.1:$MPORT:9090"; then
	t_ok "podman run: ports published on 127.0.0.1 answer"
	INPORT=8080
else
	echo "     published ports did not answer: $(grep -v systemd run.out | tail -2)"
	podman logs "$NAME" 2>&1 | tail -3
	podman rm -f -v "$NAME" > /dev/null 2>&1
	t_check "podman run --network host, listeners on 127.0.0.1" \
		start "127.0.0.1:$PORT" "127.0.0.1:$MPORT" --network host
	INPORT=$PORT
fi
[ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$NAME")" = true ] &&
	t_ok "read-only root" || t_fail "read-only root"
pid=$(podman inspect --format '{{.State.Pid}}' "$NAME")
t_check "the server runs as uid 65532, gid 65532" sh -c \
	"grep -Eq '^Uid:[[:space:]]+65532[[:space:]]' /proc/$pid/status && grep -Eq '^Gid:[[:space:]]+65532[[:space:]]' /proc/$pid/status"
ask() {  # CA SERIAL EXPECT
	openssl ocsp -url "http://127.0.0.1:$PORT/" -issuer "$1/ca.pem" -serial "0x$2" \
		-CAfile root.pem -no_nonce > ask.out 2>&1
	cat ask.out
	grep -q "Response verify OK" ask.out && grep -q "^0x$2: $3" ask.out
}
t_check "in the container: 1001 good, verified" ask rsa 1001 good
t_check "in the container: 1003 revoked, verified" ask rsa 1003 revoked
t_check "podman healthcheck run (the image's own check): healthy" podman healthcheck run "$NAME"
t_check "the probe fails where nothing listens" sh -c "! podman exec $NAME /usr/sbin/ocsp-healthz 127.0.0.1:$((INPORT + 2))"

# Hot swap: 1002 revoked, the new file renamed into the volume from the
# host, as rsync does; polled every few ms until it answers revoked.
PKI_DIR=$P pki_revoke rsa 1002 keyCompromise
"$B/ocsp-gen" -q -c ocsp-gen.conf
cp out/responses.lmdb "$V/.responses.lmdb.new" && chmod 644 "$V/.responses.lmdb.new"
openssl ocsp -issuer rsa/ca.pem -serial 0x1002 -no_nonce -reqout req1002.der
t_check "before the swap: 1002 good" ask rsa 1002 good
t0=$(date +%s%3N)
mv "$V/.responses.lmdb.new" "$V/responses.lmdb"
i=0; ms=-1
while [ $i -lt 500 ]; do
	curl -s -o swap.der --data-binary @req1002.der -H 'Content-Type: application/ocsp-request' \
		"http://127.0.0.1:$PORT/"
	if openssl ocsp -respin swap.der -issuer rsa/ca.pem -serial 0x1002 -CAfile root.pem \
		-no_nonce 2>/dev/null | grep -q '0x1002: revoked'; then ms=$(($(date +%s%3N) - t0)); break; fi
	[ $(($(date +%s%3N) - t0)) -gt 5000 ] && break
	i=$((i + 1))
done
[ "$ms" -ge 0 ] && [ "$ms" -le 1000 ] && t_ok "hot swap in the container: the renamed file served after $ms ms" ||
	t_fail "hot swap in the container: $ms ms (-1: not within 5 s)"
swaps=$(curl -s "http://127.0.0.1:$MPORT/metrics" | awk '$1 ~ /^ocsp_serve_db_swaps_total/ { print $2 }')
[ "$swaps" = 1 ] && t_ok "/metrics counts the swap" || t_fail "/metrics swaps: '$swaps'"

# SIGUSR1: logrotate's move, then the container is signalled, as on a host.
t_check "access log written in the log volume" test -s "$L/access.log"
mv "$L/access.log" "$L/access.log.1"
podman kill --signal USR1 "$NAME" > /dev/null
ask rsa 1001 good > /dev/null
i=0; until [ -s "$L/access.log" ] || [ $i -ge 50 ]; do sleep 0.1; ask rsa 1001 good > /dev/null; i=$((i + 1)); done
t_check "SIGUSR1 reopens the access log" test -s "$L/access.log"

t0=$(date +%s)
podman stop -t 10 "$NAME" > /dev/null 2>&1
code=$(podman inspect --format '{{.State.ExitCode}}' "$NAME")
[ "$code" = 0 ] && [ $(($(date +%s) - t0)) -lt 10 ] && t_ok "SIGTERM: clean exit (status 0) in $(($(date +%s) - t0)) s" ||
	t_fail "SIGTERM: exit status $code after $(($(date +%s) - t0)) s"

# The pod of packaging/kubernetes/, in podman: the edge-sync image pulls
# from an rsync daemon on 127.0.0.1 (the host's network) into a shared
# directory, once (the init container) and then every second (the
# sidecar); the server image serves what it wrote and follows a revocation.
SIMG=localhost/ocsp-edge-sync:integration-test
t_check "podman build of the edge-sync image, offline" sh "$top/packaging/container/build.sh" edge-sync "$SIMG"
trap 'podman rm -f -v "$NAME" "$NAME-sync" > /dev/null 2>&1; podman rmi "$SIMG" > /dev/null 2>&1; cleanup_podman; t_cleanup' EXIT
podman rm -f -v "$NAME" > /dev/null 2>&1
RS=$(t_ports 1)
mkdir -p pub && cp out/responses.lmdb pub/ && chmod 755 pub && chmod 644 pub/responses.lmdb
printf 'pid file = %s/rsyncd.pid\nuse chroot = no\n[ocsp]\n    path = %s/pub\n    read only = yes\n    uid = root\n    gid = root\n    hosts allow = 127.0.0.1\n' \
	"$P" "$P" > rsyncd.conf
rsync --daemon --no-detach --config=rsyncd.conf --address=127.0.0.1 --port="$RS" &
t_bg $!
i=0; until rsync "rsync://127.0.0.1:$RS/" > /dev/null 2>&1 || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
E=$T_TMP/edge; mkdir -p "$E" && chown 65532:65532 "$E"
# shellcheck disable=SC2086
t_check "first sync (init container, --once): the file arrives" podman run --rm --network host --read-only $RUNOPT \
	-v "$E:/var/lib/ocsp-presign" "$SIMG" --once "rsync://127.0.0.1:$RS/ocsp/" /var/lib/ocsp-presign/
t_check "the synced file is the published one" cmp pub/responses.lmdb "$E/responses.lmdb"
# shellcheck disable=SC2086
podman run -d --name "$NAME-sync" --network host --read-only $RUNOPT -v "$E:/var/lib/ocsp-presign" \
	"$SIMG" "rsync://127.0.0.1:$RS/ocsp/" /var/lib/ocsp-presign/ 1 > /dev/null 2>&1
V=$E
t_check "server on the synced volume" start "127.0.0.1:$PORT" "127.0.0.1:$MPORT" --network host
t_check "synced: 1002 revoked" ask rsa 1002 revoked
PKI_DIR=$P pki_revoke rsa 1004 keyCompromise
"$B/ocsp-gen" -q -c ocsp-gen.conf && cp out/responses.lmdb pub/.r.tmp && chmod 644 pub/.r.tmp && mv pub/.r.tmp pub/responses.lmdb
t0=$(date +%s); i=0
until ask rsa 1004 revoked > /dev/null || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
t_check "a new publication reaches the container through the sidecar ($(($(date +%s) - t0)) s)" ask rsa 1004 revoked
t_done
