"""The offline model behaves sensibly for agents, tools and prompts it has never seen.

No case here comes from a lesson. Tools overlap in their words on purpose (weather, forecast,
air quality; flight, hotel, cancelling), and arguments must land in the right property.
Structured output is checked against generated JSON Schemas of the strict subset the SDK emits.
"""

from __future__ import annotations

import json
import re
from typing import Literal

import jsonschema
import pytest
from agents import AgentOutputSchema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from workbook.offline.filling import Evidence, fill


def tool(name: str, description: str, **props) -> dict:
    properties = {key: ({"type": kind} if isinstance(kind, str) else kind) for key, kind in props.items()}
    return {"name": name, "description": description,
            "parameters": {"type": "object", "properties": properties, "required": list(properties),
                           "additionalProperties": False}}


WEATHER = [
    tool("get_weather", "Get the current weather conditions for a city.", city="string"),
    tool("get_forecast", "Get the weather forecast for the next days for a city.", city="string", days="integer"),
    tool("get_air_quality", "Get the air quality index (pollution) for a city.", city="string"),
]
TRAVEL = [
    tool("book_flight", "Book a flight ticket between two cities on a date.", origin="string",
         destination="string", date="string"),
    tool("book_hotel", "Book a hotel room in a city for a number of nights.", city="string", nights="integer"),
    tool("cancel_booking", "Cancel an existing booking by its booking id.", booking_id="string"),
]
MATH = [
    tool("add", "Add two numbers.", a="number", b="number"),
    tool("multiply", "Multiply two numbers.", a="number", b="number"),
]
MONEY = [
    tool("convert", "Convert an amount of money from one currency to another.", amount="number",
         from_currency="string", to_currency="string"),
    tool("get_stock_price", "Get the latest share price for a stock ticker.", ticker="string"),
]
HOME = [
    tool("set_thermostat", "Set the home thermostat mode and target temperature.",
         mode={"type": "string", "enum": ["heat", "cool", "off"]}, temperature="integer"),
    tool("translate", "Translate text into another language.", text="string", target_language="string"),
    tool("track_package", "Track a parcel delivery by its tracking number.", tracking_number="string"),
]

# (tools, question, expected calls [(name, {argument subset})]); English and Chinese.
CASES = [
    (WEATHER, "What's the weather in Madrid right now?", [("get_weather", {"city": "Madrid"})]),
    (WEATHER, "answer in Spanish: weather in Madrid", [("get_weather", {"city": "Madrid"})]),
    (WEATHER, "Give me the 5 day forecast for Paris", [("get_forecast", {"city": "Paris", "days": 5})]),
    (WEATHER, "How bad is the air pollution in Beijing?", [("get_air_quality", {"city": "Beijing"})]),
    (WEATHER, "Weather in Tokyo and Seoul?", [("get_weather", {"city": "Tokyo"}), ("get_weather", {"city": "Seoul"})]),
    (WEATHER, "北京今天天气怎么样？", [("get_weather", {"city": "北京"})]),
    (TRAVEL, "Book a flight from London to Tokyo on 2025-03-14",
     [("book_flight", {"origin": "London", "destination": "Tokyo", "date": "2025-03-14"})]),
    (TRAVEL, "Book a hotel in Rome for 3 nights", [("book_hotel", {"city": "Rome", "nights": 3})]),
    (TRAVEL, "Please cancel my booking BK-20931", [("cancel_booking", {"booking_id": "BK-20931"})]),
    (TRAVEL, "帮我订一张从上海到东京的机票", [("book_flight", {"origin": "上海", "destination": "东京"})]),
    (TRAVEL, "在杭州订酒店住2晚", [("book_hotel", {"city": "杭州", "nights": 2})]),
    (MATH, "add 3 and 4", [("add", {"a": 3, "b": 4})]),
    (MATH, "multiply 6 by 7", [("multiply", {"a": 6, "b": 7})]),
    (MATH, "计算 12 加 30", [("add", {"a": 12, "b": 30})]),
    (MONEY, "how much is 250 euros in yen", [("convert", {"amount": 250, "from_currency": "EUR", "to_currency": "JPY"})]),
    (MONEY, "把100美元换成人民币", [("convert", {"amount": 100, "from_currency": "USD", "to_currency": "CNY"})]),
    (MONEY, "What is the share price of NVDA-01?", [("get_stock_price", {})]),
    (HOME, "Switch the thermostat to cool at 21 degrees", [("set_thermostat", {"mode": "cool", "temperature": 21})]),
    (HOME, "Translate 'see you soon' into German", [("translate", {"target_language": "German"})]),
    (HOME, "Where is my parcel ZX48213?", [("track_package", {"tracking_number": "ZX48213"})]),
]
NO_TOOL = [
    (WEATHER, "Tell me a joke about cats"),
    (MATH, "Who wrote Hamlet?"),
    (TRAVEL, "你好"),
]


