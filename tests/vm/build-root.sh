#!/bin/bash
# Build (or find in the cache) a Debian build root for SUITE: a debootstrap
# tree with build-essential and debian/control's Build-Depends, in which
# build-deb.sh builds the .deb for a release other than this host's (the
# trixie guest needs a package linked against trixie's libraries, whose
# package names differ: libconfig11, not bookworm's libconfig9).
#
#   tests/vm/build-root.sh CACHE_DIR SUITE    prints the root's directory
#
# Cached like image.sh's images: the directory is named after the suite and a
# hash of the recipe below plus the Build-Depends, built in a temporary
# directory and renamed into place only when complete.
set -euo pipefail

cache=${1:?usage: build-root.sh CACHE_DIR SUITE}
suite=${2:?usage: build-root.sh CACHE_DIR SUITE}
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
src=$(cd "$(dirname "$0")/../.." && pwd)

# The Build-Depends as package names: versions and alternatives dropped,
# debhelper-compat (a virtual package) is debhelper.
build_depends=$(sed -n '/^Build-Depends:/,/^[^ ]/{s/^Build-Depends://;/^[^ ]/d;p}' "$src/debian/control" |
	tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/[[:space:]]//g; s/^debhelper-compat$/debhelper/' |
	grep . | sort -u | paste -sd, -)
[ -n "$build_depends" ] || { echo "build-root.sh: no Build-Depends in debian/control" >&2; exit 1; }

# >>> recipe
# buildd: minbase plus build-essential. Nothing else: lintian runs on the
# host (the package is data to it), and the unit tier (dh_auto_test) needs
# only what Build-Depends names.
variant=buildd
# <<< recipe

mirror=${VM_MIRROR:-$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
mirror=${mirror:-http://deb.debian.org/debian}

key=$({ sed -n '/^# >>> recipe/,/^# <<< recipe/p' "$self"; echo "$build_depends"; } | sha256sum | cut -c1-16)
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
final=$cache/buildroot-$suite-$key
if [ -f "$final/complete" ]; then
	echo "$final"
	exit 0
fi

command -v debootstrap >/dev/null || { echo "build-root.sh: needs debootstrap (make deps)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "build-root.sh: debootstrap needs root" >&2; exit 1; }

find "$cache" -maxdepth 1 -name ".buildroot-$suite-*" -mmin +60 -exec rm -rf --one-file-system {} +
work=$(mktemp -d "$cache/.buildroot-$suite-$key.XXXXXX")
cleanup() { [ -z "${work:-}" ] || rm -rf --one-file-system "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$SECONDS
echo "build-root.sh: debootstrap $suite ($variant + $build_depends) from $mirror" >&2
unshare --mount --propagation private \
	debootstrap --variant="$variant" --include="$build_depends" "$suite" "$work/root" "$mirror" \
	>"$work/debootstrap.log" 2>&1 || {
	tail -n 30 "$work/debootstrap.log" >&2
	echo "build-root.sh: debootstrap failed" >&2
	exit 1
}
rm -rf "$work"/root/var/cache/apt/archives/*.deb
echo "$((SECONDS - start))" >"$work/build-seconds"
touch "$work/complete"
if ! mv -T "$work" "$final" 2>/dev/null; then
	[ -f "$final/complete" ] || { echo "build-root.sh: cannot publish $final" >&2; exit 1; }
else
	work=
fi
for old in "$cache/buildroot-$suite"-*; do
	[ "$old" = "$final" ] || rm -rf --one-file-system "$old"
done
echo "build-root.sh: build root made in $((SECONDS - start)) s" >&2
echo "$final"
