#!/bin/bash
# contrib/examples: each setup's root recipe is built by the boot script
# (contrib/systemd/jail-roots-sync), audited, re-synced (an update that
# finds nothing); each policy (config/examples/*.conf, paths and group names
# pointed at this test's) passes `jailctl check`; and a jailed login uses
# each tree: an sftp upload into the drop box (and no shell there), a
# student compiling C and running python3 in the lab tree, a shell host
# user's python3 and vi.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
need_cmd sftp
need_cmd gcc
[ -x "$BUILD/jailctl" ] || skip "jailctl not built"
je_setup "$@"

jailctl=$BUILD/jailctl
ex=$SRC/contrib/examples
roots=$je/jails
mkdir -m 0755 "$roots"

# ---- the recipes, pointed at this test's directory, user and sets ----
recipe=$je/jail-roots.conf
for e in sftp-dropbox teaching-server shell-host; do
    sed -e "s|^/srv/jails/|$roots/|" -e "/^\//s|--user [a-z0-9]*|--user $je_user|g" \
        -e "/^\//s|--group students|--group $je_group|" \
        -e "/^\//s|\$| --sets-dir $SRC/config/sets|" "$ex/$e/jail-roots.conf"
done >"$recipe"
chmod 0644 "$recipe"
cat "$recipe"
JAILCTL=$jailctl sh "$SRC/contrib/systemd/jail-roots-sync" "$recipe" >"$je/sync.out" 2>&1 ||
    { cat "$je/sync.out"; fail "jail-roots-sync"; }
for t in sftp lab shell; do
    [ -f "$roots/$t/.pam_jail/manifest" ] || fail "$t: not built"
    "$jailctl" audit "$roots/$t" >"$je/audit.$t" 2>&1 || { cat "$je/audit.$t"; fail "$t: audit"; }
done
[ -e "$roots/sftp/usr/bin/bash" ] && fail "the drop box tree has bash"
[ -x "$roots/lab/usr/bin/gcc" ] && [ -x "$roots/lab/usr/bin/python3" ] || fail "lab tree"
out=$(JAILCTL=$jailctl sh "$SRC/contrib/systemd/jail-roots-sync" "$recipe" 2>&1) ||
    { echo "$out"; fail "second sync"; }
[ "$(grep -c 'nothing changed on the host' <<<"$out")" -eq 3 ] ||
    { echo "$out"; fail "the second sync (update) changed something"; }
# The recipe file must be root's: a writable one is refused.
chmod 0666 "$recipe"
JAILCTL=$jailctl sh "$SRC/contrib/systemd/jail-roots-sync" "$recipe" >/dev/null 2>&1 &&
    fail "a world-writable recipe was used"
chmod 0644 "$recipe"
ok "recipes built by jail-roots-sync, audited clean, then updated with no change"

login() { # command...
    HOME=/home/$je_user je_session -U "$je_user" -- "$@"
}

# ---- sftp drop box: the example policy as shipped, paths pointed here ----
mkdir -m 0755 "$je/dropbox"
install -d -o "$je_user" -m 0700 "$je/dropbox/$je_user"
je_policy "$(sed -e "s|/srv/jails/sftp|$roots/sftp|" -e "s|/srv/dropbox/%u|$je/dropbox/%u|" \
    -e "s|group = \"dropbox\"|group = \"$je_group\"|" "$SRC/config/examples/sftp-dropbox.conf")"
je_service
"$jailctl" check --config "$je/etc/jail.conf" || fail "the drop box policy"
cat >"$je/sftp-wrap" <<EOF
#!/bin/sh
HOME=/home/$je_user exec "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -U "$je_user" \
    -- /usr/lib/openssh/sftp-server
EOF
chmod 0755 "$je/sftp-wrap"
echo "a partner's report" >"$je/report.txt"
printf 'put %s /upload/report.txt\nls -1 /upload\n' "$je/report.txt" >"$je/batch"
out=$(sftp -D "$je/sftp-wrap" -b "$je/batch" 2>&1) || { echo "$out"; tail "$je_log"; fail "sftp into the drop box"; }
echo "$out"
assert_eq "a partner's report" "$(cat "$je/dropbox/$je_user/report.txt")" \
    "the upload landed in the partner's host directory"
