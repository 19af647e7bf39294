#!/bin/bash
# The VM tier (make check-vm): pam_jail on a real Debian 12 host, installed
# the way an administrator installs it. Builds the .deb (and a second one
# with a higher version for the upgrade check), builds or reuses the cached
# guest image, boots it under qemu (TCG), runs tests/vm/checks/*.sh in name
# order against the one guest, and shuts it down.
#
# The checks share the guest and build on each other (install, enable,
# log in, upgrade, remove); when the install (10-) or the enable (20-) check
# fails the rest are not run, since they would only repeat that failure.
#
# Environment: BUILD (build tree; default build), VM_CACHE (image cache;
# default $BUILD/vm-cache), JAIL_TESTS_MUST_RUN=1 (a skip fails the run),
# VM_CHECKS="10 20" (run only the checks with these number prefixes),
# VM_CONTINUE=1 (run every check even after a failed install; debugging),
# VM_DEB_SOURCE=head|worktree|untracked and VM_DEB_REV=COMMIT (what to
# package; see build-deb.sh),
# VM_KEEP=1 (leave the guest running at the end, for debugging; prints how
# to reach and stop it).
set -u
here=$(cd "$(dirname "$0")" && pwd)
export SRC=$(cd "$here/../.." && pwd)
export BUILD=${BUILD:-$SRC/build}
export TESTS=$SRC/tests
cache=${VM_CACHE:-$BUILD/vm-cache}
out=$BUILD/vm
must_run=${JAIL_TESTS_MUST_RUN:-0}

[ "$(id -u)" -eq 0 ] || { echo "check-vm: needs root (debootstrap, and qemu's image)"; exit 1; }
for tool in qemu-system-x86_64 ssh scp ss; do
	command -v "$tool" >/dev/null || { echo "check-vm: needs $tool (make deps)"; exit 1; }
done

. "$here/vm.sh"

export VM_RUN=$out/run
rm -rf --one-file-system "$VM_RUN"
mkdir -p "$VM_RUN"

tier_start=$EPOCHREALTIME
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

cleanup() {
	if [ "${VM_KEEP:-0}" = 1 ] && [ -n "$VM_PID" ]; then
		echo "check-vm: guest left running (qemu PID $VM_PID); ssh with:"
		echo "  ssh -i $VM_IMAGE/id_ed25519 -p $VM_PORT -o UserKnownHostsFile=$VM_IMAGE/known_hosts -o HostKeyAlias=pjvm root@127.0.0.1"
		return
	fi
	vm_stop
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t=$EPOCHREALTIME
version=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
export VM_DEB VM_DEB_UPGRADE
VM_DEB=$("$here/build-deb.sh" "$out" 2>"$VM_RUN/build-deb.log") || {
	cat "$VM_RUN/build-deb.log"; echo "FAIL vm/package: the .deb did not build"; exit 1; }
# A higher version of the same tree: what an upgrade brings.
VM_DEB_UPGRADE=$("$here/build-deb.sh" "$out" "$version+vmtest1" 2>>"$VM_RUN/build-deb.log") || {
	cat "$VM_RUN/build-deb.log"; echo "FAIL vm/package: the upgrade .deb did not build"; exit 1; }
grep 'lintian: [EW]:' "$VM_RUN/build-deb.log" | sort -u | sed 's/^build-deb.sh: /    /'
echo "PASS vm/package ($(elapsed "$t")s): $(basename "$VM_DEB"), lintian without errors; $(sed -n 's/^build-deb.sh: packaging //p' "$VM_RUN/build-deb.log" | head -n 1)"

t=$EPOCHREALTIME
image=$("$here/image.sh" "$cache" 2>"$VM_RUN/image.log") || {
	cat "$VM_RUN/image.log"; echo "FAIL vm/image"; exit 1; }
image_secs=$(elapsed "$t")
if grep -q 'image built' "$VM_RUN/image.log"; then
	echo "PASS vm/image (${image_secs}s, built)"
else
	echo "PASS vm/image (${image_secs}s, cached; built in $(cat "$image/build-seconds") s)"
fi

if ! vm_boot "$image" "$VM_RUN"; then
	echo "FAIL vm/boot"
	exit 1
fi
export VM_PORT VM_IMAGE
echo "PASS vm/boot (${VM_BOOT_SECONDS}s from qemu start to the guest's sshd)"

# Checks that fail for a reason an open issue fixes: "ISSUE|TEXT", where
# TEXT is part of the one failure expected. That failure is shown as XFAIL
# and does not fail the tier; any other failure is a FAIL, and a pass is
# shown as XPASS (take the entry out then).
declare -A known_failures=(
)

passed=0 failed=0 skipped=0 xfailed=0
failed_names=()
for check in "$here"/checks/*.sh; do
	name=$(basename "$check" .sh)
	if [ -n "${VM_CHECKS:-}" ]; then
		case " $VM_CHECKS " in *" ${name%%-*} "*) ;; *) continue ;; esac
	fi
	t=$EPOCHREALTIME
	# 300 s each, unless the check says "# vm-check-timeout: SECONDS".
	limit=$(sed -n '1,5s/^# vm-check-timeout: \([0-9]\+\)$/\1/p' "$check")
	timeout --kill-after=10 "${limit:-300}" bash "$check" >"$VM_RUN/$name.log" 2>&1 </dev/null
	rc=$?
	secs=$(elapsed "$t")
	known=${known_failures[$name]:-}
	why=$(grep -h '^FAIL: ' "$VM_RUN/$name.log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1)); echo "PASS vm/$name (${secs}s)"
		# A check's "report: TEXT" lines (e.g. 70-e2e's per-test results).
		sed -n 's/^report: /    /p' "$VM_RUN/$name.log"
		[ -z "$known" ] || echo "XPASS vm/$name: listed as failing until ${known%%|*}; take it off run.sh's known_failures"
	elif [ -n "$known" ] && [ $rc -eq 1 ] && [[ $why == *"${known#*|}"* ]]; then
		xfailed=$((xfailed + 1)); echo "XFAIL vm/$name (until ${known%%|*}): $why"
	elif [ $rc -eq 77 ] && [ "$must_run" != 1 ]; then
		skipped=$((skipped + 1)); echo "SKIP vm/$name: $(tail -n 1 "$VM_RUN/$name.log")"
	else
		failed=$((failed + 1)); failed_names+=("vm/$name")
		[ $rc -eq 77 ] && echo "FAIL vm/$name: skipped, but JAIL_TESTS_MUST_RUN=1" ||
			echo "FAIL vm/$name (exit $rc, ${secs}s)"
		tail -n 40 "$VM_RUN/$name.log" | sed 's/^/    | /'
		case ${VM_CONTINUE:-0}:$name in
		0:10-* | 0:20-*) echo "check-vm: not running the later checks without a working install"; break ;;
		esac
	fi
done

t=$EPOCHREALTIME
if [ "${VM_KEEP:-0}" != 1 ]; then
	vm_stop
	echo "vm/shutdown: $(elapsed "$t")s"
fi
echo
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "vm tier: $passed passed, $failed failed, $skipped skipped, $xfailed known failures; image ${image_secs}s, boot ${VM_BOOT_SECONDS}s, total $(elapsed "$tier_start")s"
[ $failed -eq 0 ]
