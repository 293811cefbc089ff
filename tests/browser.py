"""The programs some tests need beyond Python: a Chromium for the browser tests, Graphviz's `dot`.

Which Chromium: Playwright's own (`python -m playwright install chromium`) when it is installed, else
Debian's `/usr/bin/chromium`. `WORKBOOK_CHROMIUM` overrides both (a path, or `none` to act as a machine
without a browser); `WORKBOOK_DOT=none` acts as a machine without Graphviz.

Outside CI a missing program skips the test with one line saying how to install it; with `CI=true`
it fails, so that CI can never turn green by skipping.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

DEBIAN_CHROMIUM = "/usr/bin/chromium"
INSTALL_BROWSER = ("no Chromium for the browser tests: install one with `.venv/bin/python -m playwright install "
                   "chromium` (or `sudo apt-get install chromium` on Debian/Ubuntu)")
INSTALL_DOT = ("no Graphviz (`dot`) for the agent-graph picture: install it with `sudo apt-get install graphviz`, "
               "`brew install graphviz` or `winget install graphviz`")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing(reason: str):
    """Skip outside CI, fail in CI."""
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path(playwright) -> str | None:
    """The Chromium to launch: an override, Playwright's own, or Debian's; None when there is none."""
    override = os.environ.get("WORKBOOK_CHROMIUM", "").strip()
    if override:
        return None if override == "none" or not Path(override).exists() else override
    own = playwright.chromium.executable_path
    if own and Path(own).exists():
        return own
    return DEBIAN_CHROMIUM if Path(DEBIAN_CHROMIUM).exists() else None


@contextmanager
def launched_chromium():
    """A headless Chromium, or a skip (a failure with CI=true) when the machine has none."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        path = chromium_path(p)
        if path is None:
            missing(INSTALL_BROWSER)
        browser = p.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def dot_path() -> str | None:
    if os.environ.get("WORKBOOK_DOT", "").strip() == "none":
        return None
    return shutil.which("dot")


def require_dot() -> str:
    path = dot_path()
    if path is None:
        missing(INSTALL_DOT)
    return path
