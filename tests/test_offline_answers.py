"""The offline model answers like a brief model answer, and says honestly what it cannot do.

Tools, agents and questions are made up for the test (a bike-repair shop, a hotel, a library);
none comes from a lesson.
"""

from __future__ import annotations

import re

import pytest

from workbook.offline.answers import (
    MARK_EN,
    MARK_ZH,
    apply_phrases,
    cannot_do,
    compose_answer,
    direct_answer,
    humanise,
    is_creative_request,
    parse_output,
)
from workbook.offline.instructions import Phrases, required_phrases

REPAIR = '{"repair_id": "R-88", "status": "waiting for parts", "bike": "Gazelle city bike", "ready": "3 days"}'
ROOM = "{'room': 'Deluxe double', 'price_cny': 699, 'available': True, 'nights': 2}"
WEATHER_OSLO = '{"city": "Oslo", "condition": "snowy", "temperature_c": -4}'
WEATHER_ROME = '{"city": "Rome", "condition": "sunny", "temperature_c": 21}'
DUMP = re.compile(r"\b[a-z]+_[a-z_]+\s*:")  # "repair_id:" and the like


def test_value_asked_for_comes_first_and_no_dump():
    where = compose_answer("What's the status of repair R-88?", [("repair_status", REPAIR)])
    when = compose_answer("When will my bike be ready?", [("repair_status", REPAIR)])
    assert where == "Repair R-88 (Gazelle city bike) is waiting for parts and should arrive in 3 days." or \
        where.index("waiting for parts") < where.index("3 days")
    assert when.index("3 days") < when.index("waiting for parts")
    for text in (where, when):
        assert "repair_status" not in text and "According to" not in text and not DUMP.search(text)


def test_python_repr_output_units_and_booleans():
    text = compose_answer("How much is the deluxe room?", [("quote_room", ROOM)])
    assert "¥699" in text
    assert text.index("¥699") < text.index("available")
    assert "is available" in text and "price_cny" not in text


def test_chinese_answer_keeps_values_and_renders_fields():
    text = compose_answer("维修单 R-88 什么时候好？", [("repair_status", REPAIR)])
    assert text.startswith("Repair R-88") is False and "R-88" in text
    assert "状态为 waiting for parts" in text  # the value as the tool gave it, the field in Chinese
    stock = compose_answer("P9 有货吗？", [("check_stock", '{"sku": "P9", "in_stock": false, "units": 0}')])
    assert stock.startswith("SKU P9") and "暂时无货" in stock and "in_stock" not in stock


def test_several_results_are_joined_into_one_answer():
    text = compose_answer("Weather in Oslo and Rome?", [("get_weather", WEATHER_OSLO), ("get_weather", WEATHER_ROME)])
    assert text == "Oslo is snowy; the temperature is -4°C. Rome is sunny; the temperature is 21°C."


def test_nested_agent_answers_are_passed_through_not_wrapped():
    inner = "Repair R-88 (Gazelle city bike) is waiting for parts."
    assert compose_answer("Where is my bike?", [("workshop_agent", inner)]) == inner
    # an older offline answer nested twice is unwrapped too
    assert compose_answer("Where is my bike?", [("workshop_agent", f"According to repair_status: {inner}")]) == inner


def test_plain_text_output_passes_through():
    assert compose_answer("Opening hours?", [("hours", "Mon–Fri 9:00–18:00")]) == "Mon–Fri 9:00–18:00."


def test_long_lists_are_summarised():
    books = '["Dune", "Emma", "Ulysses", "Beloved", "Middlemarch", "Persuasion", "Rebecca"]'
    text = compose_answer("Which books are due back today?", [("due_today", books)])
    assert text == "7 items: Dune, Emma, Ulysses, Beloved, Middlemarch and 2 more."
    short = compose_answer("有哪些书？", [("search", '["三体", "球状闪电"]')])
    assert short == "共 2 项：三体、球状闪电。"


def test_conversion_reads_as_a_sentence():
    text = compose_answer("How many km is 10 miles?", [("convert", '{"amount": 10, "from": "mi", "to": "km", "result": 16.1}')])
    assert text == "10 mi is 16.1 km."


def test_language_the_model_cannot_write_is_said_once():
    text = compose_answer("Where is my bike?", [("repair_status", REPAIR)], lang="es")
    assert "Spanish" in text and text.count("offline model") == 1


