#!/bin/bash
# Build the pam-jail .deb from this tree (HEAD by default), the way a
# Debian developer would (dpkg-buildpackage -us -uc -b), in a copy under
# OUT_DIR so the source tree stays untouched; then run lintian on it.
#
#   tests/vm/build-deb.sh OUT_DIR [VERSION]
#
# VERSION (e.g. 0.1.0-2) adds a changelog entry to the copy: the VM tier uses
# it to test an upgrade over a running jail. Prints the .deb's path.
#
# VM_BUILD_ROOT=DIR (a build root from build-root.sh) builds the package
# inside DIR/root instead of on this host: for a guest of another Debian
# release, whose library package names (and so the .deb's Depends) differ.
set -euo pipefail

out=${1:?usage: build-deb.sh OUT_DIR [VERSION]}
version=${2:-}
src=$(cd "$(dirname "$0")/../.." && pwd)

for tool in dpkg-buildpackage dh lintian; do
	command -v "$tool" >/dev/null || { echo "build-deb.sh: needs $tool (make deps)" >&2; exit 1; }
done

mkdir -p "$out"
out=$(cd "$out" && pwd)
base=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
tag=${version:-$base}
dir=$out/deb-$tag
rm -rf --one-file-system "$dir"
mkdir -p "$dir/pam-jail"

# What to package (VM_DEB_SOURCE):
#   head      (default) the committed tree, HEAD (or the commit VM_DEB_REV
#             names, e.g. to find which commit broke something on the
#             guest): one consistent snapshot even while others edit files
#             in a shared work tree
#   worktree  the tracked files as they are on disk (your uncommitted edits)
#   untracked the same plus untracked, not ignored files
case ${VM_DEB_SOURCE:-head} in
head)
	rev=$(git -C "$src" rev-parse --short --verify "${VM_DEB_REV:-HEAD}^{commit}")
	git -C "$src" archive --format=tar "$rev" | tar -xf - -C "$dir/pam-jail"
	echo "build-deb.sh: packaging commit $rev" >&2
	;;
worktree | untracked)
	others=
	[ "$VM_DEB_SOURCE" = untracked ] && others='--others --exclude-standard'
	# shellcheck disable=SC2086
	(cd "$src" && git ls-files -z --cached $others | grep -z -v '^build' |
		xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -xf - -C "$dir/pam-jail"
	echo "build-deb.sh: packaging the work tree ($VM_DEB_SOURCE)" >&2
	;;
*)
	echo "build-deb.sh: VM_DEB_SOURCE must be head, worktree or untracked" >&2
	exit 2
	;;
esac

if [ -n "$version" ]; then
	cl=$dir/pam-jail/debian/changelog
	{
		printf 'pam-jail (%s) unstable; urgency=medium\n\n  * Rebuild for the VM tier'"'"'s upgrade test.\n\n' "$version"
		# A minute after the entry it follows: lintian wants the dates to grow.
		printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l "$cl" -S Maintainer)" \
			"$(date -u -R -d "@$(($(dpkg-parsechangelog -l "$cl" -S Timestamp) + 60))")"
		cat "$cl"
	} >"$cl.new"
	mv "$cl.new" "$cl"
fi

# In a build root: the copy is bound into it at /build, in a private mount
# namespace (with /proc and /dev), so nothing stays mounted if the build is
# killed; the results land in $dir as they would on the host.
build_in_root() { # root dir
	# shellcheck disable=SC2016
	unshare --mount --propagation private /bin/sh -c '
		set -e
		r=$1 d=$2
		mkdir -p "$r/build"
		mount --bind "$d" "$r/build"
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-}" \
			LANG=C.UTF-8 /bin/sh -c "cd /build/pam-jail && dpkg-buildpackage -us -uc -b"
	' sh "$1" "$2"
}

if [ -n "${VM_BUILD_ROOT:-}" ]; then
	[ -x "$VM_BUILD_ROOT/root/usr/bin/dpkg-buildpackage" ] ||
		{ echo "build-deb.sh: $VM_BUILD_ROOT is no build root (build-root.sh)" >&2; exit 1; }
	echo "build-deb.sh: building in $VM_BUILD_ROOT ($(cat "$VM_BUILD_ROOT/root/etc/debian_version"))" >&2
	build_in_root "$VM_BUILD_ROOT/root" "$dir" >"$dir/build.log" 2>&1
else
	(cd "$dir/pam-jail" && dpkg-buildpackage -us -uc -b) >"$dir/build.log" 2>&1
fi || {
	tail -n 40 "$dir/build.log" >&2
	echo "build-deb.sh: dpkg-buildpackage failed (log: $dir/build.log)" >&2
	exit 1
}

changes=$(ls "$dir"/pam-jail_*_"$(dpkg-architecture -qDEB_HOST_ARCH)".changes)
# Errors fail the build; warnings are shown so they get fixed, not hidden.
lintian --fail-on error "$changes" >"$dir/lintian.log" 2>&1 || {
	cat "$dir/lintian.log" >&2
	echo "build-deb.sh: lintian reports errors" >&2
	exit 1
}
sed 's/^/build-deb.sh: lintian: /' "$dir/lintian.log" >&2
ls "$dir"/pam-jail_"${tag#*:}"_*.deb
