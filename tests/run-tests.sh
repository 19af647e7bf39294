#!/bin/bash
# Run the test tiers (DESIGN.md "Tests in four tiers"):
#   unit  cmocka binaries build/tests/test_*           (no root)
#   pam   tests/pam/*.sh: the PAM stack without root (pam_wrapper)
#   root  tests/root/*.sh: real namespaces, mounts, PAM sessions (root)
#   e2e   tests/e2e/*.sh: a real sshd on 127.0.0.1 (root)
#   faults tests/faults/*.sh: the fault-injection sweep (root; only when named:
#         make check-faults)
#   jupyterhub  tests/jupyterhub/*.sh: a real JupyterHub whose servers
#         start in the users' jails through jailctl spawn (root)
# Usage: tests/run-tests.sh [TIER...]   (default: all)
#
# A test passes with exit 0, is skipped with exit 77, fails otherwise. With
# JAIL_TESTS_MUST_RUN=1 (CI) a skip counts as a failure. Each test's output
# goes to $BUILD/test-logs/; a failing test's tail is printed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export SRC=$(cd "$here/.." && pwd)
export BUILD=${BUILD:-$SRC/build}
export TESTS=$here
logs=$BUILD/test-logs
mkdir -p "$logs"
# Where a test leaves files for the reader (a screenshot): the log directory,
# which outlives a staged copy of the tree (below).
export JAIL_TEST_LOGS=$logs

# Is every component of a path owned by root and not writable by group or
# others? pam_jail runs only a jail-init, and jailctl reads only program
# sets, from such paths, and the jail hides /tmp, /home, /root and /run; so
# a checkout in, say, /tmp cannot be tested in place.
path_is_trusted() {
    local p=$1 st
    while :; do
        st=$(stat -Lc '%u %a' "$p") || return 1
        set -- $st
        [ "$1" = 0 ] || return 1
        [ $((8#$2 & 8#022)) -eq 0 ] || return 1
        case $p in /tmp|/tmp/*|/home|/home/*|/root|/root/*|/run|/run/*) return 1 ;; esac
        [ "$p" = / ] && return 0
        p=$(dirname "$p")
    done
}

# Root tiers from an untrusted checkout: run them on a copy of the sources
# and build outputs in a root-owned directory the jails show, removed at
# the end. Logs still go to $BUILD/test-logs.
stage=
stage_trusted_copy() {
    stage=$(mktemp -d /var/lib/pam_jail-tests.XXXXXX) || return 1
    chmod 0755 "$stage"
    trap '[ -n "$stage" ] && rm -rf --one-file-system "$stage"' EXIT
    tar -C "$SRC" --exclude='./build' --exclude='./build-*' --exclude='./.git' -cf - . |
        tar -C "$stage" -xf - || return 1
    mkdir -p "$stage/build"
    tar -C "$BUILD" --exclude='./obj' --exclude='./vm' --exclude='./vm-cache' \
        --exclude='./test-logs' -cf - . | tar -C "$stage/build" -xf - || return 1
    chown -R 0:0 "$stage" && chmod -R go-w "$stage" || return 1
    echo "run-tests: $SRC is not on a root-owned path the jails show; testing a copy in $stage"
    SRC=$stage BUILD=$stage/build TESTS=$stage/tests
    here=$TESTS
    # and not from a working directory the jails replace
    cd "$SRC" || return 1
}
needs_root_paths=0
for t in "${@:-root}"; do case $t in root|e2e|ldap|escape|faults|jupyterhub) needs_root_paths=1 ;; esac; done
if [ "$(id -u)" -eq 0 ] && [ $needs_root_paths = 1 ] &&
    ! { path_is_trusted "$SRC" && path_is_trusted "$BUILD"; }; then
    stage_trusted_copy || { echo "run-tests: could not stage a trusted copy" >&2; exit 1; }
fi

tiers=("$@")
[ ${#tiers[@]} -gt 0 ] || tiers=(unit pam root e2e ldap escape jupyterhub)
must_run=${JAIL_TESTS_MUST_RUN:-0}
per_test_timeout=${JAIL_TEST_TIMEOUT:-900}

passed=0 failed=0 skipped=0
failed_names=()

run_one() { # tier name command...
    local tier=$1 name=$2; shift 2
    local log="$logs/$tier-$name.log" start end rc
    start=$EPOCHREALTIME
    timeout --kill-after=30 "$per_test_timeout" "$@" >"$log" 2>&1 </dev/null
    rc=$?
    end=$EPOCHREALTIME
    local secs
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1)); echo "PASS $tier/$name (${secs}s)"
    elif [ $rc -eq 77 ] && [ "$must_run" != 1 ]; then
        skipped=$((skipped + 1)); echo "SKIP $tier/$name: $(tail -n 1 "$log")"
    else
        failed=$((failed + 1)); failed_names+=("$tier/$name")
        [ $rc -eq 77 ] && echo "FAIL $tier/$name: skipped, but JAIL_TESTS_MUST_RUN=1" ||
            echo "FAIL $tier/$name (exit $rc, ${secs}s)"
        tail -n 40 "$log" | sed 's/^/    | /'
    fi
    # cmocka's own summary line, so CI readers see the case counts too.
    [ "$tier" = unit ] && grep -E '^\[  (PASSED|FAILED)  \]' "$log" | sed 's/^/    /'
    return 0
}

for tier in "${tiers[@]}"; do
    case $tier in
    unit)
        for t in "$BUILD"/tests/test_*; do
            [ -x "$t" ] || continue
            run_one unit "$(basename "$t")" "$t"
        done ;;
    pam|root|e2e|ldap|escape|faults|jupyterhub)
        for t in "$here/$tier"/*.sh; do
            [ -f "$t" ] || continue
            case ${t##*/} in lib-*) continue ;; esac # sourced helpers, not tests
            run_one "$tier" "$(basename "$t" .sh)" bash "$t"
        done ;;
    *) echo "run-tests: unknown tier '$tier'" >&2; exit 2 ;;
    esac
done

echo
if [ ${#failed_names[@]} -gt 0 ]; then
    echo "failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
