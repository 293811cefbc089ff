"""Chapter 07: the chat page in headless Chromium (Playwright's own or Debian's; see tests/browser.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from browser import launched_chromium
from playwright.sync_api import expect
from sse_helpers import APP_DIR, server_env, uvicorn_server

from workbook.offline import free_port

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as browser:  # Playwright's Chromium or Debian's; a one-line skip without one
        yield browser


@pytest.fixture(scope="module")
def static_site():
    """The page served on its own, as the course does with `python -m http.server 8080`."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                               cwd=APP_DIR / "static", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    origin = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(origin, timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield origin
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def backend(tmp_path_factory, static_site):
    # A typewriter-speed model, so the page really receives the answer piece by piece.
    env = server_env(OFFLINE_MODEL_DELAY_MS="25", CHAT_ALLOWED_ORIGINS=static_site)
    with uvicorn_server(tmp_path_factory.mktemp("browser"), env) as (base, _):
        yield base


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 760})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def ask(page, question: str):
    page.fill("#query", question)
    page.press("#query", "Enter")
    answer = page.locator(".msg.assistant").last
    expect(answer).to_have_attribute("data-state", "done", timeout=30_000)
    return answer


def test_streamed_answer_tool_activity_and_handoff(page, backend):
    page.goto(backend + "/")
    expect(page.locator("#conversation")).to_contain_text("conversation")
    # Record every length the answer had while it streamed in.
    page.evaluate("""() => { window.lengths = [];
        new MutationObserver(() => { const t = document.querySelector('.msg.assistant:last-child .text');
          if (t) window.lengths.push(t.textContent.length); })
        .observe(document.querySelector('#messages'), {subtree: true, childList: true, characterData: true}); }""")
    page.fill("#query", "北京的天气")
    page.press("#query", "Enter")
    expect(page.locator("#status")).to_have_text("streaming…")
    tool = page.locator(".tool").first
    expect(tool).to_have_attribute("data-state", "completed", timeout=30_000)
    answer = page.locator(".msg.assistant").last
    expect(answer).to_have_attribute("data-state", "done", timeout=30_000)
    expect(tool).to_have_text('get_weather → {"city": "北京", "condition": "晴", "temperature_c": 25}')
    expect(answer.locator(".handoff")).to_have_text("→ handed off to Weather specialist")
    expect(answer.locator(".text")).to_contain_text("25")  # the model's wording is its own; the figure is the tool's
    expect(page.locator("#agent")).to_have_text("Weather specialist")
    expect(page.locator("#status")).to_have_text("done")
    lengths = page.evaluate("window.lengths")
    assert len(set(lengths)) > 5, f"the answer did not arrive in pieces: {lengths}"
    assert lengths == sorted(lengths)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sse_chat.png"), full_page=True)


def test_model_text_with_markup_renders_inert(page, backend):
    page.goto(backend + "/")
    expect(page.locator("#conversation")).to_contain_text("conversation")
    answer = ask(page, f"Where is my order {XSS}?")  # the tool result quotes the "order id" back
    expect(answer.locator(".tool")).to_contain_text(XSS)
    expect(page.locator(".msg.user").first).to_have_text(f"Where is my order {XSS}?")
    page.wait_for_timeout(300)
    assert page.locator("#messages img").count() == 0
    assert page.dialogs == []
    page.screenshot(path=str(ARTIFACTS / "sse_chat_xss.png"), full_page=True)


def test_standalone_page_calls_the_backend_across_origins(page, backend, static_site):
    page.goto(f"{static_site}/index.html?api={backend}")
    expect(page.locator("#backend")).to_have_value(backend)
    answer = ask(page, "Where is my order A1001?")
    expect(answer.locator(".tool")).to_contain_text('query_order → {"order_id": "A1001", "status": "shipped"')
    expect(page.locator("#agent")).to_have_text("Order specialist")
    follow_up = ask(page, "Is P100 in stock?")
    # One handoff line: the triage agent starting the turn is no handoff.
    expect(follow_up.locator(".handoff")).to_have_text(["→ handed off to Product specialist"])
    expect(follow_up.locator(".tool")).to_have_text('check_inventory → {"sku": "P100", "in_stock": true, "units": 42}')
    # "New conversation" starts over with a new id.
    before = page.locator("#conversation").text_content()
    page.click("#new-conversation")
    expect(page.locator(".msg")).to_have_count(0)
    expect(page.locator("#conversation")).not_to_have_text(before)


def test_errors_are_shown(page, backend):
    dead = f"http://127.0.0.1:{free_port()}"
    page.goto(f"{backend}/?api={dead}")
    expect(page.locator(".error")).to_contain_text(f"Cannot reach the backend at {dead}")
    expect(page.locator("#status")).to_have_text("error")


def test_a_provider_error_reaches_the_page(page, tmp_path):
    env = server_env(OPENAI_BASE_URL=f"http://127.0.0.1:{free_port()}/v1", OPENAI_API_KEY="sk-test-not-a-real-key",
                     OPENAI_MODEL_NAME="course-model", OPENAI_RESPONSES_API="true")
    env.pop("WORKBOOK_OFFLINE")
    with uvicorn_server(tmp_path, env) as (base, _):
        page.goto(base + "/")
        expect(page.locator("#conversation")).to_contain_text("conversation")
        page.fill("#query", "Is P100 in stock?")
        page.press("#query", "Enter")
        expect(page.locator(".error")).to_have_text("Could not reach the model provider (the connection failed "
                                                    "or dropped).", timeout=30_000)
        expect(page.locator(".msg.assistant").last).to_have_attribute("data-state", "error")
        expect(page.locator("#send")).to_be_enabled()
