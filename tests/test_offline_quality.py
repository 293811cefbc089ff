"""Answers and arguments read the way a careful model writes them, for services no lesson has.

A restaurant, a hotel, an airline, a bank, a car rental: each test asks what a student would
ask such an agent and checks one property of what the offline model says or sends.
"""

from __future__ import annotations

import json
import re

import pytest
from openai import OpenAI

from workbook.offline import start_in_background
from workbook.offline.answers import compose_answer, direct_answer
from workbook.offline.reasoning import summarise
from workbook.offline.spans import days, free_text

BOOKING = '{"code": "R-4471", "status": "confirmed", "guests": 4, "time": "19:00", "table_number": 12}'
FLIGHT = '{"flight": "BA117", "status": "delayed", "gate": "B12", "departure_time": "21:40", "delay_minutes": 45}'
ROOM = '{"hotel": "Grand Hotel", "available_rooms": 3, "price_per_night_usd": 180, "breakfast": true, "nights": 3}'
ACCOUNT = ('{"account_id": "AC-9921", "balance": 1520.75, "currency": "EUR", "overdraft_limit": 500, '
           '"iban": "PT50 0002", "branch": "Baixa", "opened": "2019-03-02", "holder": "Ines"}')
RUN_ON = re.compile(r"\bthe \w+ is .*\bthe \w+ is .*\bthe \w+ is ")  # three "the X is Y" in a row
FIELD_AS_IS = re.compile(r"[a-z]+为")  # "guests为 4": an English field name glued to Chinese


def test_counts_times_and_numbers_read_as_words():
    text = compose_answer("A table for 4 at 7pm please", [("book_table", BOOKING)])
    assert text == "Booking R-4471 is confirmed for 4 guests at 19:00; table 12."


def test_a_code_field_is_named_after_what_the_tool_did():
    rental = compose_answer("Rent me a car", [("rent_car", '{"booking_ref": "CR-7", "status": "confirmed"}')])
    assert rental.startswith("Booking CR-7 is confirmed")
    assert not compose_answer("Book it", [("book_table", BOOKING)]).startswith("Code")


def test_a_tracking_number_is_named_after_the_tools_thing():
    parcel = '{"tracking_no": "YT1234567", "status": "in transit"}'
    assert compose_answer("Where is parcel YT1234567?", [("track_parcel", parcel)]) == \
        "Parcel YT1234567 is in transit."
    assert compose_answer("我的包裹 YT1234567 到哪了？", [("track_parcel", parcel)]) == "包裹 YT1234567：运输中（in transit）。"


def test_a_one_word_key_holding_a_code_leads_the_answer():
    text = compose_answer("What's the status of flight BA117?", [("flight_status", FLIGHT)])
    assert text.startswith("Flight BA117 is delayed") and "departure at 21:40" in text
    assert not RUN_ON.search(text)


def test_chinese_answer_has_no_english_field_glued_to_chinese():
    booking = compose_answer("帮我订明天晚上七点4个人的桌子", [("book_table", BOOKING)])
    assert booking.startswith("预订 R-4471") and "已确认（confirmed）" in booking
    assert not FIELD_AS_IS.search(booking) and "code" not in booking
    flight = compose_answer("航班 BA117 延误了吗？", [("flight_status", FLIGHT)])
    assert flight.startswith("航班 BA117") and "登机口为 B12" in flight and not FIELD_AS_IS.search(flight)


def test_booleans_and_per_unit_prices():
    text = compose_answer("Do you have rooms at the Grand Hotel for 3 nights?", [("check_room", ROOM)])
    assert text == "Grand Hotel: 3 available rooms, $180 per night and breakfast included."  # the rooms first
    zh = compose_answer("Grand Hotel 有房间吗？", [("check_room", ROOM)])
    assert "每晚 $180" in zh and "含早餐" in zh and zh.index("可用房间") < zh.index("每晚")


def test_a_long_record_is_summarised():
    text = compose_answer("What's the balance of account AC-9921?", [("account_balance", ACCOUNT)])
    assert text.startswith("Account AC-9921 (Ines): the balance is 1520.75 EUR")
    assert sum(value in text for value in ("500", "PT50", "Baixa", "2019-03-02")) <= 3


def test_short_facts_read_as_a_table_and_a_ready_time_is_not_a_delivery():
    grades = compose_answer("Tom's grades?", [("get_grades", '{"student": "Tom Baker", "math": "A", '
                                                             '"history": "B+", "science": "A-"}')])
    assert grades == "Tom Baker: math A, history B+ and science A-."
    quote = '{"quote_eur": 45, "ready_in_days": 2}'
    assert compose_answer("How much to fix my brakes?", [("repair_quote", quote)]) == \
        "The quote is €45; it should be ready in 2 days."
    assert compose_answer("修刹车多少钱？", [("repair_quote", quote)]) == "报价为 €45，预计 2 天后完成。"


