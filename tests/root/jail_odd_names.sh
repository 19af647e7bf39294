#!/bin/bash
# Any user name works (issue 15): real users whose names hold '_', '.', '@',
# upper case, start with a digit or are 32 characters long log in through
# a real PAM session to a jail with hostname = "lab-%u", a bind mount and a
# persistent directory whose paths use %u. Inside, the hostname is the one
# jail.conf(5) derives and `jailctl explain` shows; the paths hold the name
# as it is. A name that is a path trick (holding '/') is still refused.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
[ -x "$BUILD/jailctl" ] || skip "jailctl not built"
je_setup "$@"

# What docs/jail.conf.5 says %u becomes in a hostname, for the names below
# (none longer than 59 characters, so nothing is cut): lower case, every
# other byte but a letter, digit or '-' becomes '-', the ends trimmed.
derived() { # name
    printf 'lab-%s' "$(printf '%s' "$1" | tr 'A-Z' 'a-z' | LC_ALL=C tr -c 'a-z0-9-' '-' |
        sed 's/^-*//; s/-*$//')"
}

b=$(uniq_name n)       # pjnXXXX
B=$(tr a-z A-Z <<<"$b") # PJNXXXX
pad=${b}_2026_computer_science_0123456789
names=(
    "${b}_john_doe"
    "${b}.first.last"
    "${b}@example.edu"
    "${B}Upper"
    "1${b}"
    "${pad:0:32}"
)
assert_eq 32 "${#names[5]}" "the long name's length"

# Debian 12's useradd takes all of them; a stricter one needs --badname.
for n in "${names[@]}"; do
    make_user "$n" -G "$je_group" 2>/dev/null || make_user "$n" --badname -G "$je_group" ||
        fail "useradd '$n'"
done

# Bind sources and targets, and the real homes (persist lives there), in
# this mount namespace only. /srv is hidden too: the bind's mount point is
# made below it, so it needs a writable tmpfs of its own while the root is
# built, not the empty read-only one the other hidden paths share
# (init/jail_mounts.c, hide_needs_own_tmpfs).
mount -t tmpfs -o mode=0755 pj-srv /srv || fail "tmpfs on /srv"
mount -t tmpfs -o mode=0755 pj-home /home || fail "tmpfs on /home"
install -d -m 0755 /srv/data /srv/in
for n in "${names[@]}"; do
    install -d -m 0755 "/srv/data/$n" "/srv/in/$n" || fail "bind dirs for '$n'"
    printf 'data of %s\n' "$n" >"/srv/data/$n/file"
    install -d -m 0755 -o "$n" "/home/$n" || fail "real home of '$n'"
done

je_policy "version = 1;
profiles = { student = {
    namespaces = [\"mount\", \"pid\", \"net\", \"ipc\", \"uts\"];
    hostname = \"lab-%u\";
    root = { type = \"host\"; hide = [\"/root\", \"/run\", \"/work\", \"/srv\"]; };
    home = { mode = \"tmpfs\"; size = \"8M\"; persist = [\"keep-%u\"]; };
    tmp = { size = \"8M\"; };
    binds = ( { source = \"/srv/data/%u\"; target = \"/srv/in/%u\"; } );
}; };
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"
je_service

inside='
n=$(id -un)
echo "user=$n"
echo "hostname=$(cat /proc/sys/kernel/hostname)"
echo "uname=$(uname -n)"
echo "bind=$(cat "/srv/in/$n/file")"
echo "persist=$(mountpoint -q "$HOME/keep-$n" && echo mounted)"
echo "written by $n" >"$HOME/keep-$n/mark" && echo "wrote"
'
for n in "${names[@]}"; do
    want=$(derived "$n")
    out=$(HOME=/home/$n je_session -U "$n" -- sh -c "$inside" 2>"$je/err") ||
        { cat "$je/err"; fail "login of '$n' failed"; }
    echo "$out"
    assert_contains "$out" "user=$n" "'$n': the session runs as the user"
    assert_contains "$out" "hostname=$want" "'$n': the derived hostname"
    assert_contains "$out" "uname=$want" "'$n': uname -n"
    assert_contains "$out" "bind=data of $n" "'$n': the bind with %u in source and target"
    assert_contains "$out" "persist=mounted" "'$n': the persistent directory with %u"
    assert_contains "$out" "wrote" "'$n': the persistent directory is writable"
    assert_eq "written by $n" "$(cat "/home/$n/keep-$n/mark")" "'$n': persisted in the real home"
    explained=$("$BUILD/jailctl" explain "$n" --config "$je/etc/jail.conf" 2>&1) ||
        fail "jailctl explain '$n': $explained"
    assert_contains "$explained" "hostname = \"$want\";" "'$n': jailctl explain shows the hostname"
    ok "'$n' logs in as $want"
done
# every name above has a hostname of its own here
[ "$(for n in "${names[@]}"; do derived "$n"; echo; done | sort -u | wc -l)" -eq ${#names[@]} ] ||
    fail "two test names share a hostname"
je_wait_gone 15 || fail "the jails did not end"

# ---- a name that is a path trick is still refused ----
# useradd --badname takes '/' (not ':'); a name such as "pjnXXXX/x" would
# put the bind source inside /srv/data/pjnXXXX. ('..' is refused the same
# way, by the clean-path check; the unit tests run it through nss_wrapper,
# as a real user it could not have a name unique to this run.)
trick=${b}/x
make_user "$trick" --badname -G "$je_group" || fail "useradd --badname '$trick'"
# Everything the expanded paths name exists, so only the check can refuse.
install -d -m 0755 "/srv/data/$b/x" "/srv/in/$b/x"
printf 'data of %s\n' "$b" >"/srv/data/$b/x/file"
install -d -m 0755 -o "$trick" "/home/$b" "/home/$trick" "/home/$trick/keep-$b" "/home/$trick/keep-$trick"
: >"$je_log"
HOME=/home/$trick je_session -U "$trick" -- sh -c 'echo RAN' >"$je/out" 2>"$je/err"
rc=$?
assert_eq 10 "$rc" "'$trick': pam_open_session must fail"
assert_not_contains "$(cat "$je/out")" RAN "'$trick': the command ran"
je_wait_log "a name holding '/' cannot be part of a path" 3 ||
    fail "'$trick': no log line saying why: $(cat "$je_log")"
grep -o 'pam_jail.*' "$je_log" | head -1
ok "a name holding '/' is refused, with the reason"
