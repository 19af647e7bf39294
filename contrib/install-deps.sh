#!/bin/sh
# Install the Debian packages pam_jail needs to build and to run every test
# tier. Idempotent; run as root (make deps, .ci/run).
#   contrib/install-deps.sh          everything: build, every test tier, the VM tier
#   contrib/install-deps.sh --demo   only what make demo needs: build the
#                                    programs and log in once through a private sshd
set -eu

# What building the programs and the demo's one jailed ssh login need.
demo_packages="
  build-essential pkg-config
  libpam0g-dev libconfig-dev libcap-dev libseccomp-dev libmnl-dev libsystemd-dev
  openssh-server openssh-client python3
  iproute2 procps util-linux passwd
"
packages="
  $demo_packages
  clang libcmocka-dev libxau-dev
  pamtester libpam-wrapper libpamtest0-dev libnss-wrapper
  rsync
  xvfb x11-utils xauth
  tmux valgrind libcap2-bin strace
  qemu-system-x86 debootstrap e2fsprogs dpkg-dev debhelper lintian
  jupyterhub python3-notebook node-configurable-http-proxy chromium
  ansible-core
"
case ${1:-} in
--demo) packages=$demo_packages demo=1 ;;
"") demo=0 ;;
*) echo "usage: install-deps.sh [--demo]" >&2; exit 2 ;;
esac
# The ldap test tier (tests/ldap): a directory server and NSS through nslcd,
# and through SSSD (sssd-common is the daemon, sssd-ldap its LDAP provider;
# not the "sssd" metapackage, which adds the AD, IPA, Kerberos and proxy
# providers and Samba's libraries).
# Installed apart from the rest, see install_directory_packages below.
ldap_packages="slapd ldap-utils nslcd libnss-ldapd sssd-common sssd-ldap libnss-sss"
# The metrics test (tests/root/metrics_node_exporter.sh) runs a node exporter
# of its own on a port of its own; the package's service must not start.
# Installed like the directory packages (no daemon starts, the service the
# install brought is disabled).
exporter_packages="prometheus-node-exporter"
# The PAM profiles that sssd-common's dependencies (libpam-sss,
# libpam-pwquality) enable in their postinst, and the files they change.
pam_profiles_added="sss pwquality"
pam_common_files="/etc/pam.d/common-auth /etc/pam.d/common-account /etc/pam.d/common-password
  /etc/pam.d/common-session /etc/pam.d/common-session-noninteractive"

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: run as root (apt-get needs it)" >&2
    exit 1
fi

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=
for p in $packages; do
    is_installed "$p" || missing="$missing $p"
done
ldap_missing=
[ "$demo" = 1 ] || for p in $ldap_packages $exporter_packages; do
    is_installed "$p" || ldap_missing="$ldap_missing $p"
