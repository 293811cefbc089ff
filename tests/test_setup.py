"""`workbook.setup()`, `doctor` and the command line, as a learner meets them.

setup() keeps one offline server per process in `workbook._offline_server`; the `fresh` fixture
gives each test its own slot and stops whatever the test started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import workbook
from workbook.doctor import diagnose
from workbook.offline import free_port, start_in_background

ROOT = Path(__file__).resolve().parents[1]
OFFLINE_LINE = ("Model provider: the offline course model (course-model), no API key needed. "
                "Put a provider in .env to use a real model.")


@pytest.fixture
def fresh(clean_env):
    """A process with no offline model started yet and no provider variables."""
    saved = workbook._offline_server
    workbook._offline_server = None
    yield clean_env
    started = workbook._offline_server
    workbook._offline_server = saved
    if started is not None and started is not saved:
        started.stop()


def dotenv(tmp_path: Path, text: str) -> str:
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_empty_env_starts_the_offline_model(fresh, tmp_path, capsys):
    provider = workbook.setup(dotenv_path=dotenv(tmp_path, ""))
    assert capsys.readouterr().out == OFFLINE_LINE + "\n"
    assert provider.offline and provider.model == "course-model"
    assert os.environ["OPENAI_BASE_URL"] == workbook._offline_server.base_url
    assert os.environ["OPENAI_BASE_URL"].startswith("http://127.0.0.1:")
    assert os.environ["OPENAI_MODEL_NAME"] == "course-model"
    assert os.environ["OPENAI_AGENTS_DISABLE_TRACING"] == "1" and os.environ["OPENAI_RESPONSES_API"] == "true"
    reply = httpx.get(os.environ["OPENAI_BASE_URL"] + "/models",
                      headers={"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"})
    assert reply.status_code == 200
    # A second call (a later cell, another lesson) reuses the same server.
    server = workbook._offline_server
    again = workbook.setup(dotenv_path=dotenv(tmp_path, ""), quiet=True)
    assert workbook._offline_server is server and again.base_url == provider.base_url
    assert capsys.readouterr().out == ""


def test_commented_example_means_offline(fresh, tmp_path, capsys):
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert workbook.setup(dotenv_path=dotenv(tmp_path, example)).offline
    assert capsys.readouterr().out == OFFLINE_LINE + "\n"


def test_offline_env_overrides_a_provider(fresh, tmp_path, capsys):
    text = ("WORKBOOK_OFFLINE=1\nOFFLINE_MODEL_NAME=course-reasoner\n"
            "OPENAI_BASE_URL=https://api.deepseek.com/v1\nOPENAI_API_KEY=sk-not-used-4242\n"
            "OPENAI_MODEL_NAME=deepseek-chat\n")
    provider = workbook.setup(dotenv_path=dotenv(tmp_path, text))
    out = capsys.readouterr().out
    assert provider.offline and provider.model == "course-reasoner"
    assert os.environ["OPENAI_MODEL_NAME"] == "course-reasoner"
    assert os.environ["OPENAI_API_KEY"] != "sk-not-used-4242"
    assert os.environ["OPENAI_BASE_URL"] == workbook._offline_server.base_url
    assert "sk-not-used-4242" not in out and out.startswith("Model provider: the offline course model (course-reasoner)")


def test_real_provider_env_starts_nothing(fresh, tmp_path, capsys):
    with start_in_background() as stand_in:
        text = f"OPENAI_BASE_URL={stand_in.base_url}\nOPENAI_API_KEY=test-key\nOPENAI_MODEL_NAME=course-model\n"
        provider = workbook.setup(dotenv_path=dotenv(tmp_path, text))
        out = capsys.readouterr().out
        assert workbook._offline_server is None, "a configured provider must not start the offline model"
        assert not provider.offline and provider.base_url == stand_in.base_url
        assert out == f"Model provider: a local server at {stand_in.base_url}, model course-model.\n"
        assert "test-key" not in out
        assert os.environ["OPENAI_BASE_URL"] == stand_in.base_url and os.environ["OPENAI_API_KEY"] == "test-key"
        assert os.environ["OPENAI_RESPONSES_API"] == "false"  # not OpenAI: Chat Completions by default
        import openai

        client = openai.OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
        assert client.chat.completions.create(model=os.environ["OPENAI_MODEL_NAME"],
                                              messages=[{"role": "user", "content": "Hi"}]).choices[0].message.content


def test_known_provider_is_named(fresh, tmp_path, capsys):
    text = ("OPENAI_BASE_URL=https://dashscope.aliyuncs.com/compatible-mode/v1\nOPENAI_API_KEY=sk-secret-9999\n"
            "OPENAI_MODEL_NAME=qwen-plus\nOPENAI_RESPONSES_API=false\n")
    provider = workbook.setup(dotenv_path=dotenv(tmp_path, text))
    out = capsys.readouterr().out
    assert provider.name == "Alibaba DashScope (Qwen)" and "Alibaba DashScope (Qwen)" in out
    assert "sk-secret-9999" not in out and workbook._offline_server is None


@pytest.mark.parametrize(("text", "fix"), [
    ("OPENAI_API_KEY=sk-abc\nOPENAI_MODEL_NAME=qwen-plus\n", "Set OPENAI_BASE_URL"),
    ("OPENAI_BASE_URL=https://api.siliconflow.cn/v1\nOPENAI_MODEL_NAME=Qwen/Qwen3-32B\n", "OPENAI_API_KEY is empty"),
    ("BASE_URL=https://api.deepseek.com/v1\nOPENAI_API_KEY=sk-abc\nOPENAI_MODEL_NAME=deepseek-chat\n",
     "BASE_URL (the workbook reads OPENAI_BASE_URL)"),
    ("OPENAI_BASE_URL=https://api.deepseek.com/v1\nOPENAI_API_KEY=sk-abc\nMODEL_NAME=deepseek-chat\n",
     "MODEL_NAME (the workbook reads OPENAI_MODEL_NAME)"),
    ("OPENAI_BASE_URL=https://api.deepseek.com/v1\nOPENAI_API_KEY=sk-abc\n", "OPENAI_MODEL_NAME is empty"),
    ("OPENAI_BASE_URL=api.deepseek.com\nOPENAI_API_KEY=sk-abc\nOPENAI_MODEL_NAME=deepseek-chat\n", "is not a URL"),
], ids=["key-without-base-url", "remote-without-key", "misspelled-base-url", "misspelled-model-name",
        "no-model", "not-a-url"])
def test_half_configured_env_names_the_fix(fresh, tmp_path, capsys, text, fix):
    with pytest.raises(workbook.ConfigError) as caught:
        workbook.setup(dotenv_path=dotenv(tmp_path, text))
    assert fix in str(caught.value)
    assert "sk-abc" not in str(caught.value) and "sk-abc" not in capsys.readouterr().out
    assert workbook._offline_server is None


def test_setup_in_a_fresh_process_from_a_lesson_folder(tmp_path):
    """As a notebook runs it: cwd is the lesson folder, `.env` found upwards, one line printed."""
    (tmp_path / "chapter").mkdir()
    (tmp_path / ".env").write_text("# nothing configured\n")
    code = ("import os, workbook; workbook.setup(); from openai import OpenAI; "
            "c = OpenAI(base_url=os.environ['OPENAI_BASE_URL'], api_key=os.environ['OPENAI_API_KEY']); "
            "print(c.chat.completions.create(model=os.environ['OPENAI_MODEL_NAME'], "
            "messages=[{'role': 'user', 'content': 'Hello'}]).choices[0].message.content)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "WORKBOOK_"))}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path / "chapter", env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == OFFLINE_LINE and lines[1].startswith("(offline model) Hello!")


# ------------------------------------------------------------------ doctor
def test_doctor_against_chat_only_mode(chat_only_server):
    checks = {c.feature: c for c in diagnose(chat_only_server.base_url, "k", "course-model")}
    assert list(checks) == ["Chat Completions", "Responses API", "streaming", "function tools",
                            "json_schema output", "json_object output", "reasoning"]
    assert not checks["Responses API"].ok and checks["Responses API"].detail.startswith("404")
    assert "no Responses API" in checks["Responses API"].detail
    assert all(c.ok for name, c in checks.items() if name != "Responses API"), checks
    assert "get_weather" in checks["function tools"].detail


def test_doctor_against_the_full_model(server):
    checks = diagnose(server.base_url, "k", "course-model")
    assert all(c.ok for c in checks), checks


def run_cli(*args, env_extra=None, cwd=None, timeout=120):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "WORKBOOK_"))}
    env.update({"COLUMNS": "200", **(env_extra or {})})
    return subprocess.run([sys.executable, "-m", "workbook", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_doctor_cli_prints_the_table(chat_only_server, tmp_path):
    done = run_cli("doctor", cwd=tmp_path, env_extra={
        "OPENAI_BASE_URL": chat_only_server.base_url, "OPENAI_API_KEY": "k", "OPENAI_MODEL_NAME": "course-model"})
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Model provider: a local server at" in out and "What a local server supports" in out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") >= 4}
    assert "not supported" in rows["Responses API"] and "404" in rows["Responses API"]
    for feature in ("Chat Completions", "streaming", "function tools", "json_schema output", "reasoning"):
        assert " ok " in rows[feature], rows[feature]


def test_doctor_cli_offline(tmp_path):
    done = run_cli("doctor", cwd=tmp_path, env_extra={"WORKBOOK_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(" ok ") >= 6 and "not supported" not in done.stdout


# ------------------------------------------------------------------ serve and run
def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            if httpx.get(url, headers={"Authorization": "Bearer k"}, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("serve did not come up")


@pytest.mark.parametrize("stop", ["SIGINT", "terminate"])
def test_serve_answers_and_stops(stop):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "WORKBOOK_"))}
    process = subprocess.Popen([sys.executable, "-m", "workbook", "serve", "--port", str(port), "--delay-ms", "5"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}/v1"
        wait_until_up(base + "/models", process)
        started = time.perf_counter()
        reply = httpx.post(base + "/chat/completions", headers={"Authorization": "Bearer k"}, timeout=30, json={
            "model": "course-model", "stream": True, "messages": [{"role": "user", "content": "Hello there"}]})
        elapsed = time.perf_counter() - started
        chunks = [b for b in reply.text.split("\n\n") if b.startswith("data: ")]
        assert reply.status_code == 200 and chunks[-1] == "data: [DONE]"
        assert elapsed >= 0.005 * (len(chunks) - 2)  # --delay-ms pauses between pieces
    finally:
        if stop == "SIGINT":
            process.send_signal(signal.SIGINT)
        else:
            process.terminate()
        out, _ = process.communicate(timeout=15)
    assert process.returncode is not None
    assert f"http://127.0.0.1:{port}/v1" in out


def test_run_unknown_chapter_fails_clearly(tmp_path):
    done = run_cli("run", "99_nonexistent", cwd=tmp_path, env_extra={"WORKBOOK_OFFLINE": "1"})
    assert done.returncode != 0
    assert "unknown chapter '99_nonexistent'" in done.stderr and "01_models" in done.stderr
