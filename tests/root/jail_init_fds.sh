#!/bin/bash
# jail-init's fds 0, 1 and 2 when the PAM caller had them closed: the
# launcher (lib/jail_launch.c) opens /dev/null close-on-exec, and where
# that lands on the closed number itself, dup2() onto itself kept the
# close-on-exec flag: jail-init started with that fd closed, so the next
# file it opened became its stdin. The keeper (host side) must have
# /dev/null on 0..2. (The jail's PID 1 closes every host fd, 0..2
# included, by design: init/jail_pid1.c.)
# Whether the bug shows here depends on which fds the caller has free at
# launch: today the module's state directory fd takes a closed fd 0 first,
# so this end-to-end check also passes without the fix;
# tests/unit/test_stdfds.c drives the launcher's helper directly and
# fails without it. This one guards the whole path against regressions.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
je_default_policy
# Where /dev/null lands in the launcher depends on which fds the caller
# has free then, and so on how many components the path to jail-init has
# (lib/safepath.c walks it one fd per component): run from two depths.
mkdir -p "$je/i1/i2" && chmod 0755 "$je/i1" "$je/i1/i2" || fail "mkdir"
install -m 0755 "$BUILD/jail-init" "$je/i1/jail-init" || fail "install"
install -m 0755 "$BUILD/jail-init" "$je/i1/i2/jail-init" || fail "install"
service_with_init() { # path of jail-init
    echo "session required $BUILD/pam_jail.so config=$je/etc/jail.conf" \
        "init=$1 statedir=$je/state" >"$je/pam/$je_svc"
}

# The session reports and waits on fifos it can see in the jail (/var/lib
# is not hidden by the test profile): its stdin and stdout may be closed.
hold_dir=$(mktemp -d -p /var/lib pjfds.XXXXXX) || fail "mktemp"
on_exit rm -rf "$hold_dir"
chmod 0755 "$hold_dir"
mkfifo -m 0666 "$hold_dir/hold" "$hold_dir/ready" || fail "mkfifo"
exec 8<>"$hold_dir/ready" # O_RDWR: never blocks, and read -t can time out
on_exit "exec 8>&-"

check_std_fds() { # what closed
    local what=$1 drv key keeper fd target line
    : >"$je/out"
    : >"$je/err"
    (
        exec >"$je/out" 2>"$je/err"
        eval "exec $2" # the closing redirections
        je_session -U "$je_user" -- sh -c 'echo READY >"$1"; read -r _ <"$2"' sh \
            "$hold_dir/ready" "$hold_dir/hold"
    ) &
    drv=$!
    read -r -t 20 -u 8 line && [ "$line" = READY ] ||
        { cat "$je/out" "$je/err"; fail "the session did not come up ($what)"; }
    key=$(je_jails)
    je_track "$key"
    keeper=$(je_info "$key" keeper)
    [ -n "$keeper" ] || fail "no keeper in the registry"
    for fd in 0 1 2; do
        target=$(readlink "/proc/$keeper/fd/$fd") || target="(closed)"
        assert_eq /dev/null "$target" "caller's $what closed: fd $fd of the keeper"
    done
    echo >"$hold_dir/hold"
    wait "$drv" || fail "session ended with $?: $(cat "$je/err")"
    je_wait_gone 10 || fail "jail did not end"
    ok "caller with $what closed: the keeper has /dev/null on 0, 1, 2"
}

for init in "$je/i1/jail-init" "$je/i1/i2/jail-init"; do
    service_with_init "$init"
    check_std_fds "fd 0" "0<&-"
    check_std_fds "fds 0 and 2" "0<&- 2>&-"
    check_std_fds "fds 0, 1 and 2" "0<&- 1>&- 2>&-"
    check_std_fds "nothing" ""
done
