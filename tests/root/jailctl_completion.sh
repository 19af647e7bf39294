#!/bin/bash
# bash completion for jailctl (contrib/bash-completion/jailctl) and
# `jailctl --version`: the script is sourced into a bash, the completion
# function is run on a few command lines, and its candidates are checked:
# verbs, a verb's options (from `jailctl help VERB`), the users a test
# policy names (a user rule, and a group rule's members, through --config on
# the line), the users of running jails (--statedir on the line), the
# policy's profiles; and what must not be offered (a user no rule names, a
# profile of another policy).
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
need_cmd bash
je_setup "$@"
comp=$SRC/contrib/bash-completion/jailctl
[ -f "$comp" ] || fail "no completion script at $comp"
ruleuser=$(uniq_name r)
je_policy "version = 1;
profiles = {
  student = {
$(je_default_profile)
  };
  guest = { extends = \"student\"; };
};
rules = ( { group = \"$je_group\"; profile = \"student\"; },
          { user = \"$ruleuser\"; profile = \"guest\"; } );"
je_service
"$BUILD/jailctl" check --config "$je/etc/jail.conf" || fail "the test policy is not valid"

# The candidates bash would offer for a command line whose last word is
# the one being completed, one a line, sorted.
candidates() {
    bash --norc --noprofile -c '
        . "$1" || exit 1
        shift
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        _jailctl jailctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
        printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@" | sort
}
has() { # candidates word what
    grep -qxF -- "$2" <<<"$1" || fail "$3: '$2' not offered; got: $(tr '\n' ' ' <<<"$1")"
}
hasnt() {
    ! grep -qxF -- "$2" <<<"$1" || fail "$3: '$2' offered; got: $(tr '\n' ' ' <<<"$1")"
}
ctl=$BUILD/jailctl
cfg=$je/etc/jail.conf

# --version: the release of debian/changelog
want=$(head -n1 "$SRC/debian/changelog" | sed 's/^[^(]*(\([^)-]*\).*/\1/')
assert_eq "jailctl (pam_jail) $want" "$("$ctl" --version)" "jailctl --version"
ok "jailctl --version: $("$ctl" --version)"

# the script registers itself for jailctl
reg=$(bash --norc --noprofile -c '. "$1"; complete -p jailctl' _ "$comp")
assert_contains "$reg" "-F _jailctl" "complete -p jailctl"

# verbs
c=$(candidates "$ctl" ex)
assert_eq explain "$c" "jailctl ex<TAB>"
c=$(candidates "$ctl" "")
for v in check explain list enter stop metrics names help; do
    [ "$v" = metrics ] && ! "$ctl" help metrics >/dev/null 2>&1 && continue
    has "$c" "$v" "jailctl <TAB>"
done
has "$c" user-manager "jailctl <TAB>"
c=$(candidates "$ctl" --v)
assert_eq --version "$c" "jailctl --v<TAB>"
ok "verbs: jailctl ex<TAB> -> explain"

# a verb's options, as its help lists them
c=$(candidates "$ctl" explain --)
has "$c" --config "jailctl explain --<TAB>"
has "$c" --help "jailctl explain --<TAB>"
hasnt "$c" --statedir "jailctl explain --<TAB> (not an option of explain)"
c=$(candidates "$ctl" list --st)
assert_eq --statedir "$c" "jailctl list --st<TAB>"
c=$(candidates "$ctl" mkroot --se)
has "$c" --set "jailctl mkroot --se<TAB>"
ok "options from jailctl help VERB"

# users the test policy names, through the --config on the line
c=$(candidates "$ctl" explain --config "$cfg" "")
has "$c" "$je_user" "explain --config TEST <TAB>: the group rule's member"
has "$c" "$ruleuser" "explain --config TEST <TAB>: the user rule's user"
hasnt "$c" root "explain --config TEST <TAB>: a user no rule names"
c=$(candidates "$ctl" explain --config "$cfg" "${je_user:0:4}")
has "$c" "$je_user" "explain --config TEST PREFIX<TAB>"
hasnt "$c" "$ruleuser" "explain --config TEST PREFIX<TAB>: only names with the prefix"
# option after the word: `explain USER --config` is valid too, but the
# candidates come from the config typed before the cursor only
c=$(candidates "$ctl" explain --config="$cfg" "")
has "$c" "$ruleuser" "explain --config=TEST <TAB>"
# after the user, nothing more is positional
c=$(candidates "$ctl" explain --config "$cfg" "$je_user" "")
assert_eq "" "$c" "explain --config TEST USER <TAB>"
ok "explain <TAB>: the test policy's users"

# profiles
names=$("$ctl" names profiles --config "$cfg" 2>/dev/null | sort | tr '\n' ' ')
assert_eq "guest student " "$names" "jailctl names profiles"
# an invalid policy: no names, no error on the terminal, exit 0
printf 'version = 1;\nprofiles = { broken = { tmp = { size = "lots"; }; }; };\n' \
    >"$je/etc/bad.conf"
out=$("$ctl" names profiles --config "$je/etc/bad.conf" 2>&1); rc=$?
assert_eq 0 "$rc" "names on an invalid policy: exit status"
assert_eq "" "$out" "names on an invalid policy: nothing"
c=$(candidates "$ctl" names "")
has "$c" profiles "jailctl names <TAB>"
ok "names profiles; an invalid policy gives none"

# users of the running jails, through the --statedir on the line
c=$(candidates "$ctl" enter --statedir "$je/state" "")
hasnt "$c" "$je_user" "enter <TAB> with no jail running"
mkfifo "$je/hold"
exec 7<>"$je/hold"
je_session "$je_user" -- sh -c 'echo READY; read -r _' <"$je/hold" >"$je/s.out" 2>"$je/s.err" &
session=$!
for _ in $(seq 300); do grep -q READY "$je/s.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$je/s.out" || { cat "$je/s.err"; fail "the session did not come up"; }
je_track "u$je_uid"
c=$(candidates "$ctl" enter --statedir "$je/state" "")
has "$c" "$je_user" "enter --statedir TEST <TAB>: the running jail's user"
hasnt "$c" "$ruleuser" "enter <TAB>: a policy user without a jail"
c=$(candidates "$ctl" stop --statedir "$je/state" "${je_user:0:3}")
has "$c" "$je_user" "stop --statedir TEST PREFIX<TAB>"
ok "enter/stop <TAB>: the users of running jails"
echo >&7
wait "$session"
je_wait_gone 30 || fail "the jail did not end"
