"""Loaded by pytest (see pyproject.toml): every test and notebook runs against the offline model.

A learner's `.env` may name a real provider; the tests must not spend their tokens, and stored
notebook outputs are what the offline model produces, so the suite forces it.
"""

import os


def pytest_configure(config):
    os.environ["WORKBOOK_OFFLINE"] = "1"
    os.environ.pop("OFFLINE_MODEL_DELAY_MS", None)
