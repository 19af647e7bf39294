#!/bin/sh
# The tools make bench compares pam_jail with, and what it draws with:
# installed here on demand rather than by make deps, which the tests use.
# Debian 12 packages all of them (jailkit and libpam-chroot included).
set -eu
packages="pamtester bubblewrap firejail jailkit libpam-chroot libpam-modules
  gnuplot-nox strace openssh-server openssh-client python3 util-linux passwd"
[ "$(id -u)" -eq 0 ] || { echo "bench/deps.sh: run as root" >&2; exit 1; }
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing
