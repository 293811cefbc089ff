"""Concise free-text arguments and reasoning summaries that read as reasoning.

Questions and tools are made up for the test (a bike-repair shop, a hotel, a library); none
comes from a lesson.
"""

from __future__ import annotations

import re

import pytest

from workbook.offline.reasoning import agent_name, summarise
from workbook.offline.spans import free_text, keywords, name_span, quoted_title, reason

COMPLAINT = "My e-bike battery from order B-5521 is dead, I want it replaced."


@pytest.mark.parametrize(("question", "expected"), [
    (COMPLAINT, "e-bike battery is dead"),
    ("I'd like to cancel the booking because my flight was cancelled.", "flight was cancelled"),
    ("Please extend my loan since I'm still reading it", "I'm still reading it"),
    ("Refund the room due to a broken heater.", "a broken heater"),
    ("我想退房，因为空调坏了。", "空调坏了"),
    ("订单 B-5521 的车灯坏了，能换一个吗？", "车灯坏了"),
    ("The front wheel squeaks every time I brake and the noise is getting louder by the day", "squeaks"),
    ("What time is breakfast?", None),
])
def test_reason(question, expected):
    assert reason(question) == expected


@pytest.mark.parametrize(("question", "expected"), [
    ("Hello, my name is Grace Hopper and I have a reservation", "Grace Hopper"),
    ("Please hold the table for Mr. Okafor", "Mr. Okafor"),
    ("我叫陈静，想续借一本书", "陈静"),
    ("I'm sorry to bother you", None),
    ("Book the room for Friday", None),
])
def test_name_span(question, expected):
    assert name_span(question) == expected


@pytest.mark.parametrize(("question", "expected"), [
    ("Can I renew the book 'Middlemarch'?", "Middlemarch"),
    ("《红楼梦》还有吗？", "红楼梦"),
    ("Is the novel The Name of the Rose on the shelf?", "The Name of the Rose"),
    ("Do you have something about gardening?", None),
])
def test_quoted_title(question, expected):
    assert quoted_title(question) == expected


def test_keywords_drop_the_words_around_the_content():
    assert keywords("Do you have any books about bike maintenance?") == "books bike maintenance"
    assert keywords("有没有关于园艺的书？") == "园艺 书"


@pytest.mark.parametrize(("field", "expected"), [
    ("reason", "e-bike battery is dead"),
    ("complaint_reason", "e-bike battery is dead"),
    ("message", COMPLAINT),  # the field is the message itself
    ("query", COMPLAINT),
    ("search_keywords", "bike battery dead replaced"),
    ("customer_name", None),  # no name in the message: the caller decides
    ("city", None),  # not a free-text field these rules place
])
def test_free_text_dispatch(field, expected):
    assert free_text(field, COMPLAINT) == expected


def test_free_text_title_and_name():
    question = "This is Ada Byron, I'd like to reserve 'The Left Hand of Darkness'."
    assert free_text("book_title", question) == "The Left Hand of Darkness"
    assert free_text("patron_name", question) == "Ada Byron"


# ------------------------------------------------------------------ reasoning
INTERNALS = re.compile(r"Rule \d|=\s*\d|score|shared:", re.I)


def test_tool_reasoning_in_english():
    text = summarise("en", "Is my bike ready?", [("repair_status", ["repair", "status"])], {"repair_id": "R-88"})
    assert text == ("The user asks: “Is my bike ready?” repair_status fits: its description mentions repair and "
                    "status. I'll call it with repair_id “R-88”.")


def test_tool_reasoning_in_chinese_with_several_calls():
    text = summarise("zh", "奥斯陆和罗马的天气？", [("get_weather", ["天气", "城市"])],
                     {"get_weather": [{"city": "Oslo"}, {"city": "Rome"}]})
    assert text.startswith("用户问：「奥斯陆和罗马的天气？」")
    assert "它的描述提到天气和城市" in text and "“Oslo”" in text and "“Rome”" in text
    assert not INTERNALS.search(text)


def test_handoff_answer_schema_and_web_search_reasoning():
    handoff = summarise("en", "I want my deposit back", [("transfer_to_billing_agent", ["refunds", "deposits"])],
                        kind="handoff")
    assert "Billing agent" in handoff and "refunds and deposits" in handoff and "transfer_to_" not in handoff
    answer = summarise("zh", "房间多少钱？", [("quote_room", [])], kind="answer")
    assert "quote_room 的结果已经返回" in answer
    schema = summarise("en", "The heater is broken", [("priority", ["broken"])], {"priority": "high"}, "schema")
    assert "priority “high”" in schema and "“broken”" in schema
    search = summarise("en", "Any road closures today?", [], kind="web_search")
    assert "search" in search and not INTERNALS.search(search + schema + handoff)


def test_agent_name():
    assert agent_name("transfer_to_front_desk") == "Front desk"
