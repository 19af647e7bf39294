# SPDX-License-Identifier: GPL-2.0-or-later
"""The JupyterHub tier's REST and kernel client (Debian's python3 + tornado).

  hubclient.py URL TOKEN wait-hub SECONDS
  hubclient.py URL TOKEN start USER SECONDS      -> "ready" or "failed: ..."
  hubclient.py URL TOKEN stop USER SECONDS       -> "stopped"
  hubclient.py URL TOKEN run USER CODE SECONDS   -> the cell's stdout
  hubclient.py URL TOKEN adduser USER

Every wait polls the hub with a deadline; nothing sleeps blindly.
"""
import json
import sys
import time
import urllib.error
import urllib.request
import uuid

from tornado import httpclient, ioloop, websocket


def call(base, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "token " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read().decode(errors="replace")
        try:
            return e.code, json.loads(text)
        except ValueError:
            return e.code, text


def deadline_loop(seconds, step=0.5):
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        yield
        time.sleep(step)


def wait_hub(base, token, seconds):
    for _ in deadline_loop(seconds):
        try:
            st, _ = call(base, token, "GET", "/hub/api/")
            if st == 200:
                return "up"
        except OSError:
            pass
    return "timeout"


def server_of(base, token, user):
    st, u = call(base, token, "GET", f"/hub/api/users/{user}")
    if st != 200:
        return None, None
    return u.get("servers", {}).get(""), u


def start(base, token, user, seconds):
    st, body = call(base, token, "POST", f"/hub/api/users/{user}/server")
    if st not in (201, 202):
        return f"failed: POST server: {st} {body}"
    for _ in deadline_loop(seconds):
        srv, _ = server_of(base, token, user)
        if srv is None:
            return "failed: no server (the spawn failed)"
        if srv.get("ready"):
            return "ready"
    return "failed: timeout"


def stop(base, token, user, seconds):
    st, body = call(base, token, "DELETE", f"/hub/api/users/{user}/server")
    if st not in (202, 204):
        return f"failed: DELETE server: {st} {body}"
    for _ in deadline_loop(seconds):
        srv, _ = server_of(base, token, user)
        if srv is None:
            return "stopped"
    return "failed: timeout"


async def _execute(base, token, user, code, seconds):
    st, kernel = call(base, token, "POST", f"/user/{user}/api/kernels", {"name": "python3"})
    if st != 201:
        return f"failed: POST kernel: {st} {kernel}"
    ws_url = base.replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel['id']}/channels"
    req = httpclient.HTTPRequest(ws_url, headers={"Authorization": "token " + token},
                                 connect_timeout=float(seconds))
    conn = await websocket.websocket_connect(req)
    msg_id = uuid.uuid4().hex
    conn.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user,
                   "session": uuid.uuid4().hex, "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    out = []
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        raw = await conn.read_message()
        if raw is None:
            break
        m = json.loads(raw)
        if m.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        t = m.get("msg_type") or m["header"]["msg_type"]
        if t == "stream":
            out.append(m["content"]["text"])
        elif t == "error":
            out.append("ERROR " + m["content"]["ename"] + ": " + m["content"]["evalue"])
        elif t == "status" and m["content"]["execution_state"] == "idle":
            break
    conn.close()
    call(base, token, "DELETE", f"/user/{user}/api/kernels/{kernel['id']}")
    return "".join(out)


def main():
    base, token, verb = sys.argv[1], sys.argv[2], sys.argv[3]
    args = sys.argv[4:]
    if verb == "wait-hub":
        print(wait_hub(base, token, args[0]))
    elif verb == "start":
        print(start(base, token, args[0], args[1]))
    elif verb == "stop":
        print(stop(base, token, args[0], args[1]))
    elif verb == "adduser":
        st, body = call(base, token, "POST", f"/hub/api/users/{args[0]}")
        print("ok" if st in (201, 409) else f"failed: {st} {body}")
    elif verb == "run":
        print(ioloop.IOLoop.current().run_sync(
            lambda: _execute(base, token, args[0], args[1], args[2])), end="")
    else:
        sys.exit(f"unknown verb {verb}")


if __name__ == "__main__":
    main()
