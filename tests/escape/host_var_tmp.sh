#!/bin/bash
# The host's /var/tmp, which every user may write: read a file another user
# left there (by name, or by listing the directory), and leave one there for
# others. The jail has a /var/tmp of its own (init/jail_mounts.c): the first
# must fail, and what the jailed user writes to /var/tmp must not reach the
# host's.
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
other=$(uniq_name v)
make_user "$other" || fail "useradd $other"
left=/var/tmp/pjesc-left-$RANDOM$RANDOM
on_exit rm -f "$left"
setpriv --reuid="$(id -u "$other")" --regid="$(id -g "$other")" --clear-groups \
    sh -c 'umask 022; echo "left by another user" >"$0"' "$left" || fail "the other user's file"

read_it='
import os, sys
path = sys.argv[1]
try:
    print("%s: %s" % (path, open(path).read().strip())); sys.exit(0)
except OSError as e:
    print(e)
try:
    if os.path.basename(path) in os.listdir(os.path.dirname(path)):
        print("listed in " + os.path.dirname(path)); sys.exit(0)
except OSError as e:
    print(e)
sys.exit(1)'
esc_control host-user $PY -c "$read_it" "$left"
esc_jailed jail-user $PY -c "$read_it" "$left"
esc_jailed jail-root $PY -c "$read_it" "$left"

# Writing works in the jail (its /var/tmp is writable), and stays there.
write_it='
import sys
open(sys.argv[1], "w").write("written in the jail\n")
print("wrote " + sys.argv[1])'
for who in host-user jail-user jail-root; do
    written=/var/tmp/pjesc-written-$who-$RANDOM$RANDOM
    on_exit rm -f "$written"
    out=$(esc_run "$who" $PY -c "$write_it" "$written" 2>&1) ||
        fail "$ESC_NAME: $who cannot write to /var/tmp: $out"
    echo "$who: $out"
    case $who in
    host-user) [ -e "$written" ] || fail "$ESC_NAME: control: the host's /var/tmp lacks $written"
        ok "$ESC_NAME: control: a file written without the jail is in the host's /var/tmp" ;;
    *) [ -e "$written" ] && fail "ESCAPED: $ESC_NAME: $who wrote $written in the host's /var/tmp"
        ok "$ESC_NAME: what $who writes to the jail's /var/tmp stays in the jail" ;;
    esac
done