def ask_chat(http, tools: list[dict], question: str) -> list[tuple[str, dict]]:
    body = {"model": "course-model", "messages": [{"role": "user", "content": question}],
            "tools": [{"type": "function", "function": t} for t in tools]}
    reply = http.post("/chat/completions", json=body)
    assert reply.status_code == 200, reply.text
    calls = reply.json()["choices"][0]["message"].get("tool_calls") or []
    return [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls]


def ask_responses(http, tools: list[dict], question: str) -> list[tuple[str, dict]]:
    body = {"model": "course-model", "input": question, "tools": [{"type": "function", **t} for t in tools]}
    reply = http.post("/responses", json=body)
    assert reply.status_code == 200, reply.text
    return [(i["name"], json.loads(i["arguments"])) for i in reply.json()["output"] if i["type"] == "function_call"]


@pytest.mark.parametrize("ask", [ask_chat, ask_responses], ids=["chat", "responses"])
@pytest.mark.parametrize(("tools", "question", "expected"), CASES, ids=[c[1] for c in CASES])
def test_right_tool_and_arguments(http, ask, tools, question, expected):
    calls = ask(http, tools, question)
    assert [name for name, _ in calls] == [name for name, _ in expected], calls
    for (_, arguments), (name, subset) in zip(calls, expected, strict=True):
        schema = next(t["parameters"] for t in tools if t["name"] == name)
        jsonschema.validate(arguments, schema)
        assert {k: arguments.get(k) for k in subset} == subset, arguments


@pytest.mark.parametrize(("tools", "question"), NO_TOOL, ids=[c[1] for c in NO_TOOL])
def test_no_tool_when_nothing_matches(http, tools, question):
    assert ask_chat(http, tools, question) == []


# ------------------------------------------------------------------ structured output
NAMES = st.sampled_from(["city", "name", "count", "price", "status", "tags", "items", "note", "order_id",
                         "is_urgent", "priority", "days", "reason", "summary", "score", "email", "country"])


def scalar():
    return st.one_of(
        st.just({"type": "string"}), st.just({"type": "integer"}), st.just({"type": "number"}),
        st.just({"type": "boolean"}),
        st.lists(st.sampled_from(["low", "medium", "high", "urgent", "北京", "ok"]), min_size=1, max_size=4,
                 unique=True).map(lambda e: {"type": "string", "enum": e}),
        st.integers(1, 50).map(lambda m: {"type": "integer", "minimum": m, "maximum": m + 10}),
        st.integers(2, 8).map(lambda n: {"type": "string", "maxLength": n}),
    )


def strict_object(children):
    """An object as the SDK's strict schema writes it: every property required, no others allowed."""
    return st.dictionaries(NAMES, children, min_size=1, max_size=4).map(
        lambda props: {"type": "object", "properties": props, "required": list(props), "additionalProperties": False})


def nodes():
    return st.recursive(
        scalar(),
        lambda inner: st.one_of(
            strict_object(inner),
            inner.map(lambda s: {"type": "array", "items": s}),
            inner.map(lambda s: {"anyOf": [s, {"type": "null"}]}),
        ),
        max_leaves=8,
    )


