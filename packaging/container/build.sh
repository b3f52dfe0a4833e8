#!/bin/sh
# Build the edge image from packaging/container/Containerfile, offline.
#   sh packaging/container/build.sh [TAG]   (default localhost/ocsp-serve:VERSION)
# Runs `make static`, stages bin/ocsp-serve and the health probe in
# build/image/ (the build context: nothing else of the tree goes in), and
# builds with podman, or buildah where podman is missing.  --pull=never:
# FROM scratch needs no base image, and nothing is fetched.  The docker
# format keeps the HEALTHCHECK (OCI images have no such field); the time
# stamp is fixed so that the same binaries give the same image.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
make -C "$top" -s static > /dev/null 2>&1 || make -C "$top" static
ver=$(sed -n 's/^VERSION := //p' "$top/Makefile")
tag=${1:-localhost/ocsp-serve:$ver}
ctx=$top/build/image
rm -rf "$ctx"
mkdir -p "$ctx"
cp "$top/bin/ocsp-serve" "$top/build/static/ocsp-healthz" \
	"$top/packaging/container/Containerfile" "$ctx/"
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
