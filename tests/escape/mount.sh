#!/bin/bash
# Mount over a directory / unmount one of the jail's mounts (/tmp), directly
# or after gaining CAP_SYS_ADMIN in a user namespace (what the host allows).
. "$TESTS/escape/lib-escape.sh"
need_cmd unshare
esc_setup "$@"
# The scratch directory is removed in every outcome (the control run makes
# it in the host's /tmp).
attempt='d=$(mktemp -d); trap "rmdir \"\$d\"" EXIT
mount -t tmpfs none "$d" 2>&1 && { echo mounted; umount "$d"; exit 0; }
umount /tmp 2>&1 && { echo unmounted /tmp; exit 0; }
unshare -rm sh -c "mount -t tmpfs none $d && umount $d && echo mounted in a user namespace" 2>&1 && exit 0
exit 1'
esc_control host-user sh -c "$attempt"
esc_jailed jail-user sh -c "$attempt"
esc_jailed jail-root sh -c "$attempt"
