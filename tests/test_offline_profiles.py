"""Provider profiles: the offline model behaves as each provider documents, seen through the real openai client."""

import json
import os
import subprocess
import sys

import openai
import pytest
from openai import OpenAI

from workbook.capabilities import needs_in
from workbook.offline import Options, start_in_background
from workbook.offline.profiles import PROFILES, SOURCES, get

QUESTION = [{"role": "user", "content": "What's the weather in Beijing?"}]
SCHEMA = {"type": "json_schema", "json_schema": {"name": "w", "strict": True, "schema": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
    "additionalProperties": False}}}


@pytest.fixture(scope="module")
def servers():
    started = {name: start_in_background(Options(profile=name)) for name in PROFILES}
    yield started
    for server in started.values():
        server.stop()


def client(servers, name) -> OpenAI:
    return OpenAI(base_url=servers[name].base_url, api_key="k", max_retries=0)


def test_every_fact_names_a_documented_source():
    for profile in PROFILES.values():
        assert profile.sources, profile.name
        for fact, keys in profile.sources.items():
            for key in keys.split(", "):
                assert SOURCES[key].startswith("https://"), (profile.name, fact, key)
    with pytest.raises(ValueError, match="profiles are: openai, dashscope"):
        get("bedrock")


@pytest.mark.parametrize("name", ["deepseek", "siliconflow"])
def test_chat_only_providers_answer_responses_with_their_404(servers, name):
    with pytest.raises(openai.NotFoundError) as caught:
        client(servers, name).responses.create(model=PROFILES[name].example_model, input="hi")
    assert "/v1/responses" in str(caught.value)
    reply = client(servers, name).chat.completions.create(model=PROFILES[name].example_model, messages=QUESTION)
    assert reply.choices[0].message.content


def test_siliconflow_errors_come_in_its_own_envelope_and_names_need_a_slash(servers):
    sf = client(servers, "siliconflow")
    with pytest.raises(openai.BadRequestError) as caught:
        sf.chat.completions.create(model="Qwen3-32B", messages=QUESTION)
    body = caught.value.response.json()
    assert set(body) == {"code", "message", "data"} and body["message"].startswith("Model does not exist")
    assert sf.chat.completions.create(model="Qwen/Qwen3-32B", messages=QUESTION).choices[0].message.content


def test_deepseek_has_json_object_only_and_its_own_model_names(servers):
    ds = client(servers, "deepseek")
    with pytest.raises(openai.BadRequestError, match="This response_format type is unavailable now"):
        ds.chat.completions.create(model="deepseek-chat", messages=QUESTION, response_format=SCHEMA)
    reply = ds.chat.completions.create(model="deepseek-chat", messages=QUESTION, response_format={"type": "json_object"})
    assert isinstance(json.loads(reply.choices[0].message.content), dict)
    with pytest.raises(openai.BadRequestError, match="Model Not Exist"):
        ds.chat.completions.create(model="gpt-4.1", messages=QUESTION)


def test_deepseek_reasons_only_with_the_reasoner(servers):
    ds = client(servers, "deepseek")
    chat = ds.chat.completions.create(model="deepseek-chat", messages=QUESTION, reasoning_effort="high")
    reasoner = ds.chat.completions.create(model="deepseek-reasoner", messages=QUESTION)
    assert not (chat.choices[0].message.model_extra or {}).get("reasoning_content")
    assert reasoner.choices[0].message.model_extra["reasoning_content"]


@pytest.mark.parametrize("name", ["dashscope", "siliconflow"])
def test_enable_thinking_switches_reasoning_on_and_off(servers, name):
    c, model = client(servers, name), PROFILES[name].example_model
    on = c.chat.completions.create(model=model, messages=QUESTION, extra_body={"enable_thinking": True})
    off = c.chat.completions.create(model=model, messages=QUESTION, reasoning_effort="high",
                                    extra_body={"enable_thinking": False})
    assert on.choices[0].message.model_extra["reasoning_content"]
    assert "reasoning_content" not in (off.choices[0].message.model_extra or {})
    stream = c.chat.completions.create(model=model, messages=QUESTION, stream=True,
                                       extra_body={"enable_thinking": True})
    assert any((chunk.choices[0].delta.model_extra or {}).get("reasoning_content") for chunk in stream if chunk.choices)


