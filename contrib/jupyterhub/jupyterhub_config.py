# SPDX-License-Identifier: GPL-2.0-or-later
# JupyterHub with every user's notebook server in the user's pam_jail jail
# (the jail their ssh logins share). Installed in /usr/share/pam_jail/jupyterhub/;
# copy it to /etc/jupyterhub/ and adapt; run
# the hub as root: jupyterhub -f /etc/jupyterhub/jupyterhub_config.py
#
# What it needs (README, "Notebooks and web terminals"):
#  - /etc/pam.d/jailctl-spawn (contrib/pam.d/jailctl-spawn, installed by the
#    package): the PAM session of each server, ending with pam_jail;
#  - a profile for the notebook users with a bridged network, e.g.
#        network = { mode = "bridge"; bridge = "jail0";
#                    pool4 = "10.88.0.0/24"; gateway4 = "10.88.0.1"; };
#    and the bridge made at boot with that gateway address (so the hub can
#    bind to it before the first jail exists), e.g. in
#    /etc/network/interfaces:
#        auto jail0
#        iface jail0 inet static
#            address 10.88.0.1/24
#            bridge_ports none
#  - the users' login shell: a POSIX shell or jailsh(1) (jailctl spawn runs
#    the server through it, and names the JUPYTERHUB_* variables jailsh is
#    to let through).
import sys

sys.path.insert(0, "/usr/share/pam_jail/jupyterhub")  # pam_jail_spawner.py (make install)
from pam_jail_spawner import JailSpawner  # noqa: E402

c = get_config()  # noqa: F821

# The public side: the proxy, on the host.
c.JupyterHub.ip = "127.0.0.1"  # behind a TLS reverse proxy; or an address + ssl_cert/ssl_key
c.JupyterHub.port = 8000

# The hub's API, on the bridge's gateway address: every bridged jail reaches
# it (the server reports to it and checks logins with it), and nothing else
# of the host needs to be open to the jails (contrib/nftables).
c.JupyterHub.hub_ip = "10.88.0.1"

c.JupyterHub.spawner_class = JailSpawner
c.JailSpawner.jailctl = "/usr/sbin/jailctl"
c.JailSpawner.pam_service = "jailctl-spawn"
c.JailSpawner.cmd = ["/usr/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/tree"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

# Log in with the system's passwords, but open NO PAM session in the hub: that
# session would be the hub process's (jupyterhub#4726), which pam_jail
# refuses (multithreaded) or, without pam_jail, is not a jail at all. The
# session that counts is the server's, opened by jailctl spawn.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.service = "login"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = set()  # or c.PAMAuthenticator.allowed_groups = {"students"}
