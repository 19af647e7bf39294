#!/bin/bash
# Part of make bench: `ssh USER@127.0.0.1 true` through two private sshd
# instances that differ only in pam_jail being the last session line
# (tests/e2e/lib-sshd.sh, the harness of the end-to-end tests), timed
# interleaved by bench_time. Jailed users have jailsh as their shell, as an
# administrator would set it, so the jailed figure is a whole jailed login.
#
#   bench/ssh.sh ROUNDS OUTFILE      (root; BUILD, TESTS set by bench.sh)
set -u
rounds=$1 out=$2
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"
# shellcheck source=tests/e2e/lib-sshd.sh
. "$TESTS/e2e/lib-sshd.sh"

e2e_standard_setup # users UA (jailed, profile "sealed"), UN (not jailed); sshd "main"
sshd_start plain plain
[ "$(e2e_ssh "$UA@main" hostname)" = "jail-$UA" ] || fail "$UA is not jailed on main"
e2e_ssh "$UN@plain" true || fail "plain login"
e2e_wait_no_jails

ssh_case() { # name [exe:PATH] user@inst
	local name=$1
	shift
	printf '%s' "$name"
	[ $# -gt 1 ] && { printf '\t%s' "$1"; shift; }
	printf '\tssh\t-F\t%s\t%s\ttrue\n' "$E2E_SSH_CONFIG" "$1"
}
# A new jail for every jailed login: wait (untimed) until the last one's
# keeper and init have exited.
{
	ssh_case ssh_plain "$UN@plain"
	ssh_case ssh_jail_ignored "$UN@main"
	ssh_case ssh_jail_cold "exe:$(readlink -f "$E2E_BIN/jail-init")" "$UA@main"
} >"$E2E/cold.spec"
"$BUILD/bench_time" -n "$rounds" -w 1 "$E2E/cold.spec" >"$out" || fail "bench_time"

# Joining: one session of UA stays open meanwhile.
e2e_hold "$UA@main"
{
	ssh_case ssh_plain "$UN@plain"
	ssh_case ssh_jail_join "$UA@main"
} >"$E2E/join.spec"
"$BUILD/bench_time" -n "$rounds" -w 1 "$E2E/join.spec" >>"$out" || fail "bench_time"
e2e_release "$HELD_PID" "$HELD_FD"
e2e_wait_no_jails
grep -c . "$out"