def test_a_records_own_message_is_said_as_a_sentence():
    assert compose_answer("Is the atlas in?", [("find_book", '{"error": "Book not found"}')]) == "Book not found."
    booked = '{"success": true, "message": "Room 305 booked for 2 nights"}'
    assert compose_answer("Book it", [("book_room", booked)]) == "Room 305 booked for 2 nights."
    assert compose_answer("Book it", [("book_room", '{"ok": true}')]) == "Done."
    assert compose_answer("订吧", [("book_room", '{"ok": false, "error": "No rooms left"}')]) == "No rooms left."


def test_units_and_participles_read_in_both_languages():
    loan = '{"loan_id": "L-55", "status": "approved", "term_months": 36}'
    assert compose_answer("Loan status?", [("loan_status", loan)]) == "Loan L-55 is approved; the term is 36 months."
    assert compose_answer("贷款批了吗？", [("loan_status", loan)]) == "贷款 L-55：已批准（approved），期限为 36 个月。"
    ticket = '{"ticket_id": "IT-301", "assigned_to": "Sam", "sla_hours": 8}'
    assert "assigned to Sam" in compose_answer("Ticket?", [("open_ticket", ticket)])
    assert "负责人为 Sam" in compose_answer("工单？", [("open_ticket", ticket)])
    order = '{"order": {"id": "A9", "status": "shipped", "items": [{"name": "Pen"}, {"name": "Ink"}]}}'
    assert compose_answer("Order status?", [("get_order", order)]) == "Order A9 is shipped. 2 items: Pen and Ink."


def test_an_amount_under_a_participle_and_an_echoed_question():
    refund = '{"deposit_id": "D-7", "returned_eur": 150, "status": "returned", "paid_back_to": "card ending 42"}'
    assert compose_answer("Return my deposit", [("return_deposit", refund)]) == \
        "Deposit D-7 is returned (€150); paid back to card ending 42."
    echoed = '{"city": "我上一句说了什么？", "condition": "rainy", "temperature_c": 9}'
    assert compose_answer("我上一句说了什么？", [("get_forecast", echoed)]) == "有雨（rainy），气温为 9°C。"


def test_a_second_id_says_what_the_record_is_for_and_a_note_follows_the_facts():
    claim = '{"policy_id": "HP-9", "claim_id": "CL-31", "status": "registered", "payout_to": "bank account"}'
    assert compose_answer("I want to file a claim", [("file_claim", claim)]) == \
        "Claim CL-31 is registered for policy HP-9; the payout goes to bank account."
    skates = '{"sku": "SK-2", "in_stock": false, "units": 0, "note": "back next week"}'
    assert compose_answer("Any SK-2 skates?", [("skate_stock", skates)]) == \
        "SKU SK-2 is not in stock; 0 units. Back next week."


def test_a_reason_clause_reads_as_because():
    swap = '{"exchange_id": "EX-5", "status": "approved", "reason": "The frame is cracked", "pickup": "tomorrow"}'
    assert compose_answer("Can I swap my bike?", [("open_exchange", swap)]).startswith(
        "Exchange EX-5 is approved because the frame is cracked")


def test_a_list_is_counted_with_the_tools_noun():
    titles = json.dumps([f"Title {n}" for n in range(8)])
    assert compose_answer("Books on Rome?", [("list_books", titles)]).startswith("8 books: Title 0")


def test_required_phrases_join_the_reply_and_sign_a_refusal_too():
    zh = direct_answer("Hello, who are you?", "You are a hotel concierge. Always answer in Chinese. "
                                              "Start every reply with 'Dear guest'.")
    assert "Dear guest，" in zh and "Dear guest我" not in zh
    poem = direct_answer("Write a poem about autumn", "You are a friendly librarian. Sign as 'Ms. Reed'.")
    assert "poems" in poem and poem.endswith("— Ms. Reed")
    assert "front desk" in direct_answer("你好", "你是酒店前台。始终用英文回复。")


def test_roles_and_refusals_name_what_they_can():
    assert "我是友好的销售机器人" in direct_answer("hi", "You are Pedal Palace's friendly sales bot. Always reply in Chinese.")
    both = direct_answer("Tell me a joke and write a poem", "You run a bike shop.")
    assert "I can't write jokes or poems" in both
    assert "I can't translate text" in direct_answer(
        "Translate this paragraph into German: the shop opens at nine and closes late on Fridays.", "")
    zh = direct_answer("给我写一首诗", 'You are a school librarian. Always start with "Hello reader!" '
                                      'and end with "Happy reading."')
    assert "Hello reader! 我" in zh and zh.endswith("。 Happy reading.")


