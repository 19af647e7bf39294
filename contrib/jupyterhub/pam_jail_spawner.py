# SPDX-License-Identifier: GPL-2.0-or-later
"""JupyterHub spawner that starts each user's server in the user's pam_jail jail.

The hub runs as root and never enters a jail itself (it is multithreaded;
pam_jail refuses such a process, and its PAM session would land in the hub,
jupyterhub#4726). Each single-user server is started through

    jailctl spawn --service jailctl-spawn --ready-fd FD --env NAME... USER -- CMD

which opens a PAM session for USER (the same policy, limits, log lines and
refusals as an ssh login), runs CMD as USER inside USER's jail (the jail an
ssh login of USER shares), and stays the session's holder until CMD ends.
Stopping the server signals jailctl, which passes the signal on and closes
the session when the server has ended.

Network: the hub must reach the server, and the server the hub's API. With
``network.mode = "bridge"`` (jail.conf(5)) the jail has its own address on
the bridge; jailctl reports it on the ready fd, the server listens on every
address of the jail, and the hub proxies to the reported address. The hub's
API must listen on the bridge's gateway address (``c.JupyterHub.hub_ip``),
which every bridged jail reaches. A jail with only its loopback
(``"loopback"``, the default) cannot be reached: the spawn fails and says
so. A user the policy does not jail runs on the host's network, reached on
127.0.0.1. See jupyterhub_config.py beside this file and README.
"""
import asyncio
import os
import shlex
import subprocess

from jupyterhub.spawner import LocalProcessSpawner
from jupyterhub.utils import random_port
from traitlets import Integer, List, Unicode

# jailctl spawn sets these from the account; it refuses them in --env.
_FROM_ACCOUNT = {"HOME", "USER", "LOGNAME", "SHELL"}


class JailSpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose process is `jailctl spawn USER -- CMD`."""

    jailctl = Unicode("/usr/sbin/jailctl", config=True, help="The jailctl program.")
    pam_service = Unicode(
        "jailctl-spawn",
        config=True,
        help="PAM service jailctl spawn opens the session through (/etc/pam.d/NAME).",
    )
    listen_ip = Unicode(
        "0.0.0.0",
        config=True,
        help="Where the server listens inside the jail: every address of the "
        "jail's own network namespace (its loopback and its bridge address).",
    )
    withheld_env = List(
        Unicode(),
        ["PATH", "PYTHONPATH", "LD_LIBRARY_PATH", "LD_PRELOAD"],
        config=True,
        help="Variables of the hub's environment for the server that are not "
        "passed into the jail (the jail's own PATH applies).",
    )
    ready_timeout = Integer(
        120,
        config=True,
        help="Seconds to wait for jailctl spawn to open the session.",
    )
    cmd = List(
        Unicode(),
        ["/usr/bin/jupyterhub-singleuser"],
        config=True,
        help="The single-user server, by absolute path (as the jail sees it).",
    )

    def make_preexec_fn(self, name):
        # jailctl spawn becomes the user itself, after the PAM session;
        # it must start as root.
        return None

    def _spawn_command(self, env, ready_fd):
        if not self.cmd or not self.cmd[0].startswith("/"):
            raise ValueError("JailSpawner.cmd must start with an absolute path")
        passed = sorted(
            k for k in env if k not in _FROM_ACCOUNT and k not in set(self.withheld_env)
        )
        cmd = [self.jailctl, "spawn", "--service", self.pam_service, "--ready-fd", str(ready_fd)]
        for name in passed:
            cmd += ["--env", name]
        return cmd + [self.user.name, "--"] + list(self.cmd) + list(self.get_args())

    async def _read_ready(self, fd):
        loop = asyncio.get_running_loop()
        chunks = []

        def read_all():
            while True:
                b = os.read(fd, 4096)
                if not b:
                    return
                chunks.append(b)

        try:
            await asyncio.wait_for(loop.run_in_executor(None, read_all), self.ready_timeout)
        finally:
            os.close(fd)
        return b"".join(chunks).decode(errors="replace").strip()

    async def start(self):
        if self.port == 0:
            self.port = random_port()
        # JUPYTERHUB_SERVICE_URL (what the server binds) is made from ip.
        self.ip = self.listen_ip
        env = self.get_env()
        for k in self.withheld_env:
            env.pop(k, None)
        env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"  # for jailctl only
        rfd, wfd = os.pipe()
        cmd = self._spawn_command(env, wfd)
        self.log.info("Spawning %s", " ".join(shlex.quote(s) for s in cmd))
        try:
            self.proc = await asyncio.get_running_loop().run_in_executor(
                None,
                lambda: subprocess.Popen(
                    cmd, env=env, pass_fds=(wfd,), start_new_session=True
                ),
            )
        finally:
            os.close(wfd)
        self.pid = self.proc.pid
        try:
            line = await self._read_ready(rfd)
        except asyncio.TimeoutError:
            self.proc.kill()
            raise RuntimeError(f"jailctl spawn for {self.user.name}: no session after "
                               f"{self.ready_timeout}s")
        if not line:
            # The session was refused: jailctl printed pam_jail's reason on
            # its stderr, the hub's log, and started nothing.
            status = await asyncio.get_running_loop().run_in_executor(None, self.proc.wait)
            self.clear_state()
            raise RuntimeError(
                f"jailctl spawn refused the session of {self.user.name} (exit {status}); "
                "the reason is the 'jailctl spawn:' line above"
            )
        info = dict(w.split("=", 1) for w in line.split() if "=" in w)
        self.log.info("%s: session open: %s", self.user.name, line)
        if info.get("network") == "host":
            return ("127.0.0.1", self.port)
        addr = info.get("address4", "")
        if not addr:
            await self.stop(now=True)
            raise RuntimeError(
                f"the jail of {self.user.name} (profile {info.get('profile')}) has only its "
                "loopback: the hub cannot reach a server in it. Give the profile "
                'network = { mode = "bridge"; ... } (jail.conf(5)).'
            )
        return (addr, self.port)
