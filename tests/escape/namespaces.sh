#!/bin/bash
# Create user and mount namespaces (unshare -U, unshare -Urm; unshare -m as
# root inside): the way to capabilities over new mounts.
. "$TESTS/escape/lib-escape.sh"
need_cmd unshare
esc_setup "$@"
attempt='unshare -U true 2>&1 && { echo "unshare -U worked"; exit 0; }
unshare -Urm true 2>&1 && { echo "unshare -Urm worked"; exit 0; }
unshare -m true 2>&1 && { echo "unshare -m worked"; exit 0; }
exit 1'
esc_control host-user sh -c "$attempt"
esc_jailed jail-user sh -c "$attempt"
esc_jailed jail-root sh -c "$attempt"
