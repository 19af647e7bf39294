#!/bin/bash
# pam-auth-update --enable jail puts pam_jail last in both session stacks,
# after pam_systemd, and sshd still uses Debian's stock /etc/pam.d/sshd.
. "$TESTS/vm/check-lib.sh"

out=$(guest 'DEBIAN_FRONTEND=noninteractive pam-auth-update --enable jail 2>&1') || fail "pam-auth-update: $out"
for f in common-session common-session-noninteractive; do
	assert_eq "session required pam_jail.so" "$(last_session_line /etc/pam.d/$f)" "last line of $f"
	ok "$f ends with pam_jail"
done
order=$(guest "grep -n -E 'pam_(systemd|jail)\.so' /etc/pam.d/common-session | cut -d: -f2- | awk '{print \$3}' | paste -sd' '")
assert_eq "pam_systemd.so pam_jail.so" "$order" "order in common-session"

# The stock service files: dpkg's checksums of the shipped conffiles still hold.
for pkg in openssh-server libpam-runtime systemd; do
	changed=$(guest "dpkg --verify $pkg 2>/dev/null | grep /etc/pam.d/ || true")
	[ -z "$changed" ] || fail "$pkg's PAM files changed: $changed"
done
guest 'grep -q "^@include common-session$" /etc/pam.d/sshd' || fail "/etc/pam.d/sshd does not include common-session"
# Root (named by no rule) still logs in through the new stack.
guest true || fail "root login after enabling"
ok "stock /etc/pam.d/sshd, root still logs in"
