#!/bin/bash
# The hub the way people use it: headless Chromium (Debian's chromium) logs
# in through the hub's login page (PAMAuthenticator, the student's
# password), the hub spawns the server through jailctl spawn, the browser
# opens a notebook and runs its cell, whose output must be the jail's
# hostname and the student's jailed view; a screenshot goes to the test's
# log directory. Skipped only when Chromium cannot start here.
. "$TESTS/lib.sh"
. "$TESTS/root/net_env.bash"
net_enter "$@"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
. "$TESTS/jupyterhub/lib-hub.sh"
[ -x /usr/bin/chromium ] || skip "needs Debian's chromium (make deps)"

# Chromium first: if it cannot start, there is nothing to check.
chrome_dir=$je/chrome
mkdir -m 0700 "$chrome_dir"
# --no-sandbox: Chromium's sandbox refuses to run as root; this browser
# only ever loads the test's hub on the test's own loopback.
/usr/bin/chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --no-default-browser-check --user-data-dir="$chrome_dir" \
    --remote-debugging-address=127.0.0.1 --remote-debugging-port=9222 \
    --window-size=1280,900 about:blank >"$je/chrome.log" 2>&1 &
chrome=$!
on_exit "kill -KILL $chrome"
up=
for _ in $(seq 600); do
    je_dead "$chrome" && break
    "$HUB_PY" -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:9222/json/version", timeout=2)' \
        2>/dev/null && { up=1; break; }
    sleep 0.1
done
[ -n "$up" ] || { tail -n 20 "$je/chrome.log"; skip "Chromium cannot start here (log above)"; }
ok "Chromium is up: $("$HUB_PY" -c 'import json, urllib.request; print(json.load(urllib.request.urlopen("http://127.0.0.1:9222/json/version"))["Browser"])')"

hub_setup

# The notebook the browser opens: one cell printing what the kernel sees.
# Made through the server's contents API once the server runs (the hub
# starts it after the browser's login; this waits for it, by polling).
nb='{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
  "source": ["import os, socket\n", "print(\"CELL host=%s user=%s\" % (socket.gethostname(), os.environ[\"USER\"]))"]}],
  "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
  "nbformat": 4, "nbformat_minor": 5}'
(
    for _ in $(seq 2400); do
        "$HUB_PY" - "$hub_url" "$hub_token" "$je_user" "$nb" <<'PY' && exit 0
import json, sys, urllib.request
base, token, user, nb = sys.argv[1:]
req = urllib.request.Request(f"{base}/user/{user}/api/contents/jail.ipynb", method="PUT",
    data=json.dumps({"type": "notebook", "format": "json", "content": json.loads(nb)}).encode(),
    headers={"Authorization": "token " + token, "Content-Type": "application/json"})
try:
    sys.exit(0 if urllib.request.urlopen(req, timeout=5).status in (200, 201) else 1)
except Exception:
    sys.exit(1)
PY
        sleep 0.1
    done
    exit 1
) &
writer=$!

png=${JAIL_TEST_LOGS:-$BUILD/test-logs}/jupyterhub-browser.png
mkdir -p "$(dirname "$png")"
"$HUB_PY" "$TESTS/jupyterhub/browser.py" 9222 "$hub_url" "$je_user" "$hub_password" jail.ipynb \
    "CELL host=jail-$je_user user=$je_user" "$png" 240
rc=$?
wait "$writer" || fail "the notebook could not be written into $je_user's server"
if [ -s "$png" ]; then
    echo "screenshot: $png ($(stat -c %s "$png") bytes); as a data URI:"
    echo "data:image/png;base64,$(base64 -w0 "$png")"
fi
[ $rc -eq 0 ] || { hub_log_tail; fail "the browser did not see the cell's jailed output"; }
for k in $(je_jails); do je_track "$k"; done
ok "Chromium logged in, opened a notebook, ran its cell in $je_user's jail"