def test_dashscope_json_modes(servers):
    ds = client(servers, "dashscope")
    with pytest.raises(openai.BadRequestError, match="must contain the word 'json'"):
        ds.chat.completions.create(model="qwen-plus", messages=QUESTION, response_format={"type": "json_object"})
    asked = [{"role": "user", "content": "Weather in Beijing, as JSON please."}]
    ds.chat.completions.create(model="qwen-plus", messages=asked, response_format={"type": "json_object"})
    assert json.loads(ds.chat.completions.create(model="qwen-plus", messages=QUESTION,
                                                 response_format=SCHEMA).choices[0].message.content)["city"]
    with pytest.raises(openai.BadRequestError) as caught:  # json_schema only on qwen-plus models
        ds.chat.completions.create(model="qwen3-max", messages=QUESTION, response_format=SCHEMA)
    assert caught.value.response.json()["request_id"]
    assert client(servers, "dashscope").responses.create(model="qwen-plus", input="hi").output_text


def test_ollama_reasoning_field_and_stateless_responses(servers):
    ol = client(servers, "ollama")
    reply = ol.chat.completions.create(model="qwen3:8b", messages=QUESTION, reasoning_effort="low")
    extra = reply.choices[0].message.model_extra or {}
    assert extra.get("reasoning") and "reasoning_content" not in extra
    stream = ol.chat.completions.create(model="qwen3:8b", messages=QUESTION, reasoning_effort="low", stream=True)
    assert any((c.choices[0].delta.model_extra or {}).get("reasoning") for c in stream if c.choices)
    first = ol.responses.create(model="qwen3:8b", input="My name is Li Lei.")
    with pytest.raises(openai.BadRequestError, match="previous_response_id"):
        ol.responses.create(model="qwen3:8b", input="What is my name?", previous_response_id=first.id)


def test_vllm_errors_carry_the_status_as_code(servers):
    with pytest.raises(openai.BadRequestError) as caught:
        client(servers, "vllm").chat.completions.create(model="Qwen/Qwen3-8B", messages=[])
    error = caught.value.response.json()["error"]
    assert error["code"] == 400 and error["type"] == "BadRequestError"


def test_only_openai_serves_conversations(servers):
    assert client(servers, "openai").conversations.create().id.startswith("conv_")
    for name in ("dashscope", "deepseek", "ollama", "vllm"):
        with pytest.raises(openai.NotFoundError):
            client(servers, name).conversations.create()


def test_setup_reads_the_profile_from_the_environment_and_lessons_see_the_capabilities():
    code = ("import os, workbook; p = workbook.setup(); print(p.model, os.environ['OPENAI_RESPONSES_API']); "
            "print(workbook.supports('responses_api', instead='01_01 shows Chat Completions.'))")
    env = {**os.environ, "WORKBOOK_OFFLINE": "1", "OFFLINE_MODEL_PROFILE": "deepseek"}
    env.pop("OFFLINE_MODEL_NAME", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    lines = done.stdout.splitlines()
    assert "as DeepSeek (deepseek-chat)" in lines[0]
    assert lines[1] == "deepseek-chat false"
    assert lines[2].startswith("[needs Responses API] DeepSeek") and lines[2].endswith("01_01 shows Chat Completions.")
    assert lines[3] == "False"
    assert needs_in(done.stdout) == ["Responses API"]


def test_a_skip_names_what_is_really_missing():
    """Stored responses on DeepSeek: the Responses API is what is missing, and the line says so."""
    code = ("import workbook; workbook.setup(quiet=True); print(workbook.supports('stored_responses')); "
            "print(workbook.supports('conversations_api'))")
    lines = {}
    for profile in ("deepseek", "ollama"):
        env = {**os.environ, "WORKBOOK_OFFLINE": "1", "OFFLINE_MODEL_PROFILE": profile}
        env.pop("OFFLINE_MODEL_NAME", None)
        lines[profile] = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                        timeout=60).stdout.splitlines()
    assert lines["deepseek"][0] == ("[needs Responses API] DeepSeek (the offline model's profile) has no "
                                    "Responses API (so no stored responses): skipped.")
    assert lines["deepseek"][2].endswith("has no Responses API (so no Conversations API): skipped.")
    # Ollama has a Responses API, only a stateless one: there, stored responses are what is missing
    assert lines["ollama"][0].startswith("[needs stored responses] Ollama") and lines["ollama"][1] == "False"


def test_serve_refuses_an_unknown_profile():
    done = subprocess.run([sys.executable, "-m", "workbook", "serve", "--profile", "bedrock"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown provider profile 'bedrock'" in done.stdout
