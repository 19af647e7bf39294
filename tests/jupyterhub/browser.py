# SPDX-License-Identifier: GPL-2.0-or-later
"""Drive a headless Chromium through the DevTools protocol (tornado only):
log in on the hub's login page, open a notebook, run its cells, screenshot.

  browser.py DEVTOOLS_PORT HUB_URL USER PASSWORD NOTEBOOK EXPECT PNG SECONDS

Prints what it sees at each step; exit 0 when the cell's output contains
EXPECT, 1 otherwise. Every wait polls the page with a deadline.
"""
import base64
import itertools
import json
import sys
import time
import urllib.request

from tornado import ioloop, websocket


class Page:
    def __init__(self, conn):
        self.conn = conn
        self.ids = itertools.count(1)

    async def call(self, method, **params):
        i = next(self.ids)
        self.conn.write_message(json.dumps({"id": i, "method": method, "params": params}))
        while True:
            raw = await self.conn.read_message()
            if raw is None:
                raise RuntimeError("devtools connection closed")
            m = json.loads(raw)
            if m.get("id") == i:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})

    async def js(self, expr):
        r = await self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        return r.get("result", {}).get("value")

    async def wait_for(self, expr, seconds, what):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                v = await self.js(expr)
            except RuntimeError:
                v = None
            if v:
                return v
            await ioloop.IOLoop.current().run_in_executor(None, time.sleep, 0.5)
        href = await self.js("location.href")
        raise RuntimeError(f"timeout waiting for {what} (at {href})")


async def main(port, hub, user, password, notebook, expect, png, seconds):
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
    page_ws = [t for t in targets if t.get("type") == "page"][0]["webSocketDebuggerUrl"]
    conn = await websocket.websocket_connect(page_ws, max_message_size=64 << 20)
    p = Page(conn)
    ok = False
    try:
        await p.call("Page.enable")
        await p.call("Page.navigate", url=f"{hub}/hub/login")
        await p.wait_for("document.readyState == 'complete' && !!document.getElementById('username_input')",
                         seconds, "the login page")
        print("login page:", await p.js("document.title"))
        await p.js(f"""(function() {{
            document.getElementById('username_input').value = {json.dumps(user)};
            document.getElementById('password_input').value = {json.dumps(password)};
            document.getElementById('login_submit').click(); return true; }})()""")
        await p.wait_for(f"location.pathname.indexOf('/user/{user}/') == 0", seconds,
                         "the user's server after login")
        print("logged in, at:", await p.js("location.pathname"))
        await p.call("Page.navigate", url=f"{hub}/user/{user}/notebooks/{notebook}")
        await p.wait_for("typeof Jupyter != 'undefined' && Jupyter.notebook && Jupyter.notebook.kernel"
                         " && Jupyter.notebook.kernel.is_connected()", seconds, "the notebook's kernel")
        print("notebook open, kernel connected")
        await p.js("Jupyter.notebook.execute_all_cells(); true")
        out = await p.wait_for(
            f"(function() {{ var o = document.querySelector('.output_area pre');"
            f" return o && o.innerText.indexOf({json.dumps(expect)}) >= 0 ? o.innerText : null; }})()",
            seconds, "the cell's output")
        print("cell output:", out.strip())
        ok = True
    except Exception as e:  # the screenshot still shows where it stopped
        print("browser check failed:", e)
    shot = await p.call("Page.captureScreenshot", format="png")
    with open(png, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print("screenshot:", png)
    conn.close()
    return ok


if __name__ == "__main__":
    a = sys.argv[1:]
    ok = ioloop.IOLoop.current().run_sync(
        lambda: main(a[0], a[1], a[2], a[3], a[4], a[5], a[6], float(a[7])))
    sys.exit(0 if ok else 1)