@st.composite
def strict_schemas(draw):
    """A root object, with some sub-schemas moved into $defs and referenced by $ref."""
    root = draw(strict_object(nodes()))
    defs = {}
    for key in list(root["properties"]):
        if draw(st.booleans()) and root["properties"][key].get("type") == "object":
            defs[f"{key.title()}Model"] = root["properties"][key]
            root["properties"][key] = {"$ref": f"#/$defs/{key.title()}Model"}
    if defs:
        root["$defs"] = defs
    return root


QUESTIONS = st.sampled_from([
    "Weather in Tokyo is 18 degrees and cloudy", "Order A1001 shipped to Paris, 3 items, urgent",
    "订单 A1002 在北京，状态处理中", "", "Hello", "Compare Berlin and London prices: 12.5 and 30",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=strict_schemas(), question=QUESTIONS)
def test_filled_value_always_validates(schema, question):
    jsonschema.Draft202012Validator.check_schema(schema)
    value = fill(schema, Evidence(question))
    jsonschema.validate(value, schema)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=strict_schemas(), question=QUESTIONS,
       facts=st.dictionaries(NAMES, st.one_of(st.text(max_size=5), st.integers(-5, 99), st.booleans(),
                                             st.none(), st.lists(st.integers(0, 9), max_size=3)), max_size=4))
def test_filled_from_tool_results_always_validates(schema, question, facts):
    """Tool outputs with keys like the schema's (and of the wrong types) never break the schema."""
    value = fill(schema, Evidence(question, facts=facts, extra_text=json.dumps(facts)))
    jsonschema.validate(value, schema)


class Address(BaseModel):
    street: str
    city: str
    country: str | None


class LineItem(BaseModel):
    sku: str
    quantity: int
    unit_price: float


class Invoice(BaseModel):
    invoice_id: str
    customer: str
    billing_address: Address
    items: list[LineItem]
    currency: Literal["EUR", "USD", "CNY"]
    paid: bool
    note: str | None


class Triage(BaseModel):
    category: Literal["billing", "technical", "shipping", "other"]
    priority: Literal["low", "normal", "high"]
    needs_human: bool
    summary: str


class Itinerary(BaseModel):
    travellers: int
    stops: list[Address]
    budget_eur: float | None


MODELS = [Invoice, Triage, Itinerary]
PROMPTS = {
    Invoice: "Invoice INV-2024 for Ada in Berlin: 2 x P100 at 19.5 EUR, paid",
    Triage: "My payment failed twice and I was charged, please help urgently",
    Itinerary: "Two of us travel from Paris to Rome with 800 euros",
}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("api", ["chat", "responses"])
def test_pydantic_output_through_the_server(http, model, api):
    """The schema the SDK sends for a realistic model; the SDK's own validator accepts the reply."""
    output = AgentOutputSchema(model)
    schema = output.json_schema()
    assert output.is_strict_json_schema()
    if api == "chat":
        body = {"model": "course-model", "messages": [{"role": "user", "content": PROMPTS[model]}],
                "response_format": {"type": "json_schema",
                                    "json_schema": {"name": "final_output", "strict": True, "schema": schema}}}
        text = http.post("/chat/completions", json=body).json()["choices"][0]["message"]["content"]
    else:
        body = {"model": "course-model", "input": PROMPTS[model],
                "text": {"format": {"type": "json_schema", "name": "final_output", "strict": True, "schema": schema}}}
        text = http.post("/responses", json=body).json()["output"][0]["content"][0]["text"]
    value = output.validate_json(text)
    assert isinstance(value, model)
    if model is Triage:
        assert value.category == "billing" and value.priority == "high"
    if model is Itinerary:
        assert value.travellers >= 1 and value.stops


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(schema=strict_schemas(), question=QUESTIONS)
def test_generated_schemas_through_the_server(http, schema, question):
    body = {"model": "course-model", "messages": [{"role": "user", "content": question or "?"}],
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "final_output", "strict": True, "schema": schema}}}
    reply = http.post("/chat/completions", json=body)
    assert reply.status_code == 200, reply.text
    jsonschema.validate(json.loads(reply.json()["choices"][0]["message"]["content"]), schema)