assert_eq "$je_user" "$(stat -c %U "$je/dropbox/$je_user/report.txt")" "owned by the partner"
je_wait_gone || fail "the drop box jail did not end"
login /bin/bash -c 'echo SHELL_RAN' >"$je/out" 2>"$je/err"
assert_not_contains "$(cat "$je/out")" SHELL_RAN "there is no shell in the drop box"
je_wait_gone || fail "the drop box jail did not end"
ok "sftp drop box: upload through the tree's sftp-server, no shell to run"

# ---- teaching server: the student profile on the lab tree ----
# Pointed here: the group, the lab tree as root (README step 2), and the
# jail ends at logout (the shipped "keep" would outlive the test).
je_policy "$(sed -e "s|group = \"students\"|group = \"$je_group\"|" \
    -e "s|hostname = \"lab-%u\";|&\n\t\troot = { type = \"tree\"; path = \"$roots/lab\"; };|" \
    -e 's|lifetime = { mode = "keep"; idle = "30m"; };|lifetime = { mode = "session"; };|' \
    -e 's|persist = \["coursework"\];||' \
    "$SRC/config/examples/teaching-server.conf")"
"$jailctl" check --config "$je/etc/jail.conf" || fail "the teaching policy with the lab tree"
lab='
cd "$HOME" || exit 1
printf "#include <stdio.h>\nint main(void) { puts(\"hello from the lab\"); return 0; }\n" >hello.c
gcc -Wall -o hello hello.c && ./hello
python3 -c "print(6 * 7)"
echo "host=$(cat /proc/sys/kernel/hostname)"
'
out=$(login /bin/bash -c "$lab" 2>"$je/err") || { cat "$je/err"; tail "$je_log"; fail "the lab session"; }
echo "$out"
assert_contains "$out" "hello from the lab" "a student compiles and runs C in the lab tree"
assert_contains "$out" "42" "python3 runs in the lab tree"
assert_contains "$out" "host=lab-$je_user" "the student profile is the one in use"
je_wait_gone || fail "the lab jail did not end"
ok "teaching server: gcc, make's tools and python3 work in the lab tree"

# ---- shell host: its policy checks; a login into the curated tree ----
"$jailctl" check --config "$SRC/config/examples/shell-host.conf" || fail "shell host policy"
# The shipped profile bridges to jailbr0, which this host has not: the
# login uses the test's profile with the shell tree as root.
je_policy "version = 1;
profiles = { shell = {
    namespaces = [\"mount\", \"pid\", \"net\", \"ipc\", \"uts\", \"cgroup\"];
    hostname = \"shell-%u\";
    root = { type = \"tree\"; path = \"$roots/shell\"; };
    home = { mode = \"tmpfs\"; size = \"16M\"; };
}; };
rules = ( { group = \"$je_group\"; profile = \"shell\"; } );"
out=$(login /bin/bash -c 'python3 -c "import json; print(json.dumps([1, 2]))"; ls /usr/lib/openssh; if test -x /usr/bin/vi; then echo vi-ok; fi' 2>"$je/err") ||
    { cat "$je/err"; fail "the shell host session"; }
assert_contains "$out" "[1, 2]" "python3 with its standard library"
assert_contains "$out" "sftp-server" "the ssh set"
assert_contains "$out" "vi-ok" "an editor"
je_wait_gone || fail "the shell jail did not end"
ok "shell host: the curated tree serves python3, ssh tools and an editor"
# ---- the systemd units parse (their programs are not installed here) ----
if command -v systemd-analyze >/dev/null 2>&1; then
    out=$(cd "$SRC/contrib/systemd" && systemd-analyze verify ./pam-jail-roots.service \
        ./jailed-program.service 2>&1 | grep -v -e 'is not executable' -e "Command 'man " || true)
    [ -z "$out" ] || fail "systemd-analyze verify: $out"
    ok "contrib/systemd units verify"
fi
exit 0
