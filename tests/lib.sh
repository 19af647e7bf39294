# Shared helpers for the shell test tiers. Source it: . "$TESTS/lib.sh"
# Every test cleans up after itself, even on failure: register undo steps
# with `on_exit CMD...`; they run in reverse order when the script ends.
set -u

: "${SRC:?run through tests/run-tests.sh (make check)}"
: "${BUILD:?}"

_cleanups=()
on_exit() { _cleanups+=("$*"); }
_run_cleanups() {
    local i
    for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
        eval "${_cleanups[$i]}" >/dev/null 2>&1 || true
    done
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "needs $1"; }

# A name unique to this test run, for throwaway users, groups, services.
# Short: user names are limited to 32 characters.
uniq_name() { printf 'pj%s%04x' "$1" $((RANDOM ^ $$ & 0xffff)); }

# Throwaway user and group; removed at exit.
make_group() { groupadd "$1" && on_exit groupdel "$1"; }
make_user() { # name [useradd args...]
    local name=$1; shift
    useradd -M -d "/home/$name" -s /bin/sh "$@" "$name" || return 1
    on_exit userdel -f "$name"
}

assert_eq() { # expected actual what
    [ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}
assert_ne() {
    [ "$1" != "$2" ] || fail "$3: both are '$1'"
}
assert_contains() { # haystack needle what
    case $1 in *"$2"*) ;; *) fail "$3: '$2' not in: $1" ;; esac
}
assert_not_contains() {
    case $1 in *"$2"*) fail "$3: '$2' found in: $1" ;; *) ;; esac
}
