#!/bin/bash
# Weaken the user's own later programs with personality(2): switch address
# space randomisation off (setarch -R: ADDR_NO_RANDOMIZE) or make readable
# memory executable (READ_IMPLIES_EXEC); and ADDR_NO_RANDOMIZE
# with junk in the upper half of the register (the kernel reads 32 bits).
# The child's /proc/self/personality shows what it runs with. The seccomp
# filter answers EPERM; what stays allowed (linux32, setarch --uname-2.6)
# is checked to still work, so the filter is not simply "no personality".
. "$TESTS/escape/lib-escape.sh"
need_cmd setarch
esc_setup "$@"
[ "$(uname -m)" = x86_64 ] || skip "the raw-syscall attempt uses x86_64's number"
# $1: -R (setarch, then exec: ASLR off for the new program); rie:
# READ_IMPLIES_EXEC, read in the same process (a 64-bit exec clears it
# again, a 32-bit one keeps it); raw: ADDR_NO_RANDOMIZE with bit 32 set,
# then exec (the kernel ignores the upper half: the same request in
# disguise).
attempt='
py() { '"$PY"' -c "
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.syscall(135, ctypes.c_ulong($1)) == -1:
    print(os.strerror(ctypes.get_errno())); sys.exit(0)
$2" 2>&1; }
case $1 in
-R) p=$(setarch "$(uname -m)" -R cat /proc/self/personality 2>&1) ;;
rie) p=$(py 0x400000 "print(open(\"/proc/self/personality\").read().strip())") ;;
raw) p=$(py 0x100040000 "os.execv(\"/bin/cat\", [\"cat\", \"/proc/self/personality\"])") ;;
esac
echo "$1: $p"
case $p in 00040000 | 00400000) exit 0 ;; esac
exit 1'
for how in -R rie raw; do
    esc_control host-user sh -c "$attempt" sh $how
    esc_jailed jail-user sh -c "$attempt" sh $how
    esc_jailed jail-root sh -c "$attempt" sh $how
done
out=$(esc_run jail-user sh -c "$attempt" sh raw 2>&1)
assert_contains "$out" "Operation not permitted" "the filter's EPERM stopped it"

# What stays allowed: a 32-bit uname and the 2.6 version for old programs.
out=$(esc_run jail-user sh -c 'linux32 uname -m; setarch --uname-2.6 uname -r; cat /proc/self/personality' 2>&1)
echo "allowed: $out"
assert_contains "$out" "i686" "linux32 still works in the jail"
assert_contains "$out" "2.6." "setarch --uname-2.6 still works in the jail"
assert_contains "$out" "00000000" "the jail runs with the default persona"