def test_structured_answer_names_its_source_and_restates_the_result(http):
    """After a tool call, `source` is the tool used and `message` restates its result, for any schema."""
    schema = {"type": "object", "additionalProperties": False, "required": ["city", "condition", "source", "message"],
              "properties": {key: {"type": "string"} for key in ("city", "condition", "source", "message")}}
    messages = [
        {"role": "user", "content": "How is the weather in Lisbon?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "lookup_conditions", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": json.dumps({"city": "Lisbon", "condition": "windy"})},
    ]
    reply = http.post("/chat/completions", json={
        "model": "m", "messages": messages,
        "tools": [{"type": "function", "function": tool("lookup_conditions", "Current conditions.", place="string")}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "final_output", "strict": True,
                                                                   "schema": schema}}}).json()
    value = json.loads(reply["choices"][0]["message"]["content"])
    message = value.pop("message")
    assert value == {"city": "Lisbon", "condition": "windy", "source": "lookup_conditions"}
    assert "Lisbon" in message and "windy" in message and not re.search(r"\w+: ", message), message


# ================================================================== answering like a model
# Every case below goes through the official openai client against the started server, on
# agents, tools and instructions that no lesson uses, in English and Chinese, on both APIs.
CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
DUMP = re.compile(r"\b[a-z]+_[a-z_]+\s*:|According to|根据\s*\w+\s*的结果")


def fn(name: str, description: str, **props) -> dict:
    return tool(name, description, **props)


