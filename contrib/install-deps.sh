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
  tmux valgrind libcap2-bin
  qemu-system-x86 debootstrap e2fsprogs dpkg-dev debhelper lintian
"
case ${1:-} in
--demo) packages=$demo_packages demo=1 ;;
"") demo=0 ;;
*) echo "usage: install-deps.sh [--demo]" >&2; exit 2 ;;
esac
# The ldap test tier (tests/ldap): a directory server and NSS through nslcd.
# Installed apart from the rest, see install_directory_packages below.
ldap_packages="slapd ldap-utils nslcd libnss-ldapd"

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
[ "$demo" = 1 ] || for p in $ldap_packages; do
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
# - slapd and nslcd must not run: the tier starts its own nslcd on the one
#   socket libnss-ldapd knows (and skips if another answers there). A
#   policy-rc.d refuses the starts during the install (unless the host has
#   one already), and the services this run installed are disabled.
# - No recommends: nslcd's would bring libpam-ldapd, which edits the PAM
#   stacks, and nscd, which would cache what the tests change.
install_directory_packages() {
    nss_backup=$(mktemp /etc/nsswitch.conf.install-deps.XXXXXX)
    cp -p /etc/nsswitch.conf "$nss_backup"
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
    for svc in slapd nslcd; do
        case " $ldap_missing " in *" $svc "*) ;; *) continue ;; esac
        if [ -d /run/systemd/system ]; then
            systemctl disable --now "$svc" >/dev/null 2>&1 || true
        else
            update-rc.d "$svc" disable >/dev/null 2>&1 || true
        fi
    done
    if ! cmp -s "$nss_backup" /etc/nsswitch.conf; then
        echo "install-deps: installing$ldap_missing changed /etc/nsswitch.conf; put back:" >&2
        diff "$nss_backup" /etc/nsswitch.conf >&2 || true
        mv -f "$nss_backup" /etc/nsswitch.conf
        exit 1
    fi
    rm -f "$nss_backup"
    return $rc
}
if [ -n "$ldap_missing" ]; then
    install_directory_packages
fi
