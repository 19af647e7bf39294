#!/bin/bash
# The Ansible role (contrib/ansible/) for real, against this host seen
# through an overlay: / as the lower layer, a tmpfs as the upper, in a
# private mount namespace, entered with chroot and driven with
# `ansible-playbook -c local`. Everything the role does (apt-get installs
# the .deb, the policy files, pam-auth-update) lands in the tmpfs; the host
# is never changed. Checked: syntax; a --check run changes nothing; a bad
# policy fails the play and leaves the host as it was (the package the run
# installed is purged again); a good one installs the package, writes
# jail.conf and a drop-in, puts pam_jail last in common-session; a second
# run reports no change; a bad policy over the good one changes nothing;
# disabling takes pam_jail out of common-session and keeps the policy, and
# is itself idempotent. (A jailed login through the role's result needs a
# whole host: a VM-tier check.)
. "$TESTS/lib.sh"
need_root
need_cmd ansible-playbook
need_cmd unshare
need_cmd dpkg-buildpackage
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
grep -qw overlay /proc/filesystems || skip "no overlayfs"
[ -x /usr/bin/python3 ] || skip "needs Debian's /usr/bin/python3"

if [ "${AR_INNER:-}" != 1 ]; then
    AR_INNER=1 exec unshare -m --propagation private bash "$0" "$@"
fi
role_dir=$SRC/contrib/ansible
t=$(mktemp -d /tmp/pj-ansible.XXXXXX) || fail "mktemp"
on_exit rmdir "$t"
mount -t tmpfs -o mode=0700 pj-ansible "$t" || fail "tmpfs"
on_exit umount -l "$t"

# ---- the .deb: JAIL_TEST_DEB, or built from this tree ----
deb=${JAIL_TEST_DEB:-}
if [ -z "$deb" ]; then
    mkdir "$t/deb" "$t/deb/pam-jail"
    tar -C "$SRC" --exclude='./build' --exclude='./build-*' --exclude='./.git' -cf - . |
        tar -C "$t/deb/pam-jail" -xf - || fail "copying the tree"
    (cd "$t/deb/pam-jail" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) \
        >"$t/deb/build.log" 2>&1 || { tail -n 30 "$t/deb/build.log"; fail "dpkg-buildpackage"; }
    deb=$(ls "$t"/deb/pam-jail_*.deb | head -n 1)
fi
[ -f "$deb" ] || fail "no .deb: '$deb'"
ok "package: $(basename "$deb")"
mkdir "$t/files"
cp "$deb" "$t/files/" && deb=$t/files/$(basename "$deb")

# ---- a fresh overlay of / for each scenario ----
sandbox() { # make $m, a new overlay of /, with its own /proc /sys /dev /run /tmp
    local n=$1
    mkdir -p "$t/$n/upper" "$t/$n/work" "$t/$n/m"
    m=$t/$n/m
    up=$t/$n/upper
    mount -t overlay "pj-ansible-$n" -o "lowerdir=/,upperdir=$up,workdir=$t/$n/work" "$m" ||
        fail "overlay"
    on_exit umount -l "$m"
    for d in proc sys dev; do mount --rbind "/$d" "$m/$d" || fail "bind /$d"; done
    mount -t tmpfs pj-run "$m/run" && mount -t tmpfs pj-tmp "$m/tmp" || fail "tmpfs /run, /tmp"
    # the role and the .deb, where the play finds them
    mkdir -p "$m/srv/pj-ansible"
    mount --bind "$role_dir" "$m/srv/pj-ansible" || fail "bind the role"
    mkdir -p "$m/srv/pj-files"
    mount --bind "$t/files" "$m/srv/pj-files" || fail "bind the .deb"
}

# A play with the role; extra vars from a YAML file written by the caller.
play() { # vars-file [ansible-playbook args...]
    local vars=$1; shift
    cat >"$m/srv/play.yml" <<'YML'
- hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - pam_jail
YML
    cp "$vars" "$m/srv/vars.yml"
    chroot "$m" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        ANSIBLE_ROLES_PATH=/srv/pj-ansible/roles ANSIBLE_NOCOLOR=1 ANSIBLE_LOCAL_TEMP=/tmp/ansible \
        ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PIPELINING=1 \
        ansible-playbook -i localhost, -e ansible_python_interpreter=/usr/bin/python3 \
        -e @/srv/vars.yml "$@" /srv/play.yml
}
recap() { # log -> "changed=N failed=N"
    sed -n 's/^localhost *: .*\(changed=[0-9]*\).*\(failed=[0-9]*\).*/\1 \2/p' "$1"
}
installed() { chroot "$m" dpkg-query -W -f='${db:Status-Abbrev}' pam-jail 2>/dev/null; }

good=$t/good.yml
cat >"$good" <<EOF
pam_jail_deb: /srv/pj-files/$(basename "$deb")
pam_jail_conf: |
  version = 1;
  settings = { unmatched = "allow"; };
pam_jail_dropins:
  students: |
    version = 1;
    profiles = { students = { hostname = "lab-%u"; limits = { pids = 100; }; }; };
    rules = ( { group = "pj-ansible-students"; profile = "students"; } );
EOF
bad=$t/bad.yml
sed 's/pids = 100;/pids = "lots";/' "$good" >"$bad"
off=$t/off.yml
{ cat "$good"; echo "pam_jail_enabled: false"; } >"$off"