def test_parse_output_reads_json_and_repr():
    assert parse_output(ROOM)["price_cny"] == 699
    assert parse_output('[1, 2]') == [1, 2]
    assert parse_output("plain words") == "plain words"


@pytest.mark.parametrize(("key", "lang", "expected"), [
    ("order_id", "en", "order ID"), ("eta", "en", "expected delivery"), ("in_stock", "en", "in stock"),
    ("temperature_c", "en", "temperature"), ("order_id", "zh", "订单编号"), ("temperature_c", "zh", "气温"),
])
def test_humanise(key, lang, expected):
    assert humanise(key, lang) == expected


# ------------------------------------------------------------------ phrases
def test_apply_phrases_greets_by_name_and_title_and_signs():
    phrases = required_phrases("You are the hotel concierge. The guest is Maria Lopez. Greet them as a VIP. "
                               "Always end with 'Enjoy your stay!'. Sign as The Concierge.")
    text = apply_phrases("Your room is ready.", phrases, "en")
    assert text == "Welcome, Maria Lopez, our valued VIP! Your room is ready. Enjoy your stay!\n— The Concierge"
    assert apply_phrases(text, phrases, "en") == text  # nothing is added twice


def test_apply_phrases_in_chinese_keeps_the_mark_first():
    phrases = Phrases(start="您好", end="祝您阅读愉快", name="李老师", sign="借阅台")
    text = apply_phrases(f"{MARK_ZH}这本书明天到期。", phrases, "zh")
    assert text.startswith(MARK_ZH + "您好")
    assert "李老师，您好！" in text and text.endswith("——借阅台")


# ------------------------------------------------------------------ requests it cannot fulfil
@pytest.mark.parametrize(("question", "kind"), [
    ("Write a haiku about bicycles", "poems"), ("Tell me a joke about librarians", "jokes"),
    ("写一首关于秋天的诗", "poems"), ("给我讲个睡前故事", "stories"),
    ("Write a Python function that parses dates", "code"),
    ("Where is my bike?", None), ("What time does the library open?", None), ("请问故事会在几楼？", None),
])
def test_is_creative_request(question, kind):
    assert is_creative_request(question) == kind


def test_cannot_do_is_short_honest_and_in_the_question_language():
    english = cannot_do("Write a haiku about bicycles")
    chinese = cannot_do("写一首关于秋天的诗")
    assert english.startswith(MARK_EN) and "can't write poems" in english
    assert chinese.startswith(MARK_ZH) and "写不了诗" in chinese
    assert not re.search(r"[A-Za-z]{3,}", chinese.replace(".env", ""))  # no English inside the Chinese reply
    assert len(english) < 160


# ------------------------------------------------------------------ answering with no tool
def test_direct_answer_follows_reply_language_and_persona():
    text = direct_answer("Hello!", "You are a hotel concierge. Always reply in Chinese.")
    assert text == f"{MARK_ZH}你好！我是酒店礼宾员，有什么可以帮你？"
    english = direct_answer("你好", "你是图书馆助手。请用英文回复。")
    assert english.startswith(MARK_EN) and "我" not in english


def test_direct_answer_is_not_a_canned_introduction():
    poems = {direct_answer(q, "你是一位诗人，只会用七言绝句回应。") for q in ("写一首关于春天的诗", "写一首关于秋天的诗")}
    assert len(poems) == 1 and "诗人" not in poems.pop()  # the honest refusal, no self-introduction
    text = direct_answer("Do you fix carbon frames?", "You are the bike shop's assistant.")
    assert text.count(MARK_EN) == 1 and "Do you fix carbon frames?" in text and "I'm" not in text


def test_direct_answer_applies_phrases_without_a_second_hello():
    text = direct_answer("Hi", "You are the front desk. The guest is Omar. Greet them as a VIP.")
    assert text == f"{MARK_EN} Welcome, Omar, our valued VIP! I'm the front desk. How can I help?"


def test_direct_answer_recalls_names_and_questions():
    earlier = ["Hi, my name is Priya", "Is my bike ready?"]
    assert direct_answer("What is my name?", "", earlier) == "Your name is Priya."
    assert direct_answer("What did I just ask?", "", earlier) == "You asked: “Is my bike ready?”"
    assert direct_answer("我叫什么？", "", ["我叫王芳"]) == "你叫王芳。"
