/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How the pieces of a running jail find and talk to each other.
 *
 *  pam_jail.so (in sshd's root monitor, or su, login, ...)
 *     |  fork; the child forks again and exits; the grandchild closes every
 *     |  fd but JAIL_INIT_FD and execs jail-init with an empty environment
 *     v  (DESIGN.md fact 11: a bare fork of sshd holds its keys and socket)
 *  jail-init, "keeper" half: stays in the HOST namespaces. It owns the
 *     |  registry entry, the control socket, the session count and all
 *     |  host-side cleanup (registry entry, cgroup, veth). It is nobody's
 *     |  descendant inside the jail, so no jailed process holds a host fd.
 *     |  clone(CLONE_NEW{NS,PID,NET,IPC,UTS,CGROUP...} | CLONE_PIDFD)
 *     v
 *  jail-init, "init" half: PID 1 of the jail. Builds the root (mounts,
 *     marker, pivot_root), sets the hostname, brings lo up, reports READY
 *     to the keeper over a pipe, drops every capability it no longer needs
 *     and then only reaps orphans. PR_SET_PDEATHSIG(SIGKILL): if the keeper
 *     dies the jail dies with it (fail closed, nothing leaks).
 *
 * Ending a jail, for any reason, is one sequence in the keeper (keeper_end):
 * remove the registry entry under the key's lock, SIGKILL jail PID 1 (the
 * kernel then kills every process of the PID namespace) and reap it, clean
 * the host side (login records, veth and lease, cgroup), log one "jail
 * ended: ... reason=..." line, drop the connections, answer a STOP, exit.
 *
 * The module joins a jail with setns(init_pidfd, ...) where init_pidfd comes
 * from the keeper over SCM_RIGHTS; a PID number is never trusted on its own.
 */
#ifndef PAM_JAIL_PROTO_H
#define PAM_JAIL_PROTO_H

#include <stdint.h>

/* Host-side state. The directory is root-owned 0700; everything below it is
 * created by pam_jail and handled by fd (openat relative to the dir fd). */
#define JAIL_STATE_DIR	   "/run/pam_jail"
#define JAIL_STATE_LOCKS   "locks"   /* <key>.lock: flock()ed around create-or-join */
#define JAIL_STATE_JAILS   "jails"   /* <key>/: one directory per live jail */
#define JAIL_STATE_CONTROL "control" /* <key>/control: the keeper's SOCK_SEQPACKET socket */
#define JAIL_STATE_INFO	   "info"    /* <key>/info: key=value lines, see below */

/* The helper binary (overridable with the module argument init=PATH, for
 * tests that run from the build tree). */
#ifndef JAIL_INIT_PATH
#define JAIL_INIT_PATH "/usr/libexec/pam_jail/jail-init"
#endif

/* jail-init is started with exactly one open fd: a SOCK_SEQPACKET socketpair
 * end at this number (stdin/out/err are /dev/null). */
#define JAIL_INIT_FD 3

/*
 * Registry key: "u<uid>" for a per-user jail (lifetime shared or keep),
 * "u<uid>-s<16 hex>" for a per-session jail. Keys never come from user input.
 *
 * Jail identity: 32 hex chars from getrandom(), made by the keeper. It names
 * the jail in logs, in `info`, and in the marker; namespace inode numbers
 * are reused by the kernel (DESIGN.md fact 10) and are never identities.
 */
#define JAIL_ID_HEX_LEN 32
#define JAIL_KEY_MAX	64