def ask(client, api: str, question: str | list, instructions: str = "", tools: list[dict] | None = None,
        schema: dict | None = None, model: str = "course-model") -> dict:
    """One request through the openai client: {"text", "calls", "reasoning"} whatever the API."""
    if api == "chat":
        messages = ([{"role": "system", "content": instructions}] if instructions else []) + (
            question if isinstance(question, list) else [{"role": "user", "content": question}])
        extra: dict = {}
        if tools:
            extra["tools"] = [{"type": "function", "function": t} for t in tools]
        if schema:
            extra["response_format"] = {"type": "json_schema",
                                        "json_schema": {"name": "final_output", "strict": True, "schema": schema}}
        message = client.chat.completions.create(model=model, messages=messages, **extra).choices[0].message
        calls = [(c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls or []]
        return {"text": message.content or "", "calls": calls,
                "reasoning": getattr(message, "reasoning_content", None) or (message.model_extra or {}).get(
                    "reasoning_content", "")}
    extra = {}
    if instructions:
        extra["instructions"] = instructions
    if tools:
        extra["tools"] = [{"type": "function", **t} for t in tools]
    if schema:
        extra["text"] = {"format": {"type": "json_schema", "name": "final_output", "strict": True, "schema": schema}}
    if "reason" in model:
        extra["reasoning"] = {"effort": "low", "summary": "auto"}
    items = question if isinstance(question, list) else question
    reply = client.responses.create(model=model, input=items, **extra)
    calls = [(i.name, json.loads(i.arguments)) for i in reply.output if i.type == "function_call"]
    reasoning = " ".join(s.text for i in reply.output if i.type == "reasoning" for s in i.summary)
    return {"text": reply.output_text, "calls": calls, "reasoning": reasoning}


def after_tool(api: str, question: str, name: str, arguments: dict, output: str) -> list:
    """The conversation after one tool call and its result, in the API's own shape."""
    if api == "chat":
        return [{"role": "user", "content": question},
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "call_1", "type": "function",
                     "function": {"name": name, "arguments": json.dumps(arguments)}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": output}]
    return [{"role": "user", "content": question},
            {"type": "function_call", "call_id": "call_1", "name": name, "arguments": json.dumps(arguments)},
            {"type": "function_call_output", "call_id": "call_1", "output": output}]


def strict(**props) -> dict:
    return {"type": "object", "additionalProperties": False, "required": list(props),
            "properties": {k: ({"type": v} if isinstance(v, str) else v) for k, v in props.items()}}


APIS = pytest.mark.parametrize("api", ["chat", "responses"])

# ------------------------------------------------------------------ rule 1: the instructions are read
ALARM = strict(severity={"type": "string", "enum": ["minor", "critical"]}, summary="string")
ALARM_RULE = "You sort building alarms. Set severity to critical when the alarm mentions smoke or fire, otherwise minor."
ROOM = strict(kind={"type": "string", "enum": ["inquiry", "complaint"]}, needs_visit="boolean")
ROOM_RULE = ("You log hotel guest messages. kind: complaint if the guest mentions noise or a leak, otherwise inquiry. "
             "needs_visit: true when a leak is reported.")
ZH_ROOM_RULE = "你负责登记住客留言。如果住客提到噪音或漏水，则 kind 为 complaint，否则为 inquiry。"
COURIER = [fn("dispatch_courier", "Send a courier to collect a parcel.",
              speed={"type": "string", "enum": ["standard", "express"]}, city="string")]
COURIER_RULE = "You run a courier desk. For fragile parcels use express, otherwise standard."

CONDITIONS = [  # (instructions, question, schema or tools, expected {field: value})
    (ALARM_RULE, "Smoke detected on floor 3 near the kitchen", ALARM, {"severity": "critical"}),
    (ALARM_RULE, "Door sensor on floor 2 reports a low battery", ALARM, {"severity": "minor"}),
    (ALARM_RULE, "三楼厨房附近检测到烟雾", ALARM, {"severity": "critical"}),
    (ROOM_RULE, "There is a leak under the sink in room 12", ROOM, {"kind": "complaint", "needs_visit": True}),
    (ROOM_RULE, "What time does breakfast start?", ROOM, {"kind": "inquiry", "needs_visit": False}),
    (ROOM_RULE, "隔壁房间太吵了，全是噪音", ROOM, {"kind": "complaint"}),
    (ZH_ROOM_RULE, "隔壁房间太吵了，全是噪音", ROOM, {"kind": "complaint"}),
    (ZH_ROOM_RULE, "请问早餐几点开始？", ROOM, {"kind": "inquiry"}),
    (COURIER_RULE, "Please collect a fragile vase in Berlin", COURIER, {"speed": "express", "city": "Berlin"}),
    (COURIER_RULE, "请到上海取一个易碎的花瓶包裹", COURIER, {"speed": "express", "city": "上海"}),
]


@APIS
@pytest.mark.parametrize(("instructions", "question", "spec", "expected"), CONDITIONS,
                         ids=[c[1][:30] for c in CONDITIONS])
def test_conditions_in_the_instructions_choose_enum_and_boolean_values(client, api, instructions, question, spec,
                                                                        expected):
    if isinstance(spec, list):
        reply = ask(client, api, question, instructions, tools=spec)
        assert reply["calls"], reply
        value = reply["calls"][0][1]
    else:
        reply = ask(client, api, question, instructions, schema=spec)
        value = json.loads(reply["text"])
    assert {k: value[k] for k in expected} == expected, value


LANGUAGE_DIRECTIVES = [  # (instructions, question, the reply is Chinese)
    ("You are a museum guide. Always reply in English.", "你好，博物馆几点开门？", False),
    ("You are a museum guide. Always reply in English.", "你好", False),
    ("你是博物馆导览员。请用中文回答。", "Hello, when does the museum open?", True),
    ("你是博物馆导览员。请用中文回答。", "Hi", True),
]


@APIS
@pytest.mark.parametrize(("instructions", "question", "chinese"), LANGUAGE_DIRECTIVES,
                         ids=[f"{c[1]}-{c[2]}" for c in LANGUAGE_DIRECTIVES])
def test_reply_language_directive_is_followed(client, api, instructions, question, chinese):
    text = ask(client, api, question, instructions)["text"]
    if chinese:
        assert CJK_CHAR.search(text) and not re.search(r"[A-Za-z]{4,}", text.replace("offline", "")), text
    else:
        assert not CJK_CHAR.search(text), text


PHRASES = [  # (instructions, question, tools, tool result or None, phrase the reply must carry)
    ("You are a ferry booking clerk. Always end with 'Bon voyage!'", "Hi there", None, None, "Bon voyage!"),
    ("You are a ferry booking clerk. Always end with 'Bon voyage!'", "When does ferry F-220 leave?",
     [fn("ferry_departure", "Departure time of a ferry.", ferry_id="string")],
     {"ferry_id": "F-220", "departure": "14:30", "pier": "3"}, "Bon voyage!"),
    ("You are a spa receptionist. Greet the guest as a Platinum member.", "Hello", None, None, "Platinum"),
    ("你是渡轮售票员。回答以「祝您旅途愉快」结尾。", "你好", None, None, "祝您旅途愉快"),
    ("你是渡轮售票员。回答以「祝您旅途愉快」结尾。", "F-220 渡轮几点开？",
     [fn("ferry_departure", "Departure time of a ferry.", ferry_id="string")],
     {"ferry_id": "F-220", "departure": "14:30"}, "祝您旅途愉快"),
    ("You are a spa receptionist. Sign as The Lotus Spa.", "Do you have a sauna?", None, None, "The Lotus Spa"),
]


@APIS
@pytest.mark.parametrize(("instructions", "question", "tools", "result", "phrase"), PHRASES,
                         ids=[f"{c[1][:20]}-{c[4]}" for c in PHRASES])
def test_phrases_the_instructions_demand_appear(client, api, instructions, question, tools, result, phrase):
    if result is None:
        text = ask(client, api, question, instructions)["text"]
    else:
        name = tools[0]["name"]
        text = ask(client, api, after_tool(api, question, name, {"ferry_id": "F-220"}, json.dumps(result)),
                   instructions, tools=tools)["text"]
    assert phrase in text, text
    assert text.count(phrase) == 1, text


# ------------------------------------------------------------------ rule 2: answers read like answers
BIKE = [fn("bike_status", "Status of a rented bike.", bike_id="string")]
TOOL_ANSWERS = [  # (question, tool, arguments, output, words the answer must carry)
    ("Where is my rental bike BK-77?", "bike_status", {"bike_id": "BK-77"},
     {"bike_id": "BK-77", "station": "Harbour Square", "battery_percent": 64, "locked": True},
     ["BK-77", "Harbour Square", "64"]),
    ("我的租车 BK-77 在哪里？", "bike_status", {"bike_id": "BK-77"},
     {"bike_id": "BK-77", "station": "Harbour Square", "battery_percent": 64}, ["BK-77", "Harbour Square", "64"]),
    ("Which exhibitions are on?", "list_exhibitions", {},
     [{"title": "Tides"}, {"title": "Glass"}, {"title": "Maps"}, {"title": "Orbits"}, {"title": "Salt"},
      {"title": "Wool"}, {"title": "Ink"}], ["Tides", "7"]),
]


@APIS
@pytest.mark.parametrize(("question", "name", "arguments", "output", "words"), TOOL_ANSWERS,
                         ids=[c[0][:25] for c in TOOL_ANSWERS])
def test_answer_after_a_tool_reads_like_an_answer(client, api, question, name, arguments, output, words):
    tools = [fn(name, "Look something up.", **{k: "string" for k in arguments})]
    text = ask(client, api, after_tool(api, question, name, arguments, json.dumps(output)), tools=tools)["text"]
    assert not DUMP.search(text), text
    assert name not in text, text
    for word in words:
        assert word in text, text
    assert bool(CJK_CHAR.search(text)) == bool(CJK_CHAR.search(question)), text


@APIS
@pytest.mark.parametrize("question", ["Can I get my deposit back?", "我的押金能退吗？"])
def test_agent_as_tool_answer_is_passed_on_unwrapped(client, api, question):
    """Another agent's answer is prose already: passed on, never wrapped in a second "According to"."""
    inner = "According to open_claim: Claim CL-31 is approved; the deposit of 40 EUR returns in 3 days."
    tools = [fn("deposit_expert", "Ask the deposit specialist.", input="string")]
    text = ask(client, api, after_tool(api, question, "deposit_expert", {"input": question}, inner), tools=tools)["text"]
    assert "According to" not in text and "deposit_expert" not in text and "open_claim" not in text, text
    assert "CL-31" in text and "40 EUR" in text, text


@APIS
def test_several_tool_results_are_joined(client, api):
    tools = [fn("bike_status", "Status of a rented bike.", bike_id="string")]
    if api == "chat":
        messages = [{"role": "user", "content": "Where are bikes BK-1 and BK-2?"},
                    {"role": "assistant", "content": None, "tool_calls": [
                        {"id": f"c{i}", "type": "function",
                         "function": {"name": "bike_status", "arguments": json.dumps({"bike_id": f"BK-{i}"})}}
                        for i in (1, 2)]}] + [
            {"role": "tool", "tool_call_id": f"c{i}", "content": json.dumps({"bike_id": f"BK-{i}", "station": s})}
            for i, s in ((1, "Old Mill"), (2, "Dock Lane"))]
    else:
        messages = [{"role": "user", "content": "Where are bikes BK-1 and BK-2?"}] + [
            {"type": "function_call", "call_id": f"c{i}", "name": "bike_status",
             "arguments": json.dumps({"bike_id": f"BK-{i}"})} for i in (1, 2)] + [
            {"type": "function_call_output", "call_id": f"c{i}", "output": json.dumps({"bike_id": f"BK-{i}", "station": s})}
            for i, s in ((1, "Old Mill"), (2, "Dock Lane"))]
    text = ask(client, api, messages, tools=tools)["text"]
    assert "Old Mill" in text and "Dock Lane" in text and not DUMP.search(text), text


@APIS
@pytest.mark.parametrize("question", ["Where is my rental bike BK-77?", "我的租车 BK-77 在哪里？"])
def test_message_fields_of_structured_output_read_like_an_answer(client, api, question):
    schema = strict(bike_id="string", message="string")
    tools = [fn("bike_status", "Status of a rented bike.", bike_id="string")]
    output = json.dumps({"bike_id": "BK-77", "station": "Harbour Square", "battery_percent": 64})
    text = ask(client, api, after_tool(api, question, "bike_status", {"bike_id": "BK-77"}, output),
               tools=tools, schema=schema)["text"]
    value = json.loads(text)
    assert value["bike_id"] == "BK-77"
    assert "Harbour Square" in value["message"] and not DUMP.search(value["message"]), value
    assert not re.search(r"\b(?:bike_id|station|battery_percent)\s*[:：]", value["message"]), value


# ------------------------------------------------------------------ rule 3: concise free-text arguments
REPAIR = [fn("log_repair", "Log a repair request for a rented bike.", bike_id="string", reason="string")]
LIBRARY = [fn("reserve_title", "Reserve a book at the library.", title="string", member_name="string")]
FREE_TEXT = [  # (tools, question, expected {argument: value})
    (REPAIR, "Bike BK-19 needs a repair because the chain keeps slipping.", {"bike_id": "BK-19",
                                                                            "reason": "chain keeps slipping"}),
    (REPAIR, "自行车 BK-19 要修理，因为链条老是掉", {"bike_id": "BK-19", "reason": "链条老是掉"}),
    (LIBRARY, "Please reserve 'The Left Hand of Darkness' for me, my name is Ursula Grant.",
     {"title": "The Left Hand of Darkness", "member_name": "Ursula Grant"}),
    (LIBRARY, "我想预约《三体》这本书，我叫王小明", {"title": "三体", "member_name": "王小明"}),
]


@APIS
@pytest.mark.parametrize(("tools", "question", "expected"), FREE_TEXT, ids=[c[1][:25] for c in FREE_TEXT])
def test_free_text_arguments_are_the_span_asked_for(client, api, tools, question, expected):
    calls = ask(client, api, question, tools=tools)["calls"]
    assert calls and calls[0][0] == tools[0]["name"], calls
    assert {k: calls[0][1].get(k) for k in expected} == expected, calls


# ------------------------------------------------------------------ rule 4: languages and word forms meet
RENTAL = [
    fn("report_damage", "Report damage to a rented bike.", bike_id="string"),
    fn("extend_rental", "Extend the rental period of a bike by some hours.", hours="integer"),
    fn("find_station", "Find the nearest bike station with free docks.", city="string"),
]
DESKS = [  # handoff tools as the SDK writes them
    fn("transfer_to_lost_property", "Handoff to the Lost property agent. Handles lost and found items.", ),
    fn("transfer_to_parking", "Handoff to the Parking agent. Handles parking permits and car parks.", ),
]
MATCHING = [  # (tools, question, the tool expected)
    (RENTAL, "我想延长租车时间", "extend_rental"),
    (RENTAL, "附近哪里有车站？", "find_station"),
    (RENTAL, "Can I extend my rentals by 2 hours?", "extend_rental"),
    (RENTAL, "Reporting damages: BK-4 has a bent wheel", "report_damage"),
    (DESKS, "我的钱包丢了", "transfer_to_lost_property"),
    (DESKS, "我需要一张停车许可证", "transfer_to_parking"),
]


@APIS
@pytest.mark.parametrize(("tools", "question", "expected"), MATCHING, ids=[c[1][:25] for c in MATCHING])
def test_questions_meet_tools_across_languages_and_word_forms(client, api, tools, question, expected):
    calls = ask(client, api, question, "You are a city services desk.", tools=tools)["calls"]
    assert [name for name, _ in calls][:1] == [expected], calls


# ------------------------------------------------------------------ rule 5: reasoning reads as reasoning
INTERNALS = re.compile(r"=\d|\d\.\d{2,}|Rule \d|shared:|score", re.I)


@APIS
@pytest.mark.parametrize(("question", "expected"), [("Can I extend my rental by 2 hours?", "extend_rental"),
                                                    ("我想延长租车时间", "extend_rental")])
def test_reasoning_summary_reads_as_reasoning(client, api, question, expected):
    reply = ask(client, api, question, tools=RENTAL, model="course-reasoner")
    summary = reply["reasoning"]
    assert summary and expected in summary, reply
    assert not INTERNALS.search(summary), summary
    assert bool(CJK_CHAR.search(summary)) == bool(CJK_CHAR.search(question)), summary


# ------------------------------------------------------------------ rule 6: what it cannot do
@APIS
@pytest.mark.parametrize("question", ["Write a poem about trams", "Tell me a story about a lighthouse",
                                      "写一首关于海港的诗"])
def test_creative_request_gets_one_honest_labelled_reply(client, api, question):
    text = ask(client, api, question, "You are a tram timetable assistant.")["text"]
    assert text.startswith(("(offline model)", "（离线模型）")), text
    assert text.count("offline model") + text.count("离线模型") == 1, text
    assert "timetable" not in text and "时刻表" not in text, text  # no canned self-introduction
    assert re.search(r"can't|cannot|写不了|无法", text), text
    assert bool(CJK_CHAR.search(text)) == bool(CJK_CHAR.search(question)), text


@APIS
@pytest.mark.parametrize("question", ["我刚刚问了你什么问题？", "What did I just ask?"])
def test_a_question_about_the_conversation_calls_no_tool(client, api, question):
    """Generic words (问 "ask", 刚刚 "just now") meet no tool, and a recall question is answered from the turns."""
    tools = [fn("get_weather", "Get the current weather for a city (查询城市天气).", city="string")]
    turns = [{"role": "user", "content": "Is the ferry to Hel running today?"},
             {"role": "assistant", "content": "It is."}, {"role": "user", "content": question}]
    reply = ask(client, api, turns, tools=tools)
    assert reply["calls"] == [] and "ferry to Hel" in reply["text"], reply
