#!/bin/sh
# Install the Debian packages pam_jail needs to build and to run every test
# tier. Idempotent; run as root (make deps, .ci/run).
set -eu

packages="
  build-essential pkg-config clang
  libpam0g-dev libconfig-dev libcap-dev libcmocka-dev libseccomp-dev libmnl-dev libxau-dev
  pamtester libpam-wrapper libpamtest0-dev libnss-wrapper
  openssh-server openssh-client rsync python3
  xvfb x11-utils xauth
  iproute2 procps util-linux passwd tmux valgrind
  qemu-system-x86 debootstrap e2fsprogs dpkg-dev debhelper lintian
"

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: run as root (apt-get needs it)" >&2
    exit 1
fi

missing=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
# --no-install-recommends: we name everything we need; recommends would pull
# in daemons (and openssh-server's would start nothing here anyway).
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing
