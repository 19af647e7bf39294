#!/bin/bash
# An interactive login, typed into and read from a real terminal (tmux):
# the banner and a prompt appear, commands run, and job control works (the
# jail's pty is a real controlling terminal).
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"
need_cmd tmux

e2e_standard_setup
sock=$(uniq_name tmux)
tm() { tmux -L "$sock" "$@"; }
on_exit tmux -L "$sock" kill-server

# LogLevel INFO on the client so it prints sshd's Banner.
tm -f /dev/null new-session -d -x 160 -y 40 -s e2e \
	"ssh -F $E2E_SSH_CONFIG -o LogLevel=INFO -tt $UA@main; echo SSH-EXITED-\$?; sleep 600"
screen() { tm capture-pane -p -J -t e2e -S -200 | grep -v "^$"; }
shows() { screen | grep -qF -- "$1"; }
type_line() { tm send-keys -t e2e -l -- "$1"; tm send-keys -t e2e Enter; }
expect() { # text what
	# 120 s: under qemu's emulation on a loaded host the first prompt
	# came after more than 30 s (VM tier, 70-e2e).
	wait_for 120 shows "$1" || { screen; fail "$2: '$1' never appeared"; }
}

# (The system sshd, E2E_SSHD=system, has no Banner.)
[ -z "${SSHD_BANNER[main]}" ] || expect "${SSHD_BANNER[main]}" "banner"
# Debian's /etc/bash.bashrc prompt is user@host: the host is the jail's.
expect "$UA@jail-$UA" "prompt"
type_line 'echo "sum=$((6 * 7))"'
expect "sum=42" "a command's output"
type_line 'tty; test -t 0 && echo has-a-tty'
expect "has-a-tty" "controlling terminal"

# Job control: background, list, foreground, suspend, kill.
type_line 'sleep 100 &'
type_line 'jobs'
expect "Running" "jobs lists the background job"
type_line 'fg'
fg_shown() { screen | tail -n 1 | grep -qx 'sleep 100'; }
wait_for 10 fg_shown || { screen; fail "fg did not bring the job back"; }
tm send-keys -t e2e C-z
expect "Stopped" "Ctrl-Z stops the foreground job"
type_line 'bg; jobs -l | grep -c Running'
expect "sleep 100 &" "bg resumes the job"
type_line 'kill %1; wait %1; echo "killed-rc=$?"'
expect "killed-rc=143" "kill %1 ends the job with SIGTERM"

# The shell's parent is sshd inside the jail; PID 1 is the jail's init.
type_line 'echo "init=$(cat /proc/1/comm)"'
expect "init=jail-init" "PID 1 seen from the interactive shell"

type_line 'exit 5'
expect "SSH-EXITED-5" "exit status of the interactive session"
ok "interactive session: banner, prompt, commands, job control"
e2e_wait_no_jails