# ---- syntax ----
sandbox s
play "$good" --syntax-check >"$t/syntax.log" 2>&1 || { cat "$t/syntax.log"; fail "--syntax-check"; }
ok "ansible-playbook --syntax-check"

# ---- --check: says what it would do, does nothing ----
play "$good" --check >"$t/check.log" 2>&1 || { cat "$t/check.log"; fail "the --check run failed"; }
r=$(recap "$t/check.log")
assert_contains "$r" "failed=0" "--check run"
assert_not_contains "$r" "changed=0 " "--check run: changes it would make"
[ -z "$(installed)" ] || fail "--check installed the package"
for p in etc/security/jail.conf etc/security/jail.d var/lib/pam-jail-ansible etc/pam.d/common-session; do
    [ ! -e "$up/$p" ] || fail "--check wrote /$p"
done
ok "--check: $r, nothing written"

# ---- a bad policy on a host without pam_jail: fails, changes nothing ----
# Installing and purging the package runs `pam-auth-update --package`, which
# also turns on any profile the host has but never recorded a choice for (on
# a test host whose install-deps removed sss's that way, pam_sss comes back):
# compared with what that run alone makes of common-session, in the sandbox.
DEBIAN_FRONTEND=noninteractive chroot "$m" pam-auth-update --package || fail "pam-auth-update --package"
cp "$m/etc/pam.d/common-session" "$t/common-session.before"
play "$bad" >"$t/bad1.log" 2>&1 && { cat "$t/bad1.log"; fail "a bad policy did not fail the play"; }
assert_contains "$(cat "$t/bad1.log")" "is not valid; nothing was changed" "the failure's message"
assert_contains "$(cat "$t/bad1.log")" "pids" "the failure names the problem"
case $(installed) in ii*) fail "the package stayed installed after a failed play" ;; esac
[ ! -e "$m/etc/security/jail.conf" ] || fail "jail.conf written by a failed play"
diff "$t/common-session.before" "$m/etc/pam.d/common-session" ||
    fail "common-session changed by a failed play"
ok "a bad policy on a fresh host: the play fails, the package is gone again, no policy, PAM as it was"

# ---- a good policy: installed, written, enabled ----
sandbox g
play "$good" >"$t/good1.log" 2>&1 || { cat "$t/good1.log"; fail "the play failed"; }
r=$(recap "$t/good1.log")
assert_contains "$r" "failed=0" "first run"
assert_eq ii "$(installed | tr -d ' ')" "package state"
assert_eq "$(printf 'version = 1;\nsettings = { unmatched = "allow"; };')" \
    "$(cat "$m/etc/security/jail.conf")" "jail.conf"
grep -q 'group = "pj-ansible-students"' "$m/etc/security/jail.d/students.conf" ||
    fail "the drop-in"
assert_eq "0 644" "$(stat -c '%u %a' "$m/etc/security/jail.d/students.conf")" "the drop-in's owner and mode"
last=$(grep -E '^[[:space:]]*session' "$m/etc/pam.d/common-session" | tail -n 1 | tr -s ' \t' ' ')
assert_eq "session required pam_jail.so" "${last% }" "common-session's last line"
chroot "$m" jailctl check >/dev/null || fail "jailctl check on what the role installed"
ok "a good policy: $r; package, jail.conf, jail.d/students.conf, pam_jail last in common-session"

play "$good" >"$t/good2.log" 2>&1 || { cat "$t/good2.log"; fail "the second run failed"; }
assert_eq "changed=0 failed=0" "$(recap "$t/good2.log")" "second run"
ok "a second run changes nothing"

# ---- a bad policy over the good one: fails, changes nothing ----
policy_sums() { (cd "$m" && sha256sum etc/security/jail.conf etc/security/jail.d/* etc/pam.d/common-session); }
sum_before=$(policy_sums)
play "$bad" >"$t/bad2.log" 2>&1 && { cat "$t/bad2.log"; fail "a bad policy did not fail the play"; }
assert_eq "$sum_before" "$(policy_sums)" "the policy and PAM after a failed play"
assert_eq ii "$(installed | tr -d ' ')" "the package stays (it was there before)"
ok "a bad policy over a good one: the play fails, nothing changed"

# ---- an unmanaged drop-in is checked with the rest ----
printf 'version = 1;\nprofiles = { x = { tmp = { size = "lots"; }; }; };\n' >"$m/etc/security/jail.d/zz-local.conf"
play "$good" >"$t/local.log" 2>&1 && { cat "$t/local.log"; fail "a broken unmanaged drop-in passed the check"; }
assert_contains "$(cat "$t/local.log")" "zz-local.conf" "the failure names the unmanaged drop-in"
rm "$m/etc/security/jail.d/zz-local.conf"
ok "a broken drop-in the role does not manage fails the play too"

# ---- disabling: out of common-session, the policy stays; idempotent ----
play "$off" >"$t/off1.log" 2>&1 || { cat "$t/off1.log"; fail "the disabling run failed"; }
assert_contains "$(recap "$t/off1.log")" "failed=0" "disabling run"
grep -q pam_jail "$m/etc/pam.d/common-session" && fail "pam_jail still in common-session"
[ -f "$m/etc/security/jail.d/students.conf" ] || fail "disabling removed the policy"
play "$off" >"$t/off2.log" 2>&1 || { cat "$t/off2.log"; fail "the second disabling run failed"; }
assert_eq "changed=0 failed=0" "$(recap "$t/off2.log")" "second disabling run"
ok "disabled: pam_jail out of common-session, the policy kept, a second run changes nothing"
