"""Exercises for 03_04: a ModelProvider per run, and a model object for slash model names."""

from __future__ import annotations

from agents import Agent, Model, ModelProvider, RunConfig, Runner

from workbook.practice.core import Exercise, check, expect, model_name, recording_client, short

EXERCISES = [
    Exercise(
        id="03_04.1",
        title="Your own ModelProvider",
        task="""Write `make_provider(client)`: return a `ModelProvider` whose `get_model(model_name)` builds an
`OpenAIChatCompletionsModel` on `client` for the **name the agent asks for**, or for `MODEL` when
the agent names none (`model_name` is `None`). The check runs agents through
`RunConfig(model_provider=...)` with model names of its own.""",
        starter='''from agents import Model, ModelProvider, OpenAIChatCompletionsModel


def make_provider(client) -> ModelProvider:
    class PracticeProvider(ModelProvider):
        def get_model(self, model_name: str | None) -> Model:
            ...

    return PracticeProvider()''',
        solution='''from agents import Model, ModelProvider, OpenAIChatCompletionsModel


def make_provider(client) -> ModelProvider:
    class PracticeProvider(ModelProvider):
        def get_model(self, model_name: str | None) -> Model:
            return OpenAIChatCompletionsModel(model=model_name or MODEL, openai_client=client)

    return PracticeProvider()''',
        check="await check_provider(make_provider)",
        wrong_answers=[
            ("ignores the name the agent asks for", '''from agents import Model, ModelProvider, OpenAIChatCompletionsModel


def make_provider(client):
    class PracticeProvider(ModelProvider):
        def get_model(self, model_name):
            return OpenAIChatCompletionsModel(model=MODEL, openai_client=client)

    return PracticeProvider()'''),
        ],
    ),
    Exercise(
        id="03_04.2",
        title="Model names with a slash",
        task="""SiliconFlow-style names such as `Acme/Support-8B` break a plain string `model=` ("Unknown
prefix"). Write `agent_for(model_name, client)`: return an `Agent` named "Assistant" that runs on
`model_name` exactly as given, through `client`, whatever the name contains.""",
        starter='''from agents import Agent, OpenAIChatCompletionsModel


def agent_for(model_name: str, client) -> Agent:
    return Agent(name="Assistant", instructions="Answer briefly.", model=model_name)''',
        solution='''from agents import Agent, OpenAIChatCompletionsModel


def agent_for(model_name: str, client) -> Agent:
    return Agent(name="Assistant", instructions="Answer briefly.",
                 model=OpenAIChatCompletionsModel(model=model_name, openai_client=client))''',
        check="await check_agent_for(agent_for)",
        wrong_answers=[
            ("drops the part before the slash", '''from agents import Agent, OpenAIChatCompletionsModel


def agent_for(model_name, client):
    return Agent(name="Assistant", model=OpenAIChatCompletionsModel(model=model_name.split("/")[-1],
                                                                    openai_client=client))'''),
        ],
    ),
]


@check("03_04.1")
async def check_provider(make_provider):
    client, recorder = recording_client(asynchronous=True)
    provider = make_provider(client)
    expect(isinstance(provider, ModelProvider), "a ModelProvider", short(provider, 60),
           "return an instance of your ModelProvider subclass")
    model = provider.get_model("practice-mini")
    expect(isinstance(model, Model), "get_model('practice-mini') returns a Model", short(model, 60),
           "return OpenAIChatCompletionsModel(model=..., openai_client=client)")
    config = RunConfig(model_provider=provider, tracing_disabled=True)
    for asked, sent_as in (("practice-mini", "practice-mini"), (None, model_name())):
        agent = Agent(name="Assistant", instructions="Answer briefly.", model=asked)
        await Runner.run(agent, "你们周末营业吗？", run_config=config)
        sent = recorder.requests("/chat/completions")
        expect(sent, "a Chat Completions request through the client passed in", "none went through it",
               "OpenAIChatCompletionsModel(model=..., openai_client=client)")
        expect(sent[-1].get("model") == sent_as,
               f"model {sent_as!r} in the request when the agent asks for {asked!r}",
               f"model {sent[-1].get('model')!r}", "use model_name, or MODEL when it is None")
    return "each run got the model its agent asked for, on your client"


@check("03_04.2", hint_on_error="a string goes through the MultiProvider, which reads 'Acme/' as a "
                  "provider prefix: wrap the name in OpenAIChatCompletionsModel(...)")
async def check_agent_for(agent_for):
    client, recorder = recording_client(asynchronous=True)
    for name in ("Acme/Support-8B", "deepseek-ai/DeepSeek-V9"):
        agent = agent_for(name, client)
        expect(isinstance(agent, Agent), "an Agent", short(agent, 60), "return Agent(...)")
        await Runner.run(agent, "你好")
        sent = recorder.requests("/chat/completions")
        expect(sent and sent[-1].get("model") == name, f"a request for the model {name!r}, slash included",
               f"model {sent[-1].get('model')!r}" if sent else "no request through the client passed in",
               "wrap the name in OpenAIChatCompletionsModel(model=model_name, openai_client=client)")
    return "slash names reach the provider unchanged"
