#!/bin/bash
# pam_jail.so as libpam sees it, no root needed: it loads with RTLD_NOW
# (every symbol resolved: a missing one would fail inside sshd), exports
# only the PAM entry points, and refuses an unknown argument (fail closed)
# through the real libpam with a service file in a private confdir.
. "$TESTS/lib.sh"
need_cmd python3
need_cmd nm
mod=$BUILD/pam_jail.so
[ -f "$mod" ] || skip "pam_jail.so not built"
[ -x "$BUILD/tests/bin/pj_session" ] || skip "pj_session not built"

python3 - "$mod" <<'PY' || fail "dlopen(RTLD_NOW) of pam_jail.so"
import ctypes, os, sys
lib = ctypes.CDLL(sys.argv[1], mode=os.RTLD_NOW | os.RTLD_LOCAL)
for sym in ("pam_sm_open_session", "pam_sm_close_session"):
    getattr(lib, sym)
PY
ok "loads with RTLD_NOW and has both session entry points"

exported=$(nm -D --defined-only "$mod" | awk '{print $3}' | sort | tr '\n' ' ')
assert_eq "pam_sm_close_session pam_sm_open_session " "$exported" "exported symbols"
ok "exports only pam_sm_*"

tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
# statedir= in the test dir: the refusal is counted there, not in the host's
echo "session required $mod no_such_option statedir=$tmp/state" >"$tmp/pjload"
echo "session required pam_deny.so" >"$tmp/other"
out=$("$BUILD/tests/bin/pj_session" -c "$tmp" -s pjload "$(id -un)" -- true 2>&1)
rc=$?
assert_eq 10 "$rc" "unknown option: pam_open_session fails"
assert_contains "$out" "Cannot make/remove an entry for the specified session" \
    "unknown option: PAM_SESSION_ERR"
ok "an unknown argument fails the session (PAM_SESSION_ERR)"
