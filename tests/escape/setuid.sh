#!/bin/bash
# Gain root through a set-user-ID-root program the test places where the
# jail sees it (a copy of cat, reading /etc/shadow) and through a
# file-capability program (cap_dac_read_search). Two layers stop it: the
# jail's mounts are nosuid and the session has no_new_privs. The second run
# switches no_new_privs off: the nosuid mounts alone must still hold; the
# third binds the directory in (a profile's bind), no_new_privs off too.
. "$TESTS/escape/lib-escape.sh"
need_cmd setcap
esc_setup "$@"
cp /bin/cat "$esc_dir/suidcat" && chmod 4755 "$esc_dir/suidcat" || fail "suid copy"
cp /bin/cat "$esc_dir/capcat" && setcap cap_dac_read_search+ep "$esc_dir/capcat" || fail "setcap"
attempt='for c in suidcat capcat; do
    if "$0/$c" /etc/shadow >/dev/null 2>&1; then echo "$c read /etc/shadow"; exit 0; fi
    echo "$c: $("$0/$c" /etc/shadow 2>&1 >/dev/null)"
done; exit 1'
esc_control host-user sh -c "$attempt" "$esc_dir"
esc_jailed jail-user sh -c "$attempt" "$esc_dir"
je_default_policy 'no_new_privs = false;'
out=$(esc_run jail-user grep NoNewPrivs /proc/self/status)
assert_contains "$out" "NoNewPrivs:	0" "the second run has no_new_privs off"
esc_jailed jail-user sh -c "$attempt" "$esc_dir"
# (a bind source must sit in root-owned directories: the test dir under /run)
mkdir -m 0755 "$je/bin" && cp -a "$esc_dir/suidcat" "$esc_dir/capcat" "$je/bin/" || fail "copy"
je_default_policy "no_new_privs = false; binds = ( { source = \"$je/bin\"; target = \"/mnt\"; } );"
out=$(esc_run jail-user ls /mnt 2>&1) || out="$out: $(grep refused "$je_log" | tail -n 1)"
assert_contains "$out" suidcat "the bind shows the programs"
esc_jailed jail-user sh -c "$attempt" /mnt