/*
 * Messages. SOCK_SEQPACKET keeps message boundaries, so every request and
 * every reply is exactly one message: ASCII, words separated by single
 * spaces, key=value pairs, no newline, at most JAIL_MSG_MAX bytes. File
 * descriptors travel with a message as SCM_RIGHTS. Only uid 0 may connect
 * (the keeper checks SO_PEERCRED; the state dir is 0700 anyway).
 *
 * Launch handshake, on the JAIL_INIT_FD socketpair:
 *   module -> keeper : "CREATE key=<key>" + [fd of the state directory]
 *                      then one message: the encoded policy (policy_wire.h,
 *                      at most JAIL_POLICY_MSG_MAX bytes)
 *   (The state dir travels as an fd, not a path: the keeper never resolves
 *   the registry by name, and tests can use a private state dir.)
 *   keeper -> module : "READY id=<id> init=<pid> keeper=<pid>"
 *                    | "ERR <one line: what failed and why>"
 *   The keeper creates <key>/control before it says READY. On ERR it has
 *   already undone everything it made. The module then joins like any other
 *   session (below) and closes the socketpair.
 *
 * On <key>/control, one connection per session or per jailctl command:
 *   "JOIN policy=<digest>" + [pidfd of the sender]
 *            (digest: policy_digest.h, of the policy the module resolved for
 *            this login; the session's process is the one that
 *            connected: the keeper takes its pidfd with SO_PEERPIDFD (Linux
 *            6.5+); on older kernels it uses the sent pidfd only if it names
 *            the live process that connected (SO_PEERCRED pid), so no PID is
 *            trusted and nothing can be forged)
 *        -> "OK id=<id> init=<pid> profile=<name> sessions=<n> ns=<flags>
 *            policy=<digest>"
 *           + [pidfd of jail PID 1]; ns = the CLONE_NEW* flags (decimal) of
 *           the jail's namespaces, i.e. what setns() must join; policy = the
 *           digest of the policy the jail was built from
 *        -> "ERR POLICY policy=<digest> id=<id> ..." when the JOIN's digest is not the
 *           jail's (another policy, or another user name for the uid): no
 *           session is counted and nothing of the jail changes (a kept
 *           jail's idle timer goes on); the module refuses the login
 *           (pam_jail(8), "Policy changes")
 *        The connection now stands for that session. The session ends when
 *        the client sends CLOSE on it, or when the session process (the
 *        pidfd) exits; whichever comes first, counted once.
 *   "CLOSE"  -> "OK sessions=<n>"  (n = sessions left; at 0 a shared or per-session
 *        jail ends right after the reply; a kept jail starts its idle timer)
 *   "STATUS" -> "OK id=<id> key=<key> user=<name> uid=<uid> profile=<name>
 *                init=<pid> keeper=<pid> sessions=<n> created=<unix time>
 *                lifetime=<shared|keep|session> stopping=<0|1>
 *                policy=<digest>"
 *              (stopping=1: a STOP was taken and the jail ends as soon as
 *              the keeper gets the key's lock)
 *   "ENTER"  -> the same answer as JOIN, no session counted (jailctl enter)
 *   "STOP"   -> "OK stopped" sent after the jail has ended and been cleaned up
 *   anything else -> "ERR BADREQ unknown request"
 *
 * Every refusal on <key>/control is "ERR <CODE> <text>": CODE is one of the
 * JAIL_ERR_* tokens below, for programs to act on; the text is for humans
 * and may change. (The launch handshake's "ERR <text>" has no code: any
 * ERR there is a failed launch.)
 *
 * <key>/info (jail_registry.c writes it for the keeper before READY and
 * reads it for the module and jailctl; 0600, same keys as STATUS
 * plus keeper_start=<ticks> init_start=<ticks>: field 22 of /proc/PID/stat,
 * and for a bridged jail net4=<address>/<prefix> veth=<host end>)
 * lets `jailctl list` and stale-entry cleanup find the keeper's PID when its
 * socket no longer answers. A PID from `info` is only ever signalled through
 * a pidfd opened on it *and* checked to have the recorded start time, so a
 * reused PID is never killed. A registry entry whose control socket refuses
 * connections is stale: the module (holding the per-user lock) removes it
 * and creates a new jail; it never joins it.
 */
#define JAIL_ERR_ENDING	 "ENDING"  /* the jail is ending for good (STOP, init died) */
#define JAIL_ERR_POLICY	 "POLICY"  /* JOIN: built from another policy (policy=<digest>) */
#define JAIL_ERR_REFUSED "REFUSED" /* this request cannot be granted on this connection */
#define JAIL_ERR_BUSY	 "BUSY"	   /* STOP: a STOP is already being carried out */
#define JAIL_ERR_BADREQ	 "BADREQ"  /* unknown request, or an fd where none belongs */

#define JAIL_MSG_MAX	    4096
#define JAIL_POLICY_MSG_MAX (256 * 1024)

/* How long the module waits for the keeper (launch, JOIN, CLOSE replies,
 * and each send). A keeper that lets a JOIN go unanswered that long is
 * stale: the module kills it and ends its jail (pam_module/session.c). */
#define JAIL_REPLY_TIMEOUT_MS 10000
/* How long connect() to a control socket may wait: it waits only when the
 * keeper's listen backlog is full, i.e. when the keeper does not accept. */
#define JAIL_CONNECT_TIMEOUT_MS 5000
/* How long a login waits for the key's lock. A holder's own waits are all
 * bounded (connect, two replies, a launch, the user's lock: about 60 s at
 * worst, far less in practice), so this is a backstop, never a hang. */
#define JAIL_LOCK_TIMEOUT_MS 60000

#endif