def test_reasoning_for_an_agent_as_tool_does_not_repeat_the_question():
    asked = "Is the 9:15 ferry to Hvar running?"
    text = summarise("en", asked, [("harbour_desk", ["ferry"])], {"input": asked})
    assert text.endswith("harbour_desk fits: its description mentions ferry. I'll pass the question on as it is.")
    assert text.count(asked) == 1
    zh = summarise("zh", "去赫瓦尔的渡轮开吗？", [("harbour_desk", ["ferry"])], {"input": "去赫瓦尔的渡轮开吗？"})
    assert zh.endswith("我把问题原样交给它。") and zh.count("渡轮") == 1
    assert "route “Hvar”" in summarise("en", asked, [("ferry_times", ["ferry"])], {"route": "Hvar"})


@pytest.mark.parametrize(("field", "question", "expected"), [
    ("reason", "Please cancel reservation R-4471", "cancel reservation"),
    ("reason", "请取消预订 R-4471", "取消预订"),
    ("reason", "My parcel P-77 arrived damaged, I want a refund.", "arrived damaged"),
    ("cancel_reason", "Could you refund order 55-A?", "refund order"),
    ("reason", "I want a new key card for room 214.", "new key card"),
    ("reason", "I need to change my flight to Monday", "change flight"),
    ("time", "A table for 4 at 7pm please, it's a birthday", "7pm"),
    ("time", "Book us tomorrow at 8:30 pm for two", "tomorrow at 8:30 pm"),
    ("time", "请帮我订明天晚上七点4个人的桌子", "明天晚上七点"),
    ("pickup_time", "下午3点半来取车", "下午3点半"),
    ("time", "Any rooms on 2026-12-24? And book a massage at 3pm", "3pm"),
    ("note", "A table for 4 at 7pm please, it's a birthday", "it's a birthday"),
    ("note", "Two rooms for Friday. We'd like a quiet floor", "We'd like a quiet floor"),
    ("special_requests", "A table for 2 at 8pm", "none"),
    ("hotel", "Do you have rooms at the Grand Hotel for 3 nights?", "Grand Hotel"),
    ("drug", "Do you have ibuprofen?", "ibuprofen"),
    ("drug_name", "Do you have ibuprofen?", "ibuprofen"),  # a drug's name, not a person's
    ("student_name", "What are Tom Baker's grades?", "Tom Baker"),
])
def test_free_text_fields_get_their_span_not_the_message(field, question, expected):
    assert free_text(field, question) == expected


def test_days_are_found_in_both_languages_even_next_to_chinese():
    assert days("Can we come tomorrow evening at 8?") == ["tomorrow"]
    assert days("从2026-12-01开始，下周五取车") == ["2026-12-01", "下周五"]
    assert days("A table for 4 at 7pm") == []


@pytest.fixture(scope="module")
def client():
    server = start_in_background()
    yield OpenAI(base_url=server.base_url, api_key="offline")
    server.stop()


TABLE = {"name": "book_table", "description": "Book a restaurant table for a number of guests at a time.",
         "parameters": {"type": "object", "additionalProperties": False, "required": ["guests", "time", "note"],
                        "properties": {"guests": {"type": "integer"}, "time": {"type": "string"},
                                       "note": {"type": "string"}}}}
CANCEL = {"name": "cancel_reservation", "description": "Cancel a restaurant reservation.",
          "parameters": {"type": "object", "additionalProperties": False, "required": ["reservation_id", "reason"],
                         "properties": {"reservation_id": {"type": "string"}, "reason": {"type": "string"}}}}


def _call(client, api: str, question: str, tools: list[dict]) -> dict:
    if api == "chat":
        message = client.chat.completions.create(
            model="course-model", messages=[{"role": "user", "content": question}],
            tools=[{"type": "function", "function": t} for t in tools]).choices[0].message
        return json.loads(message.tool_calls[0].function.arguments)
    reply = client.responses.create(model="course-model", input=question,
                                    tools=[{"type": "function", **t} for t in tools])
    return json.loads(next(i for i in reply.output if i.type == "function_call").arguments)


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_tool_arguments_through_the_server(client, api):
    booked = _call(client, api, "A table for 4 at 7pm please, it's a birthday", [TABLE, CANCEL])
    assert booked == {"guests": 4, "time": "7pm", "note": "it's a birthday"}
    cancelled = _call(client, api, "请取消预订 R-4471", [TABLE, CANCEL])
    assert cancelled == {"reservation_id": "R-4471", "reason": "取消预订"}
