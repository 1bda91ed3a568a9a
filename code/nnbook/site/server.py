"""Serve the built site on 127.0.0.1 and launch Debian's Chromium the one way the tests, the benchmarks and
the screenshot script all use (DESIGN.md, "Browser tests").

The flags keep headless Chromium from reaching for Google hosts (this machine has no internet); the
``--host-resolver-rules`` line makes every host but 127.0.0.1 unresolvable, so an outside request fails fast
instead of hanging.
"""
from __future__ import annotations

import functools
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a browser downloaded by Playwright
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files with the MIME types onnxruntime-web needs (application/wasm for streaming compile)."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".mjs": "text/javascript", ".js": "text/javascript", ".onnx": "application/octet-stream"}

    def log_message(self, *args):
        pass


@contextmanager
def serve(site: str | Path):
    """Serve ``site`` on 127.0.0.1 at a free port; yields the base URL (``http://127.0.0.1:PORT/``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def launch(playwright):
    """Headless Debian Chromium through Playwright, with :data:`CHROMIUM_ARGS`."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
