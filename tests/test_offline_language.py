"""Concepts across English and Chinese, word forms and lexicon synonyms (workbook.offline.language).

Agents and tools here appear in no lesson: a library desk, a car-rental counter, a pharmacy.
The real CC-CEDICT index is used (built once per machine into the user cache); the index
builder and its cache are also tested on a small dictionary written here.
"""

from __future__ import annotations

import gzip

import pytest

from workbook.offline import language as lang

LIBRARY = "Renew a borrowed library book or check when it is due."
CAR_RENTAL = "Book a rental car and choose the pickup location."
PHARMACY = "Look up side effects and dosage of a medicine."
RETURNS = "Handles returns and refunds (RMA)."
WEATHER = "Get the weather forecast for a city."
INVENTORY = "Check inventory / stock of a product."
ORDERS = "Look up an order's status."
DESKS = {"library": LIBRARY, "car_rental": CAR_RENTAL, "pharmacy": PHARMACY, "returns": RETURNS,
         "weather": WEATHER, "inventory": INVENTORY, "orders": ORDERS}


def best_desk(question: str) -> str:
    scores = {name: lang.Document(text).score(question) for name, text in DESKS.items()}
    best = max(scores, key=scores.get)
    assert scores[best] > 0, f"nothing matched {question!r}: {scores}"
    runner_up = sorted(scores.values())[-2]
    assert scores[best] > runner_up, f"{question!r} is ambiguous: {scores}"
    return best


@pytest.mark.parametrize(("question", "desk"), [
    ("我想退货", "returns"),
    ("北京明天会下雨吗", "weather"),
    ("这个耳机还有货吗", "inventory"),
    ("帮我查一下订单", "orders"),
    ("图书馆的书可以续借吗", "library"),
    ("这种药有副作用吗", "pharmacy"),
    ("我想退貨", "returns"),  # traditional characters
    ("北京明天會下雨嗎", "weather"),
    ("這種藥有副作用嗎", "pharmacy"),
    ("Can I renew the books I borrowed last week?", "library"),
    ("What are the side effects of this medicine?", "pharmacy"),
    ("I returned my headphones, where is my refund?", "returns"),
])
def test_a_question_finds_its_desk_in_either_language(question, desk):
    assert best_desk(question) == desk


def test_chinese_descriptions_are_found_by_english_questions():
    returns_zh = lang.Document("退货处理：电池和充电器")
    assert {m.concept for m in returns_zh.matches("I want to return two batteries")} == {
        lang.stem("return"), lang.stem("battery")}
    library_zh = lang.Document("续借图书馆的书")
    assert library_zh.score("Can I renew the books I borrowed?") >= 2.0
    assert library_zh.score("Is it going to rain tomorrow?") == 0


@pytest.mark.parametrize(("forms", "base"), [
    (["returns", "returned", "returning", "return"], "return"),
    (["shipped", "shipping", "ships"], "ship"),
    (["batteries", "battery"], "battery"),
    (["libraries", "library"], "library"),
    (["borrowed", "borrowing", "borrows"], "borrow"),
])
def test_word_forms_meet(forms, base):
    for form in forms:
        assert lang.concepts(form) == lang.concepts(base), form


def test_matches_name_the_words_that_met():
    [match] = lang.matches("我想退货", RETURNS)
    assert (match.asked, match.offered, match.concept, match.strength) == ("退货", "returns", "return", 1.0)


def test_lexicon_synonyms_meet_at_half_weight():
    # CC-CEDICT glosses 存货 as "stock / inventory" and 产品 as "goods / merchandise / product".
    assert lang.stem("inventory") in lang.related(lang.stem("stock"))
    [match] = lang.matches("Is this in stock?", "Check inventory levels")
    assert match.strength == lang.RELATED
    [match] = lang.matches("这个耳机还有货吗", INVENTORY)  # 货 "goods" → product
    assert (match.asked, match.offered) == ("货", "product")


def test_domain_family_links_rain_to_weather():
    [match] = lang.matches("北京明天会下雨吗", WEATHER)
    assert (match.asked, match.offered, match.strength) == ("下雨", "weather", lang.RELATED)


def test_function_words_match_nothing():
    assert lang.concepts("我想请你帮我一下，这个是什么？") == frozenset()
    assert lang.concepts("Could you please tell me what this is about?") == frozenset()
    for text in DESKS.values():
        assert lang.Document(text).score("你好，请问一下") == 0


def test_unrelated_questions_share_no_concept():
    assert lang.matches("写一首关于秋天的诗", LIBRARY) == []
    assert lang.matches("帮我查一下订单", WEATHER) == []
    assert lang.matches("北京明天会下雨吗", ORDERS) == []
    assert lang.matches("这个耳机还有货吗", RETURNS) == []
    assert lang.matches("What time does the museum open?", CAR_RENTAL) == []


def test_glosses_that_say_nothing_are_filtered_from_the_real_lexicon():
    checked = dict(lang.word_concepts("查"))  # also "surname Zha" and "variant of 楂"
    assert "zha" not in checked and lang.stem("check") in checked
    assert dict(lang.word_concepts("订单"))["order"] == 1.0  # "(purchase) order": the note is dropped
    assert "purchas" not in dict(lang.word_concepts("订单"))
    assert lang.word_concepts("吗") == ()


def test_later_glosses_weigh_less():
    weights = dict(lang.word_concepts("查"))  # to research / to check / to investigate / ...
    assert weights["research"] == 1.0
    assert weights[lang.stem("check")] < 1.0
    assert weights[lang.stem("investigate")] < weights[lang.stem("check")]


