"""The code a learner reads is lint-clean (ruff, configured in pyproject.toml)."""

import subprocess
import sys

from workbook.lessons import ROOT


def test_ruff_finds_nothing():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
