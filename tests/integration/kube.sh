#!/bin/sh
# The fleet files: packaging/kubernetes/ocsp-edge.yaml and
# packaging/compose.yml, checked by what Debian has.  tests/lib/kubecheck.py
# (python3-yaml and a schema of our own: kubectl is not in Debian) passes
# them and refuses each broken copy below for the right reason;
# `docker-compose config -q` validates the compose file against its
# schema; `podman kube play --start=false` creates the Deployment's pods
# from the manifest (init container, server, sidecar, shared volume), whose
# settings podman inspect then shows; `podman kube down` removes them.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib/t.sh"
t_setup
K=$top/packaging/kubernetes/ocsp-edge.yaml
C=$top/packaging/compose.yml
kc() { /usr/bin/python3 "$here/lib/kubecheck.py" "$@"; }
t_check "kubecheck: the Kubernetes example passes" kc k8s "$K"
t_check "kubecheck: the compose file passes" kc compose "$C"

# broken KIND DESC SED-EXPR EXPECTED-MESSAGE: a copy with one fault must be
# refused, naming it.
broken() {
	f=$K; [ "$1" = compose ] && f=$C
	sed "$3" "$f" > "$T_TMP/broken.yml"
	if cmp -s "$f" "$T_TMP/broken.yml"; then t_fail "broken copy ($2): the edit changed nothing"; return; fi
	if kc "$1" "$T_TMP/broken.yml" > "$T_TMP/kc.out" 2>&1; then t_fail "kubecheck accepted: $2"
	else t_grep "kubecheck refuses: $2" "$4" "$T_TMP/kc.out"; fi
}
broken k8s "readiness probe on /metrics" 's|path: /healthz|path: /metrics|' "must GET /healthz"
broken k8s "probe on the OCSP port" 's|httpGet: {path: /healthz, port: metrics}|httpGet: {path: /healthz, port: http}|' "readinessProbe port"
broken k8s "Prometheus port that is not the metrics port" 's|prometheus.io/port: "9090"|prometheus.io/port: "8080"|' "prometheus.io/port"
broken k8s "misspelt readinessProbe" 's|readinessProbe:|readynessProbe:|' "unknown key 'readynessProbe'"
broken k8s "server mounts the volume writable" 's|mountPath: /var/lib/ocsp-presign, readOnly: true}|mountPath: /var/lib/ocsp-presign}|' "writable"
broken k8s "init container without --once" 's|args: \["--once", |args: [|' "needs --once"
broken k8s "sidecar syncing elsewhere" 's|"/var/lib/ocsp-presign/", "60"|"/tmp/", "60"|' "does not write the volume"
broken k8s "Service selecting nothing" '/^  type: ClusterIP/,$ s|component: edge}|component: edges}|' "selector matches no pod"
broken k8s "one replica" 's|replicas: 3|replicas: 1|' "at least 2"
broken k8s "writable root" '0,/readOnlyRootFilesystem: true/ s|readOnlyRootFilesystem: true|readOnlyRootFilesystem: false|' "not read-only"
broken k8s "root user" 's|runAsUser: 65532|runAsUser: 0|' "non-root"
broken k8s "a secret in the pod" 's|emptyDir: {sizeLimit: 4Gi}|secret: {secretName: ocsp-key}|' "no secret"
broken compose "compose: server mounts the volume writable" 's|responses:/var/lib/ocsp-presign:ro|responses:/var/lib/ocsp-presign|' "mounted :ro"
broken compose "compose: writable root" '0,/read_only: true/ s|read_only: true|read_only: false|' "not read-only"
broken compose "compose: server not waiting for the first sync" 's|condition: service_completed_successfully|condition: service_started|g' "wait for the first sync"

if command -v docker-compose > /dev/null 2>&1; then
	t_check "docker-compose config -q (the compose schema)" docker-compose -f "$C" config -q
	sed 's|read_only: true|readonly: true|' "$C" > "$T_TMP/typo.yml"
	t_check "docker-compose config refuses an unknown option" sh -c "! docker-compose -f $T_TMP/typo.yml config -q"
else
	echo "skip docker-compose config: not installed (apt-get install docker-compose)"
fi

# podman kube play: the manifest as a pod runtime reads it.  The images
# must exist locally (a missing one would be pulled): build them when absent.
if ! command -v podman > /dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
	echo "skip podman kube play: needs root and podman"; t_done; exit $?
fi
made=""
for kind in serve edge-sync; do
	img=$(awk -v k="ocsp-$kind:" '$1 == "image:" && index($2, k) { print $2; exit }' "$K")
	podman image exists "$img" && continue
	sh "$top/packaging/container/build.sh" "$kind" "$img" > "$T_TMP/build.$kind" 2>&1 ||
		{ t_fail "build $img"; tail -5 "$T_TMP/build.$kind"; }
	made="$made $img"
done
# build.sh ran `make static`: plain make puts the dynamic programs back.
trap 'podman kube down "$K" > /dev/null 2>&1; for i in $made; do podman rmi "$i" > /dev/null 2>&1; done
	[ -z "$made" ] || make -C "$top" -s TEST_CLOCK=1 all > /dev/null 2>&1; t_cleanup' EXIT
podman kube down "$K" > /dev/null 2>&1
t_check "podman kube play --start=false creates the Deployment" podman kube play --start=false "$K"
n=$(podman pod ps --format '{{.Name}}' | grep -c '^ocsp-edge-pod-')
[ "$n" = 3 ] && t_ok "3 pods, one per replica" || t_fail "pods: $n"
c=ocsp-edge-pod-0
t_check "each pod: init container, server, sidecar" sh -c \
	"for x in first-sync ocsp-serve edge-sync; do podman container exists $c-\$x || exit 1; done"
insp() { podman inspect --format "$2" "$c-$1" 2>&1; }
[ "$(insp ocsp-serve '{{.HostConfig.ReadonlyRootfs}} {{.Config.User}}')" = "true 65532:65532" ] &&
	t_ok "server: read-only root, user 65532:65532" || t_fail "server: $(insp ocsp-serve '{{.HostConfig.ReadonlyRootfs}} {{.Config.User}}')"
sv=$(insp ocsp-serve '{{range .Mounts}}{{.Name}} {{.Destination}} {{.RW}}{{end}}')
sy=$(insp edge-sync '{{range .Mounts}}{{.Name}} {{.Destination}} {{.RW}}{{end}}')
fs=$(insp first-sync '{{range .Mounts}}{{.Name}} {{.Destination}} {{.RW}}{{end}}')
[ "${sv% *}" = "${sy% *}" ] && [ "${sy% *}" = "${fs% *}" ] && [ "${sv##* }" = false ] && [ "${sy##* }" = true ] &&
	t_ok "one volume: the syncs write it, the server reads it ($sv)" || t_fail "volumes: serve '$sv' sync '$sy' init '$fs'"
insp ocsp-serve '{{json .Config.Cmd}}' > "$T_TMP/cmd"
t_grep "server arguments as written" '"--db","/var/lib/ocsp-presign/responses.lmdb"' "$T_TMP/cmd"
t_check "podman kube down removes them" podman kube down "$K"
t_done
