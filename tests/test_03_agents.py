"""Chapter 03: the behaviour the agent lessons teach, checked against the offline model."""

import asyncio
import os

import pytest
from pydantic import BaseModel

import workbook

workbook.setup(quiet=True)

from agents import (  # noqa: E402
    Agent,
    ModelSettings,
    MultiProvider,
    OpenAIChatCompletionsModel,
    OpenAIProvider,
    RunConfig,
    Runner,
)
from agents.exceptions import MaxTurnsExceeded, UserError  # noqa: E402
from agents.items import MessageOutputItem, ToolCallItem, ToolCallOutputItem  # noqa: E402
from openai import AsyncOpenAI  # noqa: E402

from workbook.course_tools import weather_tool  # noqa: E402
from workbook.lessons import ROOT  # noqa: E402


def _model(name=None):
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    return OpenAIChatCompletionsModel(model=name or os.environ["OPENAI_MODEL_NAME"], openai_client=client)


def _weather_agent(**kwargs):
    return Agent(name="天气助手", instructions="你是一个天气助手，你只能回答关于天气的问题。",
                 model=_model(), tools=[weather_tool], **kwargs)


def test_weather_agent_calls_the_tool_and_answers_from_it():
    result = asyncio.run(Runner.run(_weather_agent(), "武汉的天气"))
    kinds = [type(i) for i in result.new_items]
    assert kinds == [ToolCallItem, ToolCallOutputItem, MessageOutputItem]
    call = result.new_items[0].raw_item
    assert call.name == "get_weather" and '"武汉"' in call.arguments
    assert result.new_items[1].output == {"city": "武汉", "condition": "晴", "temperature_c": 26}
    assert "晴" in result.final_output and "26" in result.final_output


def test_max_turns_one_with_a_tool_call_raises():
    with pytest.raises(MaxTurnsExceeded):
        asyncio.run(Runner.run(_weather_agent(), "武汉的天气", max_turns=1))


def test_structured_output_is_a_weather_result():
    class WeatherResult(BaseModel):
        city: str
        condition: str
        source: str
        message: str

    result = asyncio.run(Runner.run(_weather_agent(output_type=WeatherResult), "武汉的天气"))
    weather = result.final_output_as(WeatherResult, raise_if_incorrect_type=True)
    assert weather.model_dump()["city"] == "武汉" and weather.condition == "晴"


def test_slash_model_name_as_string_fails_and_both_fixes_work():
    plain = Agent(name="Assistant", instructions="Answer.", model="Qwen/Qwen3-32B")
    with pytest.raises(UserError, match="Unknown prefix: Qwen"):
        asyncio.run(Runner.run(plain, "hi"))
    wrapped = Agent(name="Assistant", instructions="Answer.", model=_model("Qwen/Qwen3-32B"))
    assert asyncio.run(Runner.run(wrapped, "hi")).final_output
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    provider = MultiProvider(openai_client=client, openai_use_responses=False, unknown_prefix_mode="model_id")
    result = asyncio.run(Runner.run(plain, "hi", run_config=RunConfig(model_provider=provider)))
    assert result.final_output


def test_built_in_provider_uses_chat_completions():
    client = AsyncOpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    model = OpenAIProvider(openai_client=client, use_responses=False).get_model("course-model")
    assert isinstance(model, OpenAIChatCompletionsModel)


def test_run_sync_refuses_a_running_loop():
    async def inside_a_loop():
        Runner.run_sync(_weather_agent(), "武汉的天气")

    with pytest.raises(RuntimeError, match="event loop is already running"):
        asyncio.run(inside_a_loop())


def test_tool_choice_none_and_required():
    def tools_called(choice):
        agent = _weather_agent(model_settings=ModelSettings(tool_choice=choice))
        result = asyncio.run(Runner.run(agent, "武汉的天气"))
        return [i for i in result.new_items if isinstance(i, ToolCallItem)]

    assert tools_called("none") == []
    assert len(tools_called("required")) == 1


def test_three_client_scripts_and_readme_exist():
    chapter = ROOT / "03_agents"
    for name in ("03_01_global_client.py", "03_02_model_provider.py", "03_03_agent_model.py"):
        assert (chapter / name).is_file()
    assert "set_default_openai_api(\"chat_completions\")" in (chapter / "03_01_global_client.py").read_text()
    assert "model_name: str | None" in (chapter / "03_02_model_provider.py").read_text()
