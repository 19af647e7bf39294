#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The fault-injection sweep's driver (run by tests/faults/sweep.sh, which
makes the user, the policy, the PAM service, the network namespace and the
/dev/log listener; see there and tests/README.md).

1. record: one cold session open under `strace -f -ff`, every process's
   system calls counted, each process named by its role (the PAM caller,
   the fork that spawns the keeper, the keeper, the jail's PID 1, the
   command) from the clone/exec lines of the trace;
2. plan: (errno, name, N) for every name and N (FAULTS=full) or, by
   default, N in {first, middle, last} of every role's count of that name;
3. run each: `strace -f -e inject=NAME:error=ERRNO:when=N pj_session -P`,
   then classify it (refused, or jailed as the PROOF lines of
   tests/bin/proof.h say; anything else fails the sweep) and wait, bounded,
   until no jail-init process, registry entry, lease, cgroup, mount or
   network link of the run is left.
"""
import argparse
import collections
import fcntl
import glob
import json
import os
import re
import signal
import subprocess
import sys
import time

# Calls that see EINTR when a signal arrives while they block (sockets,
# pipes, waits, locks); the EINTR pass injects it into each of them. A
# login must survive every one of these: the signal could be a child's
# SIGCHLD or the terminal's SIGWINCH.
EINTR_CALLS = {
    "poll", "ppoll", "epoll_wait", "epoll_pwait", "select", "pselect6", "wait4", "waitid",
    "read", "write", "readv", "writev", "recvmsg", "sendmsg", "recvfrom", "sendto",
    "accept4", "flock", "fcntl", "clock_nanosleep", "nanosleep", "rt_sigtimedwait",
}
# Calls that answer EAGAIN: a non-blocking socket or pipe, a full backlog,
# a process or thread limit (fork, clone, setuid under RLIMIT_NPROC), a
# lock taken with LOCK_NB.
EAGAIN_CALLS = {
    "read", "write", "recvmsg", "sendmsg", "recvfrom", "sendto", "accept4", "connect",
    "clone", "clone3", "fork", "vfork", "setuid", "setresuid", "setgid", "setresgid", "flock",
}
RUN_TIMEOUT = 90      # s: one traced session, its keeper's end included
CLEAN_TIMEOUT = 30    # s: what the keeper and the host's slow reaping need
JAILED = {"capbnd": "0000000000000000", "nnp": "1", "seccomp": "2"}


def sh(*cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


class Sweep:
    def __init__(self, a):
        self.a = a
        self.init_exe = os.path.realpath(os.path.join(a.build, "jail-init"))
        self.host_ns = {n: os.readlink(f"/proc/self/ns/{n}") for n in ("mnt", "pid", "net")}
        self.driver = [os.path.join(a.build, "tests/bin/pj_session"), "-c", a.confdir,
                       "-s", a.service, "-P", "-U", a.user, "--", a.command]

    # ---- what a run may leave behind ----
    def jail_inits(self):
        found = []
        for d in glob.glob("/proc/[0-9]*"):
            try:
                if os.readlink(d + "/exe") != self.init_exe:
                    continue
                with open(d + "/status") as f:
                    st = re.search(r"^State:\s*(\S)", f.read(), re.M)
                if st and st.group(1) != "Z":
                    found.append(int(d[6:]))
            except OSError:
                pass
        return found

    def user_procs(self):
        found = []
        for d in glob.glob("/proc/[0-9]*"):
            try:
                with open(d + "/status") as f:
                    s = f.read()
                uid = re.search(r"^Uid:\s*(\d+)", s, re.M).group(1)
                st = re.search(r"^State:\s*(\S)", s, re.M).group(1)
                if uid == str(self.a.uid) and st != "Z":
                    found.append(int(d[6:]))
            except (OSError, AttributeError):
                pass
        return found

    def cgroups(self):
        pats = [f"/sys/fs/cgroup/*/pam_jail/u{self.a.uid}.*", f"/sys/fs/cgroup/pam_jail/u{self.a.uid}.*",
                f"/sys/fs/cgroup/unified/pam_jail/u{self.a.uid}.*"]
        return sorted(set(p for pat in pats for p in glob.glob(pat)))

    def mounts(self):
        with open("/proc/self/mountinfo") as f:
            return sorted(" ".join(l.split()[3:5] + l.split(" - ")[1].split()[:2]) for l in f)

    def links(self):
        out = sh("ip", "-o", "link", "show").stdout
        return sorted(l.split(":")[1].strip().split("@")[0] for l in out.splitlines() if ":" in l)

    def leases(self):
        """Lease files whose lock someone holds. A lease file that can be
        locked is free whatever it says (lib/addrpool.h): a failed release
        may leave one, and the next lease of that address takes it."""
        held = []
        d = os.path.join(self.a.state, "net")
        for n in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if not n.startswith("ip4-"):
                continue
            try:
                fd = os.open(os.path.join(d, n), os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held.append(n)
            finally:
                os.close(fd)
        return held

    def state(self):
        return {
            "registry": sorted(os.listdir(os.path.join(self.a.state, "jails")))
            if os.path.isdir(os.path.join(self.a.state, "jails")) else [],
            "leases": self.leases(),
            "jail-init": self.jail_inits(),
            "user processes": self.user_procs(),
            "cgroups": self.cgroups(),
            "mounts": self.mounts(),
            "links": self.links(),
        }

    def leftovers(self):
        now = self.state()
        left = {}
        for k, v in now.items():
            if k in ("mounts", "links"):
                extra = sorted(set(v) - set(self.base[k]))
                if extra:
                    left[k] = extra
            elif v:
                left[k] = v
        return left

    def wait_clean(self):
        deadline = time.monotonic() + CLEAN_TIMEOUT
        while True:
            left = self.leftovers()
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.05)

    def force_clean(self):
        """After a leftover was counted: end what the run left, so the next
        run starts clean (only our jail-init and the test user's processes)."""
        for p in self.jail_inits() + self.user_procs():
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.5)
        for d in self.cgroups():
            try:
                os.rmdir(d)
            except OSError:
                pass
        for sub in ("jails", "net"):
            base = os.path.join(self.a.state, sub)
            for n in (os.listdir(base) if os.path.isdir(base) else []):
                if sub == "net" and not n.startswith("ip4-"):
                    continue
                sh("rm", "-rf", os.path.join(base, n))

    # ---- one cold open, recorded ----
    def record(self):
        rec = os.path.join(self.a.work, "record")
        os.makedirs(rec, exist_ok=True)
        r = sh("strace", "-qq", "-f", "-ff", "-o", os.path.join(rec, "tr"), *self.driver,
               timeout=RUN_TIMEOUT)
        verdict, why = self.classify(r.returncode, r.stdout)
        if verdict != "jailed" or "PROOF command" not in r.stdout:
            sys.exit(f"the recorded cold open is not a jailed session ({why}):\n{r.stdout}")
        procs = {}
        for path in glob.glob(os.path.join(rec, "tr.*")):
            pid = int(path.rsplit(".", 1)[1])
            calls, execs, children = collections.Counter(), [], []
            with open(path) as f:
                for line in f:
                    m = re.match(r"([a-z_0-9]+)\(", line)
                    if not m:
                        continue
                    calls[m.group(1)] += 1
                    if m.group(1) in ("execve", "execveat") and not line.rstrip().endswith(
                            ("= -1 ENOENT (No such file or directory)",)):
                        e = re.search(r'"([^"]*)"', line)
                        execs.append(e.group(1) if e else m.group(1))
                    c = re.match(r"(clone|clone3|fork|vfork)\(.*\)\s+= (\d+)", line)
                    if c:
                        children.append(int(c.group(2)))
            procs[pid] = {"calls": calls, "execs": execs, "children": children}
        parent = {c: p for p, v in procs.items() for c in v["children"]}
        root = [p for p in procs if p not in parent][0]

        def name(pid):
            v = procs[pid]
            if pid == root:
                return "pam-caller"
            pr = name(parent[pid])
            if any(e.endswith("jail-init") for e in v["execs"]) or v["calls"]["execveat"]:
                return "keeper"
            if pr == "keeper":
                return "pid1"
            if pr == "pam-caller" and v["execs"]:
                return "command"
            if pr == "pam-caller":
                return "spawner"
            return pr + "-child"
        roles = collections.defaultdict(collections.Counter)
        for pid in procs:
            roles[name(pid)] += procs[pid]["calls"]
        missing = {"pam-caller", "keeper", "pid1", "command"} - set(roles)
        if missing:
            sys.exit(f"roles not found in the recorded open: {sorted(missing)}")
        self.roles = roles
        return roles

    # ---- the plan ----
    def plan(self):
        runs = []
        for err, only in (("EIO", None), ("EINTR", EINTR_CALLS), ("EAGAIN", EAGAIN_CALLS)):
            if self.a.errnos and err not in self.a.errnos:
                continue
            if self.a.calls:
                only = self.a.calls if only is None else only & self.a.calls
            pairs = set()
            for role, calls in self.roles.items():
                for nm, cnt in calls.items():
                    if nm in ("exit_group", "exit", "rt_sigreturn") or (only and nm not in only):
                        continue
                    ns = range(1, cnt + 1) if self.a.mode == "full" else {1, (cnt + 1) // 2, cnt}
                    pairs.update((nm, n) for n in ns)
            runs += [(err, nm, n) for nm, n in sorted(pairs)]
        return runs

    # ---- one run ----
    def classify(self, rc, out):
        proofs = [dict(kv.split("=", 1) for kv in l.split()[2:]) | {"who": l.split()[1]}
                  for l in out.splitlines() if l.startswith("PROOF ")]
        if not proofs:
            return "refused", f"rc={rc}"
        for p in proofs:
            bad = [f"{k}={p.get(k)}" for k, v in JAILED.items() if p.get(k) != v]
            if p["who"] == "command":
                for n in ("mnt", "pid", "net"):
                    if p.get(n) in ("?", None, self.host_ns[n]):
                        bad.append(f"{n}={p.get(n)}")
            if bad:
                return "UNJAILED", f"{p['who']}: " + " ".join(bad)
        if not any(p["who"] == "caller" for p in proofs):
            return "UNJAILED", "a command ran without the caller's proof"
        return "jailed", "" if any(p["who"] == "command" for p in proofs) else "command did not start"

    def reason(self, log_from):
        with open(self.a.log, "rb") as f:
            f.seek(log_from)
            lines = f.read().decode(errors="replace").splitlines()
        pick = [l for l in lines if "pam_jail" in l and ("refused" in l or "failed" in l or
                                                          "error" in l.lower() or "cannot" in l)]
        return (pick or [""])[0].split(": ", 1)[-1][:300]

    def run_one(self, err, nm, n):
        log_from = os.path.getsize(self.a.log)
        cmd = ["strace", "-qq", "-f", "-o", "/dev/null", "-e", f"trace={nm}",
               "-e", f"inject={nm}:error={err}:when={n}", *self.driver]
        try:
            r = sh(*cmd, timeout=RUN_TIMEOUT)
            rc, out = r.returncode, r.stdout
        except subprocess.TimeoutExpired as e:
            rc, out = "timeout", (e.stdout or b"").decode(errors="replace") if isinstance(
                e.stdout, bytes) else (e.stdout or "")
        verdict, why = self.classify(rc, out)
        left = self.wait_clean()
        if left:
            self.force_clean()
        return {"errno": err, "call": nm, "n": n, "rc": rc, "verdict": verdict, "why": why,
                "left": left, "log": self.reason(log_from) if verdict == "refused" else "",
                "out": out[-600:] if verdict == "UNJAILED" or left else ""}

    def main(self):
        t0 = time.monotonic()
        roles = self.record()
        self.base = {"mounts": [], "links": []}
        self.base = {k: v for k, v in self.state().items() if k in ("mounts", "links")}
        left = self.wait_clean()
        if left:
            sys.exit(f"the recorded open left {left}")
        self.base = {k: v for k, v in self.state().items() if k in ("mounts", "links")}
        table = {r: dict(sorted(c.items())) for r, c in sorted(roles.items())}
        names = sorted(set(n for c in roles.values() for n in c))
        print(f"record: {len(names)} distinct system calls in {len(roles)} roles: " +
              ", ".join(f"{r} {sum(c.values())} calls/{len(c)} names" for r, c in sorted(roles.items())))
        runs = self.plan()
        if self.a.limit:
            runs = runs[:self.a.limit]
        print(f"plan ({self.a.mode}): {len(runs)} runs: " + ", ".join(
            f"{e} {sum(1 for r in runs if r[0] == e)}" for e in ("EIO", "EINTR", "EAGAIN")), flush=True)
        results = []
        for i, (err, nm, n) in enumerate(runs, 1):
            res = self.run_one(err, nm, n)
            results.append(res)
            bad = res["verdict"] == "UNJAILED" or res["left"]
            if bad or self.a.verbose or i % 100 == 0:
                print(f"[{i}/{len(runs)} {time.monotonic() - t0:.0f}s] {err} {nm}#{n}: "
                      f"{res['verdict']} {res['why']} {res['log']}"
                      + (f" LEFT {res['left']}" if res["left"] else ""), flush=True)
        elapsed = time.monotonic() - t0
        cnt = collections.Counter(r["verdict"] for r in results)
        leftovers = sum(1 for r in results if r["left"])
        with open(os.path.join(self.a.work, "results.json"), "w") as f:
            json.dump({"roles": table, "results": results, "elapsed": elapsed}, f, indent=1)
        # Refusals grouped by pass and reason: what the log said.
        for err in ("EIO", "EINTR", "EAGAIN"):
            why = collections.Counter((r["call"], r["log"] or r["why"]) for r in results
                                      if r["errno"] == err and r["verdict"] == "refused")
            if why:
                print(f"refused under {err}:")
                for (c, w), k in sorted(why.items()):
                    print(f"  {k:4d} {c}: {w}")
        interrupted = [r for r in results if r["verdict"] == "refused" and (
            self.a.must_open or (r["errno"] == "EINTR" and r["call"] in self.a.eintr_must_pass))]
        print(f"summary: runs={len(results)} refused={cnt['refused']} jailed={cnt['jailed']} "
              f"(command did not start: {sum(1 for r in results if r['why'] == 'command did not start')}) "
              f"unjailed={cnt['UNJAILED']} leftovers={leftovers} "
              f"eintr-refused={len(interrupted)} time={elapsed:.0f}s mode={self.a.mode}")
        if self.a.report:
            with open(self.a.report, "a") as f:
                f.write(f"{time.strftime('%F %T')} runs={len(results)} refused={cnt['refused']} "
                        f"jailed={cnt['jailed']} unjailed={cnt['UNJAILED']} leftovers={leftovers} "
                        f"eintr-refused={len(interrupted)} time={elapsed:.0f}s mode={self.a.mode}\n")
        for r in interrupted:
            print(f"FAIL: {r['errno']} on {r['call']}#{r['n']} refused the login: {r['log'] or r['why']}")
        return 1 if cnt["UNJAILED"] or leftovers or interrupted else 0


def main():
    p = argparse.ArgumentParser()
    for k in ("build", "confdir", "service", "user", "state", "log", "work", "command"):
        p.add_argument("--" + k, required=True)
    p.add_argument("--uid", type=int, required=True)
    p.add_argument("--mode", choices=("ci", "full"), default="ci")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--report")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--eintr-must-pass", default="", type=lambda s: set(s.split(",")) - {""})
    # Targeted runs (tests/root/jail_faults.sh): only these errnos and calls,
    # and with --must-open a refused login fails too.
    p.add_argument("--errnos", default="", type=lambda s: set(s.split(",")) - {""})
    p.add_argument("--calls", default="", type=lambda s: set(s.split(",")) - {""})
    p.add_argument("--must-open", action="store_true")
    sys.exit(Sweep(p.parse_args()).main())


if __name__ == "__main__":
    main()
