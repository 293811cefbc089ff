"""The offline model reads an agent's instructions: conditional choices, reply language,
required phrases and persona.

Every agent, prompt and question here is made up for the test (a hotel concierge, a bike-repair
shop, a library desk); none comes from a lesson.
"""

from __future__ import annotations

import pytest

from workbook.offline.instructions import (
    Phrases,
    choose,
    conditions,
    normalise,
    persona,
    reply_language,
    required_phrases,
)

LEVELS = ["low", "medium", "high"]


# ------------------------------------------------------------------ conditional choices
@pytest.mark.parametrize(("question", "expected"), [
    ("My laptop screen is cracked", "high"),
    ("The charger broke after a week", "high"),  # broke / broken meet
    ("Can I change the delivery address?", "low"),  # nothing matches: the 'otherwise' value
])
def test_value_if_words_otherwise(question, expected):
    rules = conditions("priority: high if broken or cracked, otherwise low")
    assert choose("priority", LEVELS, question, rules) == expected


def test_word_forms_meet():
    rules = conditions("Bike shop triage. urgency: high when the customer needs it urgently, else low.")
    assert choose("urgency", LEVELS, "This is urgent, my race is tomorrow", rules) == "high"
    assert normalise("urgently") == normalise("urgent")
    assert normalise("cracking") == normalise("cracked") == normalise("crack")


def test_several_fields_keep_their_own_rules():
    rules = conditions("Classify library requests. desk: loans (borrow, renew, due date), events (talk, reading "
                       "group) or other (anything else). priority: high if overdue or lost, else low or medium.")
    question = "I lost the book I borrowed, what do I do?"
    assert choose("desk", ["loans", "events", "other"], question, rules) == "loans"
    assert choose("priority", LEVELS, question, rules) == "high"
    assert choose("desk", ["loans", "events", "other"], "Is there a poetry reading group this month?", rules) == "events"
    # "else low or medium" names two values: the first one is the fallback.
    assert choose("priority", LEVELS, "When do you open?", rules) == "low"


def test_rules_for_another_field_do_not_leak():
    rules = conditions("priority: high if the room is flooded. Set is_vip to true when the guest mentions "
                       "platinum status.")
    assert choose("floor", ["ground", "upper"], "My room is flooded", rules) is None
    assert choose("is_vip", [True, False], "My room is flooded", rules) is False
    assert choose("is_vip", [True, False], "I have Platinum status, can I get a late checkout?", rules) is True


@pytest.mark.parametrize("instructions", [
    "Parcels: for fragile items use express. Use standard for documents.",
    "fragile -> express; documents → standard",
    "Choose the shipping: express if fragile, standard when it is documents.",
])
def test_arrow_for_use_and_value_if_forms(instructions):
    rules = conditions(instructions)
    options = ["standard", "express"]
    assert choose("shipping", options, "I'm sending a fragile glass vase", rules) == "express"
    assert choose("shipping", options, "Just some documents for my lawyer", rules) == "standard"
    assert choose("shipping", options, "A pair of shoes", rules) is None  # no rule and no otherwise: caller decides


def test_value_colon_words_lists():
    rules = conditions("Route to a team. billing: invoices, refunds, charges. repairs: brakes, gears, puncture.")
    teams = ["billing", "repairs", "sales"]
    assert choose("team", teams, "My rear gears skip when I pedal hard", rules) == "repairs"
    assert choose("team", teams, "I was charged twice for the service", rules) == "billing"
    assert choose("team", teams, "Do you sell helmets?", rules) is None


def test_chinese_conditions():
    rules = conditions("你是酒店前台。如果客人提到漏水或者停电，则优先级为高，否则为低。")
    assert choose("priority", ["高", "中", "低"], "我房间的浴室漏水了", rules) == "高"
    assert choose("priority", ["高", "中", "低"], "早餐几点开始？", rules) == "低"


def test_chinese_when_form_and_english_values():
    rules = conditions("客人要求加急时，priority 设为 high。其他情况 low。")
    assert choose("priority", LEVELS, "请加急处理我的洗衣服务", rules) == "high"
    assert choose("priority", LEVELS, "请问泳池在几楼？", rules) == "low"