def test_segmentation_keeps_words_and_reads_traditional_as_simplified():
    assert lang.pieces("帮我查一下订单") == ["帮", "我", "查", "一下", "订单"]
    assert lang.pieces("這個耳機還有貨嗎") == lang.pieces("这个耳机还有货吗")
    assert lang.pieces("get_weather in getWeather") == ["get", "weather", "in", "get", "weather"]


def test_long_input_is_read_in_bounded_pieces():
    text = "我想退货" * 500 + " " + "returns " * 500
    assert lang.concepts(text) == lang.concepts("我想退货 returns")
    assert lang.pieces("a" * 41 + " book") == ["book"]


def test_negated_words_do_not_meet_their_concept():
    priority = lang.Document("urgent")
    assert priority.score("我的订单很紧急") == 1.0
    assert priority.score("不急，慢慢来") == 0
    assert priority.score("It is not urgent at all") == 0
    assert lang.negated("这个不是很急") >= {lang.stem("urgent")}
    said, denied = lang.asserted("I don't need a refund, just repair it")
    assert (said, denied) == (["repair"], ["refund"])
    assert lang.negated("不错") == frozenset()  # "not bad" is one word, not a negation


@pytest.mark.parametrize(("text", "options", "chosen"), [
    ("暖气开一下", ["heat", "cool", "off"], "heat"),
    ("我要退款", ["refund", "exchange", "repair"], "refund"),
    ("我想换货", ["refund", "exchange", "repair"], "exchange"),
    ("How long does repairing a cracked screen take?", ["refund", "exchange", "repair"], "repair"),
    ("这个坏了能修吗", ["refund", "exchange", "repair"], "repair"),
    ("我的订单很紧急", ["urgent", "normal"], "urgent"),
    ("不急", ["urgent", "normal"], None),
    ("Tell me a joke", ["refund", "exchange", "repair"], None),
    ("Set it to heat and cool", ["heat", "cool", "off"], None),  # a tie is no choice
])
def test_choose_an_option_in_either_language(text, options, chosen):
    assert lang.choose(text, options) == chosen


# ------------------------------------------------------------------ the index builder and cache
SMALL_CEDICT = """# a comment line
查 查 [Zha1] /surname Zha/
查 查 [cha2] /to research/to check/to look up (e.g. a word in a dictionary)/
存貨 存货 [cun2 huo4] /stock/inventory (of material)/
訂單 订单 [ding4 dan1] /(purchase) order/
幫 帮 [bang1] /to help/
幇 帮 [bang1] /old variant of 幫|帮[bang1]/
個 个 [ge4] /individual/this/CL:個|个[ge4]/
說明書 说明书 [shuo1 ming2 shu1] /a very long explanation of something that goes on and on/(technical) manual/
退貨 退货 [tui4 huo4] /to return merchandise/
副作用 副作用 [fu4 zuo4 yong4] /side effect/
"""


def test_build_index_filters_merges_and_maps_traditional():
    index = lang.build_index(SMALL_CEDICT.splitlines())
    glosses = index["glosses"]
    assert glosses["查"] == "check:85 look:70 research:100"  # surname entry dropped, senses merged
    assert glosses["订单"] == glosses["訂單"] == "order:100"
    assert glosses["帮"] == "help:100"  # the "old variant" entry adds nothing
    assert glosses["说明书"] == "manual:100"  # long gloss and parenthetical note dropped
    assert glosses["退货"] == "merchandis:60 return:100"  # a verb phrase's head is its verb ...
    assert glosses["副作用"] == "effect:100 side:60"  # ... a noun phrase's is its last word
    assert index["related"]["stock"] == lang.stem("inventory")
    assert index["simplified"]["貨"] == "货" and index["simplified"]["幫"] == "帮"
    assert "查" not in index["simplified"]


def test_index_is_cached_once_and_a_damaged_cache_is_rebuilt(tmp_path, monkeypatch):
    data = tmp_path / "small.txt.gz"
    data.write_bytes(gzip.compress(SMALL_CEDICT.encode()))
    monkeypatch.setattr(lang, "_data_file", lambda: data)
    monkeypatch.setenv("WORKBOOK_CACHE_DIR", str(tmp_path / "cache"))
    stale = tmp_path / "cache" / "cedict-index-0-old.marshal"
    stale.parent.mkdir()
    stale.write_bytes(b"from older rules")
    built = lang._load_or_build()
    path = lang.cache_path()
    assert not stale.exists()
    assert path.parent == tmp_path / "cache" and lang._read_index(path) == built
    assert lang._read_index(path, glosses=False) == {k: v for k, v in built.items() if k != "glosses"}
    table = lang._GlossTable(lang.glosses_path())  # the same glosses, looked up word by word
    assert all(table.get(word) == entry for word, entry in built["glosses"].items()) and table.get("无此词") is None
    data.write_bytes(gzip.compress(b"# the cache must be read, not this\n"))
    assert lang._load_or_build() == built
    path.write_bytes(b"not marshal data")
    assert lang._load_or_build()["glosses"] == {}  # rebuilt from the (now empty) dictionary
    assert list((tmp_path / "cache").glob("*.tmp")) == []


def test_a_lexicon_that_cannot_load_gives_a_clear_error(monkeypatch):
    def broken():
        raise FileNotFoundError("cedict_1_0_ts_utf-8_mdbg.txt.gz")

    monkeypatch.setattr(lang, "_load_or_build", broken)
    lexicon = lang._Lexicon()
    with pytest.raises(RuntimeError, match="CC-CEDICT index could not be loaded .*pip install -r requirements.txt"):
        lexicon.wait()
