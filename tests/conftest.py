"""Shared fixtures: offline model servers started in this process, and clients for them."""

from __future__ import annotations

import gc
import os

import httpx
import openai
import pytest

from workbook.offline import Options, start_in_background

LONGEST_FIRST = ("test_provider_matrix.py",)  # every lesson on six profiles: minutes, not seconds


def pytest_collection_modifyitems(items):
    """Start the longest test file first: with `-n 2` the other worker takes everything else meanwhile."""
    items.sort(key=lambda item: item.path.name not in LONGEST_FIRST)  # stable: file order kept otherwise


@pytest.fixture(scope="module", autouse=True)
def collect_what_earlier_test_files_left():
    """Garbage-collect between test files, not in the middle of one.

    A client that an earlier file's test forgot to close is finalised whenever the collector runs;
    its clean-up then targets the event loop it was made on, long closed, and if that happens inside
    an async test the test fails for someone else's leak. With pytest-xdist the order of files
    changes from run to run, so this is done before every file.
    """
    gc.collect()
    yield


@pytest.fixture(scope="session")
def server():
    """The offline model on a free loopback port, for the whole test session."""
    with start_in_background() as running:
        yield running


@pytest.fixture(scope="session")
def chat_only_server():
    """A provider without the Responses API: /v1/responses answers 404."""
    with start_in_background(Options(chat_only=True)) as running:
        yield running


@pytest.fixture
def http(server):
    """Raw HTTP, to see exactly the bytes the server sends."""
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer test-key"},
                      timeout=30) as raw:
        yield raw


@pytest.fixture
def client(server):
    """The official synchronous client, no retries (a retry would hide a failing status)."""
    with openai.OpenAI(base_url=server.base_url, api_key="test-key", max_retries=0, timeout=30) as sync:
        yield sync


@pytest.fixture
def clean_env():
    """No provider variables from the shell or from the test plugin (which forces offline)."""
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith(("OPENAI_", "WORKBOOK_", "OFFLINE_MODEL_")) or key in (
                "BASE_URL", "API_KEY", "MODEL_NAME", "MODEL", "API_BASE"):
            del os.environ[key]
    yield os.environ
    os.environ.clear()
    os.environ.update(saved)
