"""The offline model behaves sensibly for agents, tools and prompts it has never seen.

No case here comes from a lesson. Tools overlap in their words on purpose (weather, forecast,
air quality; flight, hotel, cancelling), and arguments must land in the right property.
Structured output is checked against generated JSON Schemas of the strict subset the SDK emits.
"""

from __future__ import annotations

import json
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
    assert value == {"city": "Lisbon", "condition": "windy", "source": "lookup_conditions",
                     "message": "city: Lisbon, condition: windy"}
