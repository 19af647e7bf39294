# shellcheck shell=bash
# The escape suite: one script per attempt to get out of a jail. Each
# attempt runs twice: once WITHOUT the jail (the control: the attempt must
# work there, or the test proves nothing) and once inside a real jailed PAM
# session (tier-3 harness, tests/root/jail_env.bash), where it must fail.
#
# An attempt is a command that exits 0 when it ESCAPED (did the forbidden
# thing), 1 when it was stopped, anything else on an error of its own; it
# prints what it saw.
#
#   esc_setup "$@" [PROFILE-LINES]  private ns, test user, jail policy
#   esc_control host-user|host-root CMD...   must escape (else skip: the
#                                           host itself blocks the attempt)
#   esc_jailed jail-user|jail-root CMD...    must be stopped (else FAIL,
#                                           naming the attempt)
#   esc_hold jail-user OUTVAR CMD...         a jailed process that stays
#                                           up (for attempts on another jail)
#
# Root inside a jail is tested too: sshd's monitor is root in the jail, so
# what the user could reach through it must be closed as well.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
need_cmd setpriv

PY=/usr/bin/python3 # not whatever python3 is first in root's PATH
ESC_NAME=$(basename "$0" .sh)

esc_setup() { # "$@" of the script, then nothing: the profile is $ESC_PROFILE
    je_setup "$@"
    je_default_policy "${ESC_PROFILE:-}"
    je_service
    # A host directory the user can use, visible read-only in the jail
    # (/var/lib is not hidden by the test profile; /tmp and /var/tmp are the
    # jail's own).
    esc_dir=$(mktemp -d -p /var/lib pjesc.XXXXXX) || fail "mktemp"
    on_exit rm -rf "$esc_dir"
    chmod 0755 "$esc_dir"
    esc_gid=$(id -g "$je_user")
}

# Run CMD as WHO: on the host (setpriv, a clean environment, cwd /) or in a
# jailed session (pj_session; root inside: no -U).
esc_run() { # who cmd...
    local who=$1
    shift
    case $who in
    host-user)
        (cd / && setpriv --reuid="$je_uid" --regid="$esc_gid" --init-groups \
            env -i PATH=/usr/bin:/bin HOME="/home/$je_user" "$@") ;;
    host-root) (cd / && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@") ;;
    jail-user) HOME=/home/$je_user je_session -U "$je_user" -- "$@" ;;
    jail-root) je_session "$je_user" -- "$@" ;;
    *) fail "esc_run: who? $who" ;;
    esac
}

esc_control() { # who cmd...
    local who=$1 out rc
    out=$(esc_run "$@" 2>&1)
    rc=$?
    echo "control ($who, no jail): $out"
    case $rc in
    0) ok "$ESC_NAME: control: the attempt works without the jail ($who)" ;;
    1) skip "$ESC_NAME: the attempt fails even without the jail on this host: $out" ;;
    *) fail "$ESC_NAME: control: the attempt itself broke (exit $rc): $out" ;;
    esac
}

esc_jailed() { # who cmd...
    local who=$1 out rc
    out=$(esc_run "$@" 2>&1)
    rc=$?
    echo "jailed ($who): $out"
    case $rc in
    0) fail "ESCAPED: $ESC_NAME as $who got out of the jail: $out" ;;
    1) ok "$ESC_NAME: stopped in the jail ($who)" ;;
    10) fail "$ESC_NAME: the jailed session did not open: $out" ;;
    *) fail "$ESC_NAME: the attempt broke in the jail (exit $rc): $out" ;;
    esac
}

# A jailed process of the user that stays until the test ends (another
# jail to attack): its host PID in the variable named $1. Its cmdline
# carries $2 so an attempt can recognise it.
esc_hold() { # var tag [extra shell before waiting]
    local var=$1 tag=$2 extra=${3:-} drv child
    mkfifo "$esc_dir/hold-$tag"
    exec 8<>"$esc_dir/hold-$tag"
    HOME=/home/$je_user je_session -p -U "$je_user" -- \
        $PY -c "import sys; exec(sys.argv[2]); print('READY', flush=True); sys.stdin.readline()" \
        "$tag" "$extra" <&8 >"$esc_dir/hold-$tag.out" 2>"$esc_dir/hold-$tag.err" &
    drv=$!
    on_exit "echo >&8; wait $drv; exec 8>&-"
    for _ in $(seq 100); do grep -q READY "$esc_dir/hold-$tag.out" 2>/dev/null && break; sleep 0.1; done
    grep -q READY "$esc_dir/hold-$tag.out" ||
        fail "the held session did not come up: $(cat "$esc_dir/hold-$tag".*)"
    child=$(sed -n 's/^CHILD //p' "$esc_dir/hold-$tag.err")
    [ -n "$child" ] || fail "no pid of the held session"
    printf -v "$var" %s "$child"
}
