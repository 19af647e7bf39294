#!/bin/bash
# See the host's System V shared memory and message queues and POSIX
# message queues (created by the same user on the host).
. "$TESTS/escape/lib-escape.sh"
need_cmd ipcmk
esc_setup "$@"
asuser() { setpriv --reuid="$je_uid" --regid="$esc_gid" --init-groups "$@"; }
shm=$(asuser ipcmk -M 4096 -p 0600 2>/dev/null | grep -o '[0-9]*$') || true
msg=$(asuser ipcmk -Q -p 0600 2>/dev/null | grep -o '[0-9]*$') || true
[ -n "$shm" ] && [ -n "$msg" ] || fail "ipcmk failed"
on_exit "ipcrm -m $shm; ipcrm -q $msg"
mq=/pjesc-mq-$RANDOM$RANDOM
asuser $PY -c '
import ctypes, os, sys
rt = ctypes.CDLL("librt.so.1", use_errno=True)
fd = rt.mq_open(sys.argv[1].encode(), os.O_CREAT | os.O_RDWR, 0o600, None)
sys.exit(0 if fd >= 0 else 1)' "$mq" || fail "mq_open on the host"
on_exit "$PY -c 'import ctypes,sys; ctypes.CDLL(\"librt.so.1\").mq_unlink(sys.argv[1].encode())' $mq"
attempt='
import ctypes, os, sys
shm, msg, mq = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
libc = ctypes.CDLL(None, use_errno=True)
rt = ctypes.CDLL("librt.so.1", use_errno=True)
buf = ctypes.create_string_buffer(256)
found = []
if libc.shmctl(shm, 2, buf) == 0: found.append("shm %d" % shm)        # IPC_STAT
if libc.msgctl(msg, 2, buf) == 0: found.append("msg %d" % msg)
if rt.mq_open(mq.encode(), os.O_RDONLY, 0, None) >= 0: found.append("mqueue " + mq)
print(found or "nothing of the host")
sys.exit(0 if found else 1)'
esc_control host-user $PY -c "$attempt" "$shm" "$msg" "$mq"
esc_jailed jail-user $PY -c "$attempt" "$shm" "$msg" "$mq"
esc_jailed jail-root $PY -c "$attempt" "$shm" "$msg" "$mq"
