#!/bin/bash
# jailctl check on a draft, as root (the admin's usual case): a policy file
# in /tmp, which pam_jail would refuse to read there ('/tmp' is
# world-writable), still gets every problem of its content as file:line,
# and the refusal is a line of its own, worded for what /tmp is. The same
# file in a root-owned 0755 directory is valid; made group-writable there,
# the refusal says so.
. "$TESTS/lib.sh"
need_root

draft_dir=$(mktemp -d /tmp/pj-draft.XXXXXX) && on_exit rm -rf "$draft_dir"
chmod 0755 "$draft_dir" # the first component pam_jail refuses is /tmp itself
draft=$draft_dir/draft.conf
cat >"$draft" <<'CONF'
version = 1;
profiles = {
  students = {
    tmp = { size = "lots"; };
    hostnme = "lab-%u";
  };
};
rules = ( { group = "root"; profile = "students"; } );
CONF
out=$("$BUILD/jailctl" check --config "$draft" 2>&1); rc=$?
echo "$out"
assert_eq 1 "$rc" "a broken draft in a world-writable directory: exit status"
assert_contains "$out" "$draft:4: profile 'students': tmp.size: 'lots' is not a size" \
    "the draft's first mistake, at its line"
assert_contains "$out" "$draft:5: profile 'students': unknown key 'hostnme'" \
    "the draft's second mistake, at its line"
assert_contains "$out" "$draft: refused where it is: pam_jail would not read it: '/tmp' is world-writable (mode 1777)" \
    "the refusal, worded for a world-writable directory"
assert_not_contains "$out" "writable by group" "no talk of a group for a 1777 directory"
assert_not_contains "$out" "$draft_dir/jail.d" "a missing jail.d next to the draft is no problem"
ok "a draft in a world-writable directory: its content's problems and the refusal, apart"

# Fixed, but still in the world-writable directory: the content is valid,
# the exit status still 1, for pam_jail would not read it there.
sed -i 's/"lots"/"256M"/; /hostnme/d' "$draft"
out=$("$BUILD/jailctl" check --config "$draft" 2>&1); rc=$?
assert_eq 1 "$rc" "valid content where pam_jail would refuse it: exit status"
assert_contains "$out" "$draft: content valid (1 file, 1 profile, 1 rule), but refused where it is" \
    "valid content, refused place"

# The same file installed as an admin would: valid, exit 0.
etc=$(mktemp -d /var/lib/pj-check.XXXXXX) && on_exit rm -rf "$etc"
chmod 0755 "$etc"
install -m 0644 "$draft" "$etc/jail.conf"
out=$("$BUILD/jailctl" check --config "$etc/jail.conf" 2>&1) || fail "installed copy refused: $out"
assert_eq "$etc/jail.conf: valid (1 file, 1 profile, 1 rule)" "$out" "the installed copy"
# ... and group-writable there: refused, worded for the group.
chmod 0664 "$etc/jail.conf"
out=$("$BUILD/jailctl" check --config "$etc/jail.conf" 2>&1) && fail "group-writable file passed: $out"
assert_contains "$out" "'$etc/jail.conf' is writable by group (mode 0664)" "group-writable file"
ok "installed: valid; made group-writable: refused with the right words"

# Whatever a login would refuse, check reports (one check for both,
# lib/policy_validate.c): network.pool6 passed check and then refused every
# login; so did a pool with host bits set and a gateway that is the pool's
# network or broadcast address.
cat >"$etc/jail.conf" <<'CONF'
version = 1;
profiles = {
  v6 = { network = { mode = "bridge"; bridge = "br0"; pool4 = "10.0.0.0/24";
                     pool6 = "fd00:77::/64"; }; };
  bits = { network = { mode = "bridge"; bridge = "br0"; pool4 = "10.0.0.1/24"; }; };
  bcast = { network = { mode = "bridge"; bridge = "br0"; pool4 = "10.0.0.0/24";
                        gateway4 = "10.0.0.255"; }; };
};
rules = ( { group = "root"; profile = "v6"; } );
CONF
chmod 0644 "$etc/jail.conf"
out=$("$BUILD/jailctl" check --config "$etc/jail.conf" 2>&1) && fail "a policy no login can use passed: $out"
echo "$out"
assert_contains "$out" "$etc/jail.conf:4: profile 'v6': network.pool6 (IPv6) is not supported yet" \
    "network.pool6"
assert_contains "$out" "$etc/jail.conf:5: profile 'bits': network.pool4 '10.0.0.1/24': host bits are set" \
    "a pool with host bits"
assert_contains "$out" "$etc/jail.conf:7: profile 'bcast': network.gateway4 '10.0.0.255' is not a host address" \
    "a gateway on the broadcast address"
ok "check reports what a login would refuse: pool6, host bits, a gateway that is no host address"
