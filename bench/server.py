"""Start `streamlit run app/streamlit_app.py` of a checkout on a loopback port, and the headless
Chromium settings that drive it: one launcher for the browser tests (tests/browser/server.py) and
the benches (capacity, first visit, load, hostile links)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playground import embeddings

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
# Offline, Streamlit's own page asks for a few outside hosts; these console errors are expected.
BENIGN = ("ERR_NAME_NOT_RESOLVED", "ERR_INTERNET_DISCONNECTED", "ERR_CONNECTION_REFUSED",
          "status of 404", "Failed to load resource")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(port: int | None = None, root: Path = ROOT, env: dict[str, str | None] | None = None,
                     timeout: float = 180, script: Path | None = None):
    """Yield ``(url, process)`` of a fresh `streamlit run` of the checkout at ``root`` on
    127.0.0.1:``port`` (a free one by default), offline, importing that checkout's code; ``env``
    adds environment variables (``None`` removes one); ``script`` runs another entry script than
    the app's (a bench's own tiny app). Stopped on exit."""
    full_env = {**os.environ, **embeddings.OFFLINE_SETTINGS, "PYTHONPATH": f"{root / 'src'}:{root / 'app'}"}
    for name, value in (env or {}).items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = value
    port = port or free_port()
    with tempfile.TemporaryFile("w+") as log:  # a file, not a pipe: a chatty server never blocks
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script or root / "app" / "streamlit_app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=root, env=full_env, stdout=subprocess.DEVNULL, stderr=log, text=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + timeout
            while True:
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.time() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"streamlit on port {port} did not start: {log.read()[-2000:]}")
                time.sleep(0.5)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
