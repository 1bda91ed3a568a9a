"""Shared fixtures: the built site (one build per session) and the test split of MNIST."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def build_result():
    """Run ``jupyter-book build . -W --keep-going`` once per session (cheap when nothing changed)."""
    jb = REPO / ".venv" / "bin" / "jupyter-book"
    proc = subprocess.run([str(jb), "build", ".", "-W", "--keep-going"], cwd=REPO,
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:   # else the next build would take the failed pages for up to date (see Makefile)
        (REPO / "_build" / ".doctrees" / "environment.pickle").unlink(missing_ok=True)
    return proc


@pytest.fixture(scope="session")
def site_dir(request) -> Path:
    """The folder of the built HTML. ``NNBOOK_SITE`` points it at a chapter build (``make chapter``)
    instead of building the whole book."""
    override = os.environ.get("NNBOOK_SITE")
    if override:
        return Path(override)
    proc = request.getfixturevalue("build_result")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return REPO / "_build" / "html"
