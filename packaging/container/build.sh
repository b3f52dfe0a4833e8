#!/bin/sh
# Build the edge images, offline.
#   sh packaging/container/build.sh [serve|edge-sync] [TAG]
#     serve (default): Containerfile, localhost/ocsp-serve:VERSION
#     edge-sync:       Containerfile.edge-sync, localhost/ocsp-edge-sync:VERSION
# Runs `make static` and stages what the image holds in build/image-NAME/
# (the build context: nothing else of the tree goes in); builds with
# podman, or buildah where podman is missing.  --pull=never: both images
# are FROM scratch, nothing is fetched.  The docker format keeps the
# HEALTHCHECK (OCI images have no such field); the time stamp is fixed so
# that the same files give the same image.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
pc=$top/packaging/container
kind=${1:-serve}
make -C "$top" -s static > /dev/null 2>&1 || make -C "$top" static
ver=$(sed -n 's/^VERSION := //p' "$top/Makefile")
ctx=$top/build/image-$kind
rm -rf "$ctx"
mkdir -p "$ctx"
case $kind in
serve)
	tag=${2:-localhost/ocsp-serve:$ver}
	cp "$top/bin/ocsp-serve" "$top/build/static/ocsp-healthz" "$pc/Containerfile" "$ctx/" ;;
edge-sync)
	tag=${2:-localhost/ocsp-edge-sync:$ver}
	cp "$pc/Containerfile.edge-sync" "$ctx/Containerfile"
	r=$ctx/rootfs
	mkdir -p "$r/bin" "$r/usr/bin" "$r/etc" "$r/tmp" "$r/var/lib" "$ctx/state"
	chmod 1777 "$r/tmp"
	bb=$(command -v busybox) || { echo "build.sh: busybox missing (apt-get install busybox-static)" >&2; exit 1; }
	file -L "$bb" | grep -Eq 'statically linked|static-pie' ||
		{ echo "build.sh: $bb is not static (apt-get install busybox-static)" >&2; exit 1; }
	cp "$bb" "$r/bin/busybox"
	for a in sh sleep mkdir head cat ls rm mv ln date; do ln -s busybox "$r/bin/$a"; done
	rs=$(command -v rsync) || { echo "build.sh: rsync missing" >&2; exit 1; }
	cp "$rs" "$r/usr/bin/rsync"
	# rsync's libraries and loader, at the paths the binary asks for.
	ldd "$rs" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r l; do
		mkdir -p "$r$(dirname "$l")" && cp -L "$l" "$r$l"
	done
	cp "$top/packaging/edge-sync/ocsp-edge-sync.sh" "$r/usr/bin/ocsp-edge-sync"
	cp "$pc/edge-sync-loop.sh" "$r/usr/bin/ocsp-edge-sync-loop"
	cp "$top/bin/ocsp-db" "$r/usr/bin/ocsp-db"
	chmod 755 "$r/usr/bin/"*
	# A name for the numeric user (rsync asks who it runs as).
	echo 'ocsp:x:65532:65532:ocsp-edge-sync:/var/lib/ocsp-presign:/bin/sh' > "$r/etc/passwd"
	echo 'ocsp:x:65532:' > "$r/etc/group" ;;
*)
	echo "usage: build.sh [serve|edge-sync] [TAG]" >&2; exit 2 ;;
esac
set -- --pull=never --layers=false --format docker --timestamp 0 --build-arg "VERSION=$ver" \
	-t "$tag" -f "$ctx/Containerfile" "$ctx"
if command -v podman > /dev/null 2>&1; then
	old=$(podman image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
	podman build "$@"
	# A rebuild under the same tag leaves the previous image untagged.
	new=$(podman image inspect --format '{{.Id}}' "$tag")
	if [ -n "$old" ] && [ "$old" != "$new" ]; then podman rmi "$old" > /dev/null 2>&1 || true; fi
elif command -v buildah > /dev/null 2>&1; then
	buildah bud "$@"
else
	echo "build.sh: neither podman nor buildah (apt-get install podman)" >&2
	exit 1
fi
