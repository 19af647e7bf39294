#!/bin/bash
# Build (or find in the cache) a guest image the VM tier boots: Debian 12
# (bookworm, the default) or Debian 13 (trixie).
#
#   tests/vm/image.sh CACHE_DIR [SUITE]   prints the image directory on stdout
#
# The image directory holds disk.img (raw ext4, the whole root file system),
# vmlinuz and initrd.img (booted directly with -kernel/-initrd), id_ed25519
# (the harness's root key) and known_hosts (the guest's host key under the
# alias "pjvm"). It is named after a hash of the recipe below, so editing
# the recipe builds a new image and a stale one is never booted. The build
# happens in a temporary directory that is renamed into place only when
# complete; an interrupted build leaves nothing the next run would mistake
# for an image.
set -euo pipefail

cache=${1:?usage: image.sh CACHE_DIR [bookworm|trixie]}
suite=${2:-bookworm}
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

# >>> recipe: what is between these two markers decides the image's content;
# its hash is the cache key. Everything outside them is plumbing.
#
# debootstrap skips Recommends, so libpam-systemd and dbus must be named or
# there are no logind sessions; the guest has no route to a mirror (user-mode
# net is restricted), so everything the pam-jail package Depends on must
# already be in the image.
packages=systemd-sysv,openssh-server,linux-image-amd64,iproute2,udev,libpam-systemd,dbus
packages=$packages,libpam-runtime,libcap2,libmnl0,libxau6,libseccomp2
# The one runtime library whose package name differs between the releases
# (a new soname in trixie).
case $suite in
bookworm) packages=$packages,libconfig9 ;;
trixie) packages=$packages,libconfig11 ;;
*) echo "image.sh: no recipe for suite '$suite' (bookworm, trixie)" >&2; exit 2 ;;
esac
packages=$packages,procps,openssh-sftp-server,xauth
# What the end-to-end suite (checks/70-e2e.sh) runs in the guest, as client
# and inside the jails: its helpers are python3, the transfer, interactive
# and X11 tests need rsync, tmux, Xvfb and xdpyinfo.
packages=$packages,python3,rsync,tmux,xvfb,x11-utils
image_size=3G

configure_guest() { # root work
	local root=$1 work=$2 unit
	echo pjvm >"$root/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tpjvm\n' >"$root/etc/hosts"
	printf '/dev/vda\t/\text4\trw,errors=remount-ro\t0\t1\n' >"$root/etc/fstab"

	# qemu's user-mode network: the guest is 10.0.2.15, the gateway
	# 10.0.2.2. Static, so boot does not wait for DHCP.
	cat >"$root/etc/systemd/network/10-eth0.network" <<'NET'
[Match]
Name=eth0

[Network]
Address=10.0.2.15/24
Gateway=10.0.2.2
LinkLocalAddressing=no
IPv6AcceptRA=no
NET

	# Root logs in with the harness's key only (Debian's default
	# PermitRootLogin prohibit-password); no password anywhere.
	ssh-keygen -q -t ed25519 -N '' -C pjvm-harness -f "$work/id_ed25519"
	install -d -m 0700 "$root/root/.ssh"
	install -m 0600 "$work/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
	chroot "$root" passwd -l root >/dev/null
	printf 'pjvm %s\n' "$(cut -d' ' -f1,2 "$root/etc/ssh/ssh_host_ed25519_key.pub")" >"$work/known_hosts"
	# No DNS in the guest: a reverse lookup of the client would only time out.
	echo 'UseDNS no' >"$root/etc/ssh/sshd_config.d/pjvm.conf"

	# Units that only slow an emulated boot down or would wait for a
	# network that is not there.
	# Fails loudly: without it the guest boots with no network and the
	# harness would only see an ssh timeout.
	chroot "$root" systemctl enable systemd-networkd.service >/dev/null
	for unit in systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
		e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer; do
		chroot "$root" systemctl mask "$unit" >/dev/null 2>&1 || true
	done
	rm -rf "$root"/var/cache/apt/archives/*.deb
}
# <<< recipe

# The first Debian URI configured on this host, unless VM_MIRROR says otherwise.
mirror=${VM_MIRROR:-$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
mirror=${mirror:-http://deb.debian.org/debian}

# The suite is part of the directory name, so one key serves both guests.
key=$(sed -n '/^# >>> recipe/,/^# <<< recipe/p' "$self" | sha256sum | cut -c1-16)
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
final=$cache/$suite-$key
if [ -f "$final/complete" ]; then
	echo "$final"
	exit 0
fi

for tool in debootstrap mkfs.ext4 ssh-keygen unshare; do
	command -v "$tool" >/dev/null || { echo "image.sh: needs $tool (make deps)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "image.sh: debootstrap needs root" >&2; exit 1; }

# A build killed outright (SIGKILL, power loss) leaves its temporary
# directory; one untouched for an hour is not a build still running.
find "$cache" -maxdepth 1 -name '.build-*' -mmin +60 -exec rm -rf --one-file-system {} +
work=$(mktemp -d "$cache/.build-$key.XXXXXX")
cleanup() {
	# debootstrap ran in its own mount namespace, so no mount of it can be
	# left under $work; --one-file-system guards against one anyway.
	if [ -n "${work:-}" ]; then
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

root=$work/root
start=$SECONDS
echo "image.sh: debootstrap $suite from $mirror" >&2
# A private mount namespace: the /proc and /sys debootstrap mounts into the
# target vanish with it even if debootstrap is killed half-way.
unshare --mount --propagation private \
	debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" \
	>"$work/debootstrap.log" 2>&1 || {
	tail -n 30 "$work/debootstrap.log" >&2
	echo "image.sh: debootstrap failed" >&2
	exit 1
}
echo "image.sh: debootstrap took $((SECONDS - start)) s" >&2

configure_guest "$root" "$work"

# The kernel and initramfs are booted directly (-kernel/-initrd): no boot loader.
cp "$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n 1)" "$work/vmlinuz"
cp "$(ls "$root"/boot/initrd.img-* | sort -V | tail -n 1)" "$work/initrd.img"

# stdout is the image path for the caller; mkfs talks on it.
mkfs.ext4 -q -L pjvm-root -d "$root" "$work/disk.img" "$image_size" >&2
rm -rf --one-file-system "$root"
rm -f "$work/id_ed25519.pub"
echo "$((SECONDS - start))" >"$work/build-seconds"
touch "$work/complete"

# Publish atomically; a concurrent build of the same key that won the race
# is just as good.
if ! mv -T "$work" "$final" 2>/dev/null; then
	[ -f "$final/complete" ] || { echo "image.sh: cannot publish $final" >&2; exit 1; }
else
	work=
fi
# This suite's images of older recipes are dead weight (3 GB sparse each);
# the other suites' images are not.
for old in "$cache/$suite"-*; do
	[ "$old" = "$final" ] || rm -rf --one-file-system "$old"
done
echo "image.sh: image built in $((SECONDS - start)) s" >&2
echo "$final"
