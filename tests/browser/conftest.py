"""Browser fixtures: the built site served on 127.0.0.1 (free port) and Debian's Chromium via Playwright.

Tests call ``page.goto("book/01_digit3.html")``; pytest-playwright resolves it against ``base_url``.
Every page records requests that leave the origin in ``page.outside_requests`` and console errors in
``page.console_errors`` so a test can assert both are empty.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nnbook.site.server import CHROMIUM, CHROMIUM_ARGS, serve


@pytest.fixture(scope="session")
def site_server(site_dir):
    with serve(site_dir) as base:
        yield base


@pytest.fixture(scope="session")
def base_url(site_server):
    return site_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def page(page, base_url):
    page.outside_requests = []
    page.console_errors = []
    page.on("request", lambda r: None if r.url.startswith(base_url) or r.url.startswith("data:")
            or r.url.startswith("blob:") else page.outside_requests.append(r.url))
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return page


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def toc_pages() -> list[str]:
    """Every page of ``_toc.yml`` (root, parts, chapters, sections) as a built page path, plus the search page.
    Tests that take a ``toc_page`` argument run once per page, so a new chapter is covered automatically."""
    toc = yaml.safe_load((Path(__file__).resolve().parents[2] / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            files.extend([node["file"]] if "file" in node else [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [f"{Path(f).with_suffix('')}.html" for f in files] + ["search.html"]


def pytest_generate_tests(metafunc):
    if "toc_page" in metafunc.fixturenames:
        metafunc.parametrize("toc_page", toc_pages())
