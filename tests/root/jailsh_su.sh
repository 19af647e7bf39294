#!/bin/bash
# jailsh behind a real PAM session: util-linux `su - USER` with pam_jail.so
# in its session stack and jailsh as the user's login shell. /etc/pam.d is
# replaced by a test directory in a private mount namespace only, so the
# host's PAM configuration is never touched.
#   - the login lands in the jail, as the user, in the seeded tmpfs home;
#   - `-c` commands run and their exit status comes back;
#   - the home is seeded once per jail: a concurrent session finds the
#     first one's changes; a new jail starts from the skeleton again;
#   - persistent directories (home.persist) keep their content across jails;
#   - the same su without pam_jail in the stack: jailsh refuses.
. "$TESTS/lib.sh"
need_cmd su
. "$TESTS/root/jail_env.bash"
je_setup "$@"

# jailsh and the skeleton where both the host (su execs the shell there,
# before the jail) and the jail see them: a tmpfs on /srv in this namespace.
mount -t tmpfs -o mode=0755 pj-srv /srv || fail "tmpfs on /srv"
install -m 0755 "$BUILD/jailsh" /srv/jailsh || fail "install jailsh"
install -d -m 0755 /srv/skel /srv/skel/sub
printf 'from the skeleton\n' >/srv/skel/skelfile
printf 'nested\n' >/srv/skel/sub/nested
chmod -R a+rX /srv/skel
usermod -s /srv/jailsh "$je_user" || fail "usermod -s"
# The user's real home (persistent dirs live there), in this namespace only.
mount -t tmpfs -o mode=0755 pj-home /home || fail "tmpfs on /home"
install -d -m 0755 -o "$je_user" "/home/$je_user" "/home/$je_user/keep"

je_policy "version = 1;
profiles = { t = {
    namespaces = [\"mount\", \"pid\", \"net\", \"ipc\", \"uts\"];
    hostname = \"jail-%u\";
    root = { type = \"host\"; hide = [\"/home\", \"/root\", \"/run\", \"/work\"]; };
    home = { mode = \"tmpfs\"; size = \"8M\"; skeleton = \"/srv/skel\"; persist = [\"keep\"]; };
    tmp = { size = \"16M\"; };
}; };
rules = ( { group = \"$je_group\"; profile = \"t\"; } );"

# su's PAM services (su; su-l for `su -`), in a directory bound over /etc/pam.d.
pamd=$je/pamd
mkdir -m 0755 "$pamd"
stack="auth sufficient pam_rootok.so
auth required pam_deny.so
account required pam_permit.so
session required $BUILD/pam_jail.so config=$je/etc/jail.conf init=$BUILD/jail-init statedir=$je/state"
for s in su su-l; do printf '%s\n' "$stack" >"$pamd/$s"; done
printf 'auth required pam_deny.so\naccount required pam_deny.so\nsession required pam_deny.so\n' >"$pamd/other"
mount --bind "$pamd" /etc/pam.d || fail "bind the test pam.d"

jsu() { su - "$je_user" -c "$1" </dev/null; }

# ---- lands in the jail -------------------------------------------------------
out=$(jsu 'echo "user=$(id -un) host=$(hostname) home=$HOME pwd=$PWD shell=$SHELL"
grep -c "^id=" /run/pam_jail/jail; stat -f -c %T .; cat skelfile sub/nested; echo "argv0=$0"') ||
    fail "su: $out"
assert_contains "$out" "user=$je_user host=jail-$je_user home=/home/$je_user pwd=/home/$je_user shell=/bin/bash" "in the jail"
assert_contains "$out" "$(printf '1\ntmpfs\nfrom the skeleton\nnested\nargv0=-bash')" "marker, tmpfs home, seeded"
ok "su - lands in the jail: marker, tmpfs home seeded, login shell"

jsu 'exit 9'
assert_eq 9 $? "exit status through su and jailsh"
out=$(jsu 'printf "%s|" a "b c"')
assert_eq "a|b c|" "$out" "-c with quoting"
ok "-c commands run and return their status"

# ---- seeded once per jail --------------------------------------------------------
# Session 1 changes the home and stays; session 2 (same jail) sees that.
jsu 'rm skelfile; echo s1 >s1mark; echo kept >keep/data; while [ ! -e done ]; do sleep 0.1; done' &
s1=$!
for _ in $(seq 100); do jsu 'test -e s1mark' && break; sleep 0.1; done
out=$(jsu 'ls -A | sort | tr "\n" " "; touch done')
assert_contains "$out" "s1mark" "second session sees the first one's file"
assert_not_contains "$out" "skelfile" "second session: no re-seeding"
wait "$s1" || fail "session 1"
ok "a concurrent session finds the home as the first left it"

# The jail ends with its last session; the next jail starts from the skeleton.
for k in $(je_jails); do je_track "$k"; done
je_wait_gone 15 || fail "the jail did not end"
out=$(jsu 'ls -A | sort | tr "\n" " "; cat keep/data 2>/dev/null; mountpoint -q keep && echo keep-mounted')
assert_contains "$out" "skelfile" "new jail: seeded again"
assert_not_contains "$out" "s1mark" "new jail: the old tmpfs home is gone"
ok "a new jail gets a fresh home from the skeleton"
# home.persist: keep/ is the real home's, bound in; the rest was the tmpfs.
assert_contains "$out" "kept" "persistent dir keeps its content across jails"
assert_contains "$out" "keep-mounted" "the persistent dir is a mount in the tmpfs home"
assert_eq kept "$(cat "/home/$je_user/keep/data")" "persistent data is in the real home"
[ ! -e "/home/$je_user/s1mark" ] || fail "a non-persistent file reached the real home"
ok "persistent directory kept across jails, in the real home"

# ---- without pam_jail in the stack: refused -------------------------------------
for s in su su-l; do
    printf 'auth sufficient pam_rootok.so\naccount required pam_permit.so\nsession required pam_permit.so\n' >"$pamd/$s"
done
out=$(su - "$je_user" -c 'echo RAN' 2>&1 </dev/null)
rc=$?
assert_eq 1 "$rc" "exit status without pam_jail"
assert_contains "$out" "jailsh: refusing to run: no jail marker" "message without pam_jail"
assert_not_contains "$out" RAN "command ran without pam_jail"
ok "a login path without pam_jail: jailsh refuses"