done
if [ -z "$missing" ] && [ -z "$ldap_missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
if [ -n "$missing" ]; then
    # --no-install-recommends: we name everything we need; recommends would
    # pull in daemons (and openssh-server's would start nothing here anyway).
    # shellcheck disable=SC2086
    apt-get install -y --no-install-recommends $missing
fi

# The directory packages are there for the tests only, and must change
# nothing about how this host resolves users:
# - libnss-ldapd's postinst adds "ldap" to the maps the debconf question
#   libnss-ldapd/nsswitch lists (and takes it out of the others): answered
#   with no maps, it leaves /etc/nsswitch.conf alone. On a host that uses
#   LDAP already, the package's config script answers with the maps that
#   use it now, so they stay. The file is compared byte for byte anyway.
# - slapd/no_configuration: no default database or cn=config is made; the
#   tier runs its own slapd with its own config.
# - libnss-sss's postinst (dh_installnss) appends "sss" to passwd, group,
#   shadow, netgroup, services and automount on a first install, with no
#   question to answer: the file is put back from the copy taken before,
#   byte for byte (content, mode, owner, times).
# - slapd, nslcd and sssd must not run: the tier starts its own nslcd on
#   the one socket libnss-ldapd knows and its own sssd (and skips if another
#   answers there). A policy-rc.d refuses the starts during the install
#   (unless the host has one already), and the services and sockets this
#   run installed are disabled.
# - sssd-common depends on libpam-sss and libpam-pwquality, whose postinst
#   run pam-auth-update, which turns their profiles on in the common-*
#   PAM files: they are turned off again the way an administrator would
#   (pam-auth-update --disable, which records the choice: --remove does
#   not mark them seen, so the next pam-auth-update run, e.g. a package's
#   postinst, would turn them on again as new profiles), and the files are
#   compared with the copies taken before.
# - No recommends: nslcd's would bring libpam-ldapd, which edits the PAM
#   stacks, and nscd, which would cache what the tests change.
restore_if_changed() { # backup file what
    if ! cmp -s "$1" "$2"; then
        echo "install-deps: $3 changed $2; putting it back:" >&2
        diff "$1" "$2" >&2 || true
        cp -p "$1" "$2.install-deps-restore" && mv -f "$2.install-deps-restore" "$2"
        cmp -s "$1" "$2" || { echo "install-deps: could not restore $2" >&2; exit 1; }
    else
        touch -r "$1" "$2" # rewritten with the same bytes: keep its times too
    fi
    rm -f "$1"
}
install_directory_packages() {
    nss_backup=$(mktemp /etc/nsswitch.conf.install-deps.XXXXXX)
    cp -p /etc/nsswitch.conf "$nss_backup"
    pam_backup=$(mktemp -d /etc/pam.d.install-deps.XXXXXX)
    for f in $pam_common_files; do
        [ ! -e "$f" ] || cp -p "$f" "$pam_backup/"
    done
    pam_new=
    for prof in $pam_profiles_added; do
        [ -e "/usr/share/pam-configs/$prof" ] || pam_new="$pam_new $prof"
    done
    policy=
    trap '[ -z "$policy" ] || rm -f "$policy"' EXIT
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\n# contrib/install-deps.sh: no daemon starts while it runs\nexit 101\n' >"$policy"
        chmod 0755 "$policy"
    fi
    printf '%s\n' 'slapd slapd/no_configuration boolean true' \
        'libnss-ldapd libnss-ldapd/nsswitch multiselect' | debconf-set-selections
    rc=0
    # shellcheck disable=SC2086
    apt-get install -y --no-install-recommends $ldap_missing || rc=$?
    [ -z "$policy" ] || rm -f "$policy"
    policy=
    for svc in slapd nslcd sssd-common prometheus-node-exporter; do
        case " $ldap_missing " in *" $svc "*) ;; *) continue ;; esac
        units=$svc.service
        # sssd-common enables sssd.service and a socket unit per responder
        [ "$svc" != sssd-common ] ||
            units=$(dpkg-query -L sssd-common | grep -E '^/lib/systemd/system/sssd[^/]*\.(service|socket)$' |
                sed 's,.*/,,')
        # shellcheck disable=SC2086
        if [ -d /run/systemd/system ]; then
            systemctl disable --now $units >/dev/null 2>&1 || true
        else
            # No systemd running: its links are still made, for a later boot.
            ! command -v systemctl >/dev/null ||
                systemctl --root=/ disable $units >/dev/null 2>&1 || true
            name=${svc%-common}
            [ ! -e "/etc/init.d/$name" ] || update-rc.d "$name" disable >/dev/null 2>&1 || true
        fi
    done
    # Only the profiles this run brought: one the host had is its own choice.
    # shellcheck disable=SC2086
    [ -z "$pam_new" ] || ! command -v pam-auth-update >/dev/null ||
        pam-auth-update --disable $pam_new || rc=$?
    for f in $pam_common_files; do
        [ ! -e "$pam_backup/${f##*/}" ] ||
            restore_if_changed "$pam_backup/${f##*/}" "$f" "installing$ldap_missing"
    done
    rmdir "$pam_backup"
    restore_if_changed "$nss_backup" /etc/nsswitch.conf "installing$ldap_missing"
    return $rc
}
if [ -n "$ldap_missing" ]; then
    install_directory_packages
fi
