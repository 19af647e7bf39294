#!/bin/bash
# A jailed user from the directory (slapd through nslcd) keeps their
# directory groups inside the jail: sshd's initgroups for the session runs
# there (DESIGN fact 1), and finds nslcd's socket because pam_jail puts it
# in the jail's fresh /run (nss_sockets, the default). `id` inside lists
# what `id` on the host lists, and a file only a directory group can read
# is readable. With nss_sockets = false the groups are lost: the socket is
# what makes it work. NSS configuration as it was afterwards.
. "$TESTS/lib.sh"
. "$TESTS/ldap/lib-ldap-e2e.sh"

ldap_e2e_setup
ldap_jail_groups_setup
ldap_nss_on
on_exit ldap_nss_off
ldap_jail_groups_check nslcd lost
ldap_nss_off
ldap_nss_assert_restored
ok "/etc/nsswitch.conf and /etc/nslcd.conf are as they were"
