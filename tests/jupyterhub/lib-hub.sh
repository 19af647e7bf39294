# Shared setup of the JupyterHub tier (sourced after net_enter and je_setup).
#
#   hub_setup        the policy (a bridged profile for $je_group; unmatched
#                    users refused), the PAM services (jailctl spawn's and
#                    the hub's login, in a directory bound over /etc/pam.d in
#                    this mount namespace), a second student $u2 (login
#                    shell jailsh), a refused
#                    user $refused (both with passwords), the bridge, and a
#                    running hub on 127.0.0.1:8000; removed at exit.
#   hub VERB ARGS    tests/jupyterhub/hubclient.py against it, with the token
#   hub_log_tail     the end of the hub's log, on stderr
# Debian's python3 and jupyterhub: python3 on PATH may be another one
# (DESIGN.md, JupyterHub on these machines).
HUB_PY=/usr/bin/python3
[ -x /usr/bin/jupyterhub ] || skip "needs Debian's jupyterhub (make deps)"
[ -x /usr/bin/jupyterhub-singleuser ] || skip "needs jupyterhub-singleuser"
"$HUB_PY" -c 'import notebook, ipykernel, tornado' 2>/dev/null || skip "needs python3-notebook"
[ -x /usr/bin/configurable-http-proxy ] || skip "needs node-configurable-http-proxy"
[ -x "$BUILD/jailctl" ] || skip "jailctl not built"

hub_url=http://127.0.0.1:8000
HUB_GW=10.213.77.1

hub() { "$HUB_PY" "$TESTS/jupyterhub/hubclient.py" "$hub_url" "$hub_token" "$@"; }
hub_log_tail() { tail -n 60 "$hub_log" >&2; }

hub_setup() {
    u2=$(uniq_name v)
    refused=$(uniq_name r)
    make_user "$u2" -G "$je_group" || fail "useradd $u2"
    make_user "$refused" || fail "useradd $refused"
    hub_password=pw-$RANDOM$RANDOM
    for u in "$je_user" "$u2" "$refused"; do
        echo "$u:$hub_password" | chpasswd || fail "chpasswd $u"
    done
    # Student 2 logs in through jailsh (jailctl spawn runs the server
    # through it): jailsh where the host and the jails see it.
    mount -t tmpfs -o mode=0755 pj-srv /srv || fail "tmpfs on /srv"
    install -m 0755 "$BUILD/jailsh" /srv/jailsh || fail "install jailsh"
    usermod -s /srv/jailsh "$u2" || fail "usermod -s $u2"
    # The students' real homes, in this mount namespace only.
    mount -t tmpfs -o mode=0755 pj-home /home || fail "tmpfs on /home"
    install -d -m 0700 -o "$u2" "/home/$u2"
    echo secret-of-u2 >"/home/$u2/secret"
    chown "$u2" "/home/$u2/secret"

    # The bridge, made before the hub so that the hub's API can listen on
    # the gateway address (as jupyterhub_config.py says to make it at boot).
    hub_bridge=pjh$(printf '%04x' $((RANDOM & 0xffff)))
    ip link add "$hub_bridge" type bridge || fail "bridge"
    ip addr add "$HUB_GW/24" dev "$hub_bridge" || fail "gateway address"
    ip link set "$hub_bridge" up || fail "bridge up"

    je_policy "version = 1;
settings = { unmatched = \"deny\"; };
profiles = { student = {
$(je_default_profile)
    network = { mode = \"bridge\"; bridge = \"$hub_bridge\"; pool4 = \"10.213.77.0/24\";
                gateway4 = \"$HUB_GW\"; };
    limits = { pids = 300; };
}; };
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"
    je_service

    # PAM: jailctl spawn's service (as contrib/pam.d/jailctl-spawn, with the
    # test's files) and the hub's login (pam_unix, no session: the hub opens
    # none, open_sessions = False).
    spawn_svc=$(uniq_name p)
    auth_svc=$(uniq_name a)
    cat >"$je/pam/$spawn_svc" <<EOF
auth     required pam_permit.so
account  required pam_permit.so
session  required $BUILD/pam_jail.so config=$je/etc/jail.conf init=$BUILD/jail-init statedir=$je/state report_reason
EOF
    printf 'auth required pam_unix.so\naccount required pam_unix.so\n' >"$je/pam/$auth_svc"
    mount --bind "$je/pam" /etc/pam.d || fail "bind the test's pam.d"

    hub_dir=$je/hub
    mkdir -m 0700 "$hub_dir"
    hub_log=$hub_dir/hub.log
    hub_token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    cat >"$hub_dir/jupyterhub_config.py" <<EOF
import sys
sys.path.insert(0, "$SRC/contrib/jupyterhub")
from pam_jail_spawner import JailSpawner
c = get_config()
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = 8000
c.JupyterHub.hub_ip = "$HUB_GW"
c.JupyterHub.hub_port = 8081
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:8001"
c.ConfigurableHTTPProxy.pid_file = "$hub_dir/proxy.pid"
c.JupyterHub.pid_file = "$hub_dir/hub.pid"
c.JupyterHub.db_url = "sqlite:///$hub_dir/hub.sqlite"
c.JupyterHub.cookie_secret_file = "$hub_dir/cookie_secret"
c.JupyterHub.spawner_class = JailSpawner
c.JailSpawner.jailctl = "$BUILD/jailctl"
c.JailSpawner.pam_service = "$spawn_svc"
c.Spawner.start_timeout = 240
c.Spawner.http_timeout = 240
c.Spawner.default_url = "/tree"
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.service = "$auth_svc"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = {"$je_user", "$u2", "$refused"}
c.JupyterHub.services = [{"name": "pjtest", "api_token": "$hub_token"}]
c.JupyterHub.load_roles = [{"name": "pjtest", "services": ["pjtest"], "scopes": [
    "admin:users", "admin:servers", "access:servers", "list:users", "read:users"]}]
EOF
    (cd "$hub_dir" && exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin NODE_PATH=/usr/share/nodejs \
        LANG=C.UTF-8 /usr/bin/jupyterhub -f "$hub_dir/jupyterhub_config.py" >"$hub_log" 2>&1) &
    hub_pid=$!
    on_exit hub_teardown
    out=$(hub wait-hub 180)
    [ "$out" = up ] || { hub_log_tail; fail "the hub did not come up: $out"; }
    ok "hub up on $hub_url (API on $HUB_GW:8081)"
}

# The hub stops the servers it started (cleanup_servers) and its proxy; then
# whatever is left of what this test started goes, by PID.
hub_teardown() {
    local p
    kill -TERM "$hub_pid" 2>/dev/null
    for _ in $(seq 300); do je_dead "$hub_pid" && break; sleep 0.1; done
    kill -KILL "$hub_pid" 2>/dev/null
    p=$(cat "$hub_dir/proxy.pid" 2>/dev/null)
    [ -n "$p" ] && kill -KILL "$p" 2>/dev/null
    for k in $(je_jails); do je_track "$k"; done
    je_kill_leftovers
    ip link del "$hub_bridge" 2>/dev/null
}