def test_boolean_with_field_words_in_the_value():
    rules = conditions("Escalate when the customer wants to cancel.")
    assert choose("escalate", [True, False], "I will cancel my membership today", rules) is True


def test_matcher_can_be_injected():
    rules = conditions("priority: high if broken, otherwise low")

    def bilingual(word: str, question: str) -> bool:
        return word == "broken" and "坏" in question  # what a cross-language matcher would say

    assert choose("priority", LEVELS, "我的车闸坏了", rules) == "low"  # the default matcher knows no Chinese for it
    assert choose("priority", LEVELS, "我的车闸坏了", rules, matcher=bilingual) == "high"


def test_instructions_with_no_rule_give_none():
    assert conditions("You are a friendly librarian. Answer briefly.") == []
    assert choose("priority", LEVELS, "My book is lost", []) is None


# ------------------------------------------------------------------ reply language
@pytest.mark.parametrize(("instructions", "question", "expected"), [
    ("Always reply in English.", "酒店几点退房？", "en"),
    ("Answer in Chinese, briefly.", "When is checkout?", "zh"),
    ("你是图书馆前台。请用英文回复。", "借书要带什么？", "en"),
    ("用中文回答。", "Where is the bike pump?", "zh"),
    ("You are a concierge. Respond in Spanish.", "Where is the pool?", "es"),
    ("You are a concierge.", "泳池在哪里？", "zh"),
    ("You are a concierge.", "Where is the pool?", "en"),
    ("Reply in the same language as the user. Our team writes in English.", "泳池在哪里？", "zh"),
])
def test_reply_language(instructions, question, expected):
    assert reply_language(instructions, question) == expected


# ------------------------------------------------------------------ required phrases
def test_phrases_in_english():
    phrases = required_phrases("You are the bike shop's assistant. Always start with 'Hi there!' and always end "
                               "with \"Ride safe!\". Sign as Spokes & Co.")
    assert phrases.start == "Hi there!"
    assert phrases.end == "Ride safe!"
    assert phrases.sign == "Spokes & Co"


def test_customer_name_and_title():
    phrases = required_phrases("You are the hotel concierge. The guest is Maria Lopez. Greet them as a VIP.")
    assert (phrases.name, phrases.title, phrases.greet) == ("Maria Lopez", "VIP", True)
    assert required_phrases("Address the customer as Dr. Okafor.").name == "Dr. Okafor"


def test_phrases_in_chinese():
    phrases = required_phrases("你是图书馆前台。请称呼对方为李老师。以「您好」开头，以「祝您阅读愉快」结尾。署名：借阅台")
    assert phrases == Phrases(start="您好", end="祝您阅读愉快", name="李老师", title=None, sign="借阅台", greet=False)


def test_no_phrases():
    assert required_phrases("You answer questions about bike repairs.") == Phrases()


# ------------------------------------------------------------------ persona
@pytest.mark.parametrize(("instructions", "lang", "expected"), [
    ("You are a helpful assistant.", "en", "a helpful assistant"),
    ("You are a helpful assistant.", "zh", "乐于助人的助手"),
    ("You are a hotel concierge at the Grand Plaza.", "zh", "酒店礼宾员"),
    ("你是一个天气助手。", "en", "a weather assistant"),
    ("你是一个天气助手。", "zh", "天气助手"),
    ("No role given here.", "en", "the course assistant"),
])
def test_persona(instructions, lang, expected):
    assert persona(instructions, lang) == expected


def test_persona_never_mixes_scripts():
    """A Chinese reply never says "我是a …": an English role it cannot render becomes neutral Chinese."""
    role = persona("You are Zephyr, the quirky sommelier of Chateau Blanc.", "zh")
    assert not any(c.isascii() and c.isalpha() for c in role)
    role = persona("你是米其林餐厅的侍酒师。", "en")
    assert role.isascii()


def test_otherwise_alone_does_not_swallow_other_values():
    """Values listed without conditions leave the choice to the caller's own best match."""
    rules = conditions("Sort the library question: loans, events, or other for anything else (jokes, homework).")
    assert choose("topic", ["loans", "events", "other"], "Can I renew my loan?", rules) is None
    rules = conditions("Sort the library question: loans if borrow or renew, otherwise other.")
    assert choose("topic", ["loans", "events", "other"], "Is there an event tonight?", rules) == "other"
