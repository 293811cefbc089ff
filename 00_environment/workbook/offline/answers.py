"""Write replies the way a brief model answer reads, in English or Chinese.

After a tool ran, a model does not print `order_id: A1001, status: shipped`; it says "Order
A1001 (Wireless earbuds) is shipped and should arrive in 2 days." The rules here turn a tool's
JSON (or the Python repr the SDK makes of a returned dict) into such a sentence: the value the
question asks for first, field names in words, units kept, long lists cut short. An answer
that is already prose (another agent used as a tool) is passed through as it is.

Replies with no tool follow the instructions (reply language, persona, required phrases) and
say, once and briefly, that a rule-based stand-in wrote them.
"""

from __future__ import annotations

import ast
import json
import re
from functools import lru_cache
from typing import Any

from .instructions import Phrases, is_chinese, persona, reply_language, required_phrases

MARK_EN = "(offline model)"
MARK_ZH = "（离线模型）"
WRITABLE = ("en", "zh")
LANGUAGE_NAMES = {"es": "Spanish", "fr": "French", "de": "German", "ja": "Japanese", "ko": "Korean",
                  "it": "Italian", "pt": "Portuguese", "ru": "Russian", "pl": "Polish"}


def writing_language(lang: str) -> str:
    """The offline model writes English and Chinese only; any other requested language gets English."""
    return lang if lang in WRITABLE else "en"


def language_note(lang: str) -> str:
    """One short sentence saying why a reply asked for in, say, Spanish is in English."""
    if lang in WRITABLE:
        return ""
    return f"(The offline model writes only English and Chinese, so this reply is not in {LANGUAGE_NAMES.get(lang, lang)}.)"


# ------------------------------------------------------------------ reading tool outputs
LEGACY_PREFIX = re.compile(r"^\s*(?:According to [\w.-]+:\s*|根据\s*[\w.-]+\s*的结果[：:]\s*)+")


def parse_output(text: str) -> Any:
    """JSON, or the Python repr the SDK makes of a returned dict or list; else the text itself."""
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except (ValueError, TypeError):
        pass
    if stripped[:1] in "{[(":
        try:
            return ast.literal_eval(stripped)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            pass
    return LEGACY_PREFIX.sub("", stripped)


# ------------------------------------------------------------------ field names in words
# Keys a reader should see as words, not identifiers. Units come from the key's last part.
EN_LABELS = {"eta": "expected delivery", "qty": "quantity", "desc": "description", "sku": "SKU",
             "rma": "RMA", "id": "ID", "vip": "VIP", "iban": "IBAN", "sla": "SLA", "pin": "PIN", "url": "URL", "temp": "temperature", "in stock": "in stock"}
ZH_LABELS = {
    "order": "订单", "status": "状态", "state": "状态", "eta": "预计送达", "delivery": "送达", "item": "商品",
    "product": "商品", "in": "", "stock": "库存", "units": "库存", "unit": "库存", "quantity": "数量", "qty": "数量",
    "price": "价格", "cost": "费用", "total": "合计", "amount": "金额", "city": "城市", "temperature": "气温",
    "temp": "气温", "condition": "天气", "weather": "天气", "humidity": "湿度", "wind": "风力", "reason": "原因",
    "refund": "退款", "rma": "退货单", "id": "编号", "name": "名称", "title": "书名", "author": "作者",
    "date": "日期", "time": "时间", "room": "房间", "rooms": "房间", "nights": "晚数", "guest": "客人",
    "booking": "预订", "ticket": "工单", "priority": "优先级", "category": "类别", "note": "备注", "to": "至",
    "method": "方式", "result": "结果", "from": "从", "available": "可用", "copies": "册数", "due": "到期",
    "location": "位置", "address": "地址", "phone": "电话", "email": "邮箱", "message": "消息", "days": "天数",
    # bookings, travel, banking, shops: the field words of everyday services
    "reservation": "预订", "parcel": "包裹", "package": "包裹", "tracking": "运单", "shipment": "货件", "code": "编号", "ref": "编号", "reference": "编号", "confirmation": "确认号",
    "guests": "人数", "people": "人数", "party": "人数", "size": "人数", "table": "桌", "number": "号", "no": "号",
    "seat": "座位", "seats": "座位", "gate": "登机口", "terminal": "航站楼", "flight": "航班", "departure": "起飞",
    "arrival": "到达", "delay": "延误", "car": "车型", "vehicle": "车辆", "pickup": "取车", "return": "归还",
    "mileage": "里程", "account": "账户", "balance": "余额", "overdraft": "透支", "limit": "额度", "fee": "手续费",
    "interest": "", "rate": "利率", "term": "期限", "renewals": "续借次数", "left": "剩余",
    "remaining": "剩余", "hotel": "酒店", "breakfast": "早餐", "per": "每", "night": "晚",
    "drug": "药品", "medicine": "药品", "prescription": "处方", "dose": "剂量", "book": "书", "library": "图书馆",
    "assigned": "负责人", "refunded": "退款金额", "charged": "扣款金额", "paid": "已付", "back": "", "owner": "负责人", "loan": "贷款", "claim": "理赔", "appointment": "预约", "sla": "时限", "hours": "小时数", "device": "设备", "bike": "自行车",
    "repair": "维修单", "ready": "完工", "quote": "报价", "fare": "票价", "service": "服务", "model": "型号", "color": "颜色",
    "colour": "颜色", "student": "学生", "course": "课程", "grade": "成绩", "score": "分数", "class": "班级",
    "teacher": "老师", "school": "学校", "level": "级别", "duration": "时长", "start": "开始", "end": "结束",
    "discount": "折扣", "points": "积分", "member": "会员", "currency": "币种",
    "subtotal": "小计", "deposit": "押金", "tax": "税费", "math": "数学", "history": "历史", "science": "科学",
    "english": "英语", "physics": "物理", "chemistry": "化学", "biology": "生物", "art": "美术", "music": "音乐",
    "iban": "IBAN", "holder": "户主", "opened": "开户日期", "patient": "患者", "passenger": "乘客", "sku": "SKU", "isbn": "ISBN", "vip": "VIP",
}
UNIT_SUFFIX = {"c": "°C", "celsius": "°C", "f": "°F", "cny": "¥", "rmb": "¥", "yuan": "¥", "usd": "$",
               "eur": "€", "gbp": "£", "km": " km", "kg": " kg", "pct": "%", "percent": "%",
               "days": " days", "hours": " hours", "minutes": " min", "mins": " min", "weeks": " weeks",
               "months": " months", "years": " years"}
ZH_UNITS = {" days": " 天", " hours": " 小时", " min": " 分钟", " weeks": " 周", " months": " 个月", " years": " 年"}
PREFIX_UNITS = {"¥", "$", "€", "£"}
COUNT_WORDS = {"units", "count", "quantity", "qty", "copies", "rooms", "seats", "pages", "items", "nights", "stock"}
NAME_KEYS = ("item", "product", "name", "title", "city", "hotel", "book", "bike", "room", "model", "student",
             "patient", "customer", "guest", "passenger", "holder", "member", "restaurant", "drug", "car")
STATE_KEYS = {"status", "state", "condition", "weather"}
TIME_KEYS = {"eta", "delivery", "arrival", "arrive", "due", "ready", "date", "time", "pickup"}
ID_KEYS = {"id", "sku", "isbn", "code", "ref", "reference"}
CAMEL = re.compile(r"([a-z0-9])([A-Z])")
KEY_SPLIT = re.compile(r"[^A-Za-z0-9\u4e00-\u9fff]+")
PREPOSITIONS = {"to", "from", "by", "for", "via", "until", "on", "at"}


@lru_cache(maxsize=2048)  # the same few keys come back in every tool output
def key_words(key: str) -> tuple[str, ...]:
    """order_id → ("order", "id"); inStock → ("in", "stock")."""
    spaced = CAMEL.sub(r"\1 \2", key)
    return tuple(w.lower() for w in KEY_SPLIT.split(spaced) if w)


def zh_label(key: str) -> str | None:
    """The field name in Chinese, or None when some word of it has no Chinese label."""
    words = [w for w in key_words(key) if w not in UNIT_SUFFIX or len(key_words(key)) == 1]
    if is_chinese(key):
        return key
    if words and all(w in ZH_LABELS for w in words):
        return "".join(ZH_LABELS[w] for w in words) or None
    return None


def humanise(key: str, lang: str = "en") -> str:
    """order_id → "order ID" / "订单编号"; in_stock → "in stock" / "库存"; temperature_c → "temperature"."""
    words = [w for w in key_words(key) if w not in UNIT_SUFFIX or len(key_words(key)) == 1]
    if lang == "zh" and (label := zh_label(key)):
        return label
    phrase = " ".join(words) or key
    if phrase in EN_LABELS:
        return EN_LABELS[phrase]
    return " ".join(EN_LABELS.get(w, w) for w in words)


def _unit(key: str) -> str:
    last = key_words(key)[-1] if key_words(key) else ""
    return UNIT_SUFFIX.get(last, "") if len(key_words(key)) > 1 else ""


def _with_unit(key: str, value: Any) -> str:
    unit = _unit(key)
    if not unit or not isinstance(value, (int, float)) or isinstance(value, bool):
        return _plain(value)
    return f"{unit}{_plain(value)}" if unit in PREFIX_UNITS else f"{_plain(value)}{unit}"


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ------------------------------------------------------------------ what the question asks for
ASKED = [  # (cue in the question, key words it asks for), in the order they are tried
    (r"\bwhen\b|\beta\b|\barriv|\bdeliver(?:y|ed)?\b|how long|什么时候|何时|几天|多久|(?<!到哪)到(?!哪)",
     TIME_KEYS),
    (r"\bstatus\b|\bwhere\b|\btrack|状态|到哪|哪里|进度", {"status", "state", "location"}),
    (r"\bprice\b|\bcost|how much|多少钱|价格|价钱|费用", {"price", "cost", "amount", "total", "fee", "quote", "fare",
                                                      "rate", "charge"}),
    (r"in stock|\bavailab|\bstock\b|\bdo you have\b|\bare there any\b|有货|库存|现货|有没有|有[^？?，。]{0,6}吗",
     {"stock", "available", "units", "quantity", "qty"}),
    (r"weather|temperature|\bhot\b|\bcold\b|天气|气温|温度|冷|热", {"condition", "temperature", "weather", "temp"}),
]


ASKED_CUES = [(re.compile(cue), words) for cue, words in ASKED]


@lru_cache(maxsize=256)  # asked once per key of every record: the cues are read once per question
def _wanted(question: str) -> tuple[frozenset[str], ...]:
    lowered = question.lower()
    return tuple(frozenset(words) for cue, words in ASKED_CUES if cue.search(lowered))


@lru_cache(maxsize=256)
def _question_tokens(question: str) -> frozenset[str]:
    return frozenset(re.findall(r"[\w.-]+", question.lower()))


def asked_first(question: str, keys: list[str]) -> list[str]:
    """The keys in the order to say them: what the question asks about first, the rest as given."""
    wanted = _wanted(question)
    question_words = set(re.findall(r"[a-z]+", question.lower()))

    def rank(key: str) -> int:
        words = set(key_words(key))
        for i, group in enumerate(wanted):
            if words & group:
                return i
        return len(wanted) if words & question_words - {"id", "is", "in"} else len(wanted) + 1

    return sorted(keys, key=rank)


def asks_about(question: str, key: str) -> bool:
    """Whether a cue of the question asks for this key: "how much" → price, "when" → eta."""
    words = set(key_words(key))
    return any(words & group for group in _wanted(question))


# ------------------------------------------------------------------ composing
def compose_answer(question: str, results: list[tuple[str, str]], lang: str | None = None,
                   phrases: Phrases | None = None) -> str:
    """One brief answer from every tool result, in the reply language.

    `results` are (tool name, output text) pairs. The tool names never appear in the answer:
    a reader wants the facts, not where the model found them.
    """
    lang = lang or ("zh" if is_chinese(question) else "en")
    writing = writing_language(lang)
    sentences: list[str] = []
    for name, output in results:
        sentence = describe(parse_output(output), question, writing, source=name)
        if sentence and sentence not in sentences:
            sentences.append(sentence)
    text = ("" if writing == "zh" else " ").join(sentences) or _nothing(writing)
    if note := language_note(lang):
        text = f"{text} {note}"
    return apply_phrases(text, phrases, writing) if phrases else text


def _nothing(lang: str) -> str:
    return "工具没有返回结果。" if lang == "zh" else "The tool returned nothing."


def describe(value: Any, question: str, lang: str, entity: str | None = None, source: str = "") -> str:
    """A parsed tool output as one or a few sentences.

    `source` is the tool's name: when a record has several ids ("open_rma" returns an order id
    and an RMA id), the one the tool is named after leads the sentence.
    """
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(next(iter(value.values())), (list, dict)):
            key, inner = next(iter(value.items()))
            return describe(inner, question, lang, entity=key, source=source)
        return _dict_sentence(value, question, lang, entity, source)
    if isinstance(value, (list, tuple)):
        return _list_sentence(list(value), question, lang, entity, source)
    if isinstance(value, bool):
        return ("是。" if value else "否。") if lang == "zh" else ("Yes." if value else "No.")
    text = _plain(value).strip()
    if text[:1].islower() and text[:1].isascii():
        text = text[0].upper() + text[1:]  # a sentence, even when the tool wrote it in lower case
    if text and lang == "zh" and not re.search(r"[。！？.!?）)」]$", text):
        text += "。" if is_chinese(text) else "."  # the tool's own English sentence keeps its own stop
    elif text and lang != "zh" and text[-1].isalnum():
        text += "."
    return text


CODE_VALUE = re.compile(r"[A-Z]{1,4}-?\d{2,}[A-Z0-9-]*|\d{2,}-[A-Z0-9-]+")
SENTENCE_END = re.compile(r"[?？!！。]\s*$")  # a "name" that is a whole question is no name
ID_QUALIFIERS = {"tracking", "confirmation", "reference", "ref", "serial"}  # tracking_no: which record, not what
GENERIC_IDS = {"id", "code", "ref", "reference", "confirmation", "number", "no"}
# A tool named after an act ("book_table", "rent_car") made a record of that act: a booking, a rental.
ACT_NOUNS = {"book": "booking", "reserve": "reservation", "rent": "rental", "order": "order", "hire": "rental",
             "register": "registration", "enrol": "enrolment", "enroll": "enrollment", "schedule": "appointment",
             "open": "ticket", "file": "claim", "transfer": "transfer", "pay": "payment", "cancel": "cancellation"}
TOOL_VERBS = {"id", "get", "my", "open", "check", "query", "find", "search", "book", "rent", "reserve", "cancel",
              "create", "make", "lookup", "look", "up", "list", "show", "fetch", "track", "status", "info"}


def _id_noun(id_key: str, entity: str | None, source: str, lang: str) -> str:
    """What an id names: "order" for order_id, "booking" for a bare `code` a booking tool returned."""
    words = key_words(id_key)
    if len(words) > 1 and words[-1] in ID_KEYS | GENERIC_IDS and not set(words[:-1]) <= ID_QUALIFIERS:
        return humanise("_".join(words[:-1]), lang)
    if words[-1] not in GENERIC_IDS:
        return humanise(id_key, lang)  # sku, isbn: the key is its own name
    act = next((ACT_NOUNS[w] for w in key_words(source) if w in ACT_NOUNS), None)
    thing = next((w for w in key_words(source) if w not in TOOL_VERBS and w not in ID_KEYS | GENERIC_IDS), None)
    fallback = "reference" if words[-1] != "id" else "item"
    return humanise(act or entity or thing or (words[0] if len(words) > 1 else fallback), lang)


def _lead(facts: dict, lang: str, entity: str | None, source: str = "") -> tuple[str, list[str]]:
    """ "Order A1001 (Wireless earbuds)" and the keys still to say."""
    keys = list(facts)
    ids = [k for k in keys if key_words(k)[-1:] and key_words(k)[-1] in ID_KEYS and not isinstance(facts[k], (dict, list))]
    # {"flight": "BA117"}: a one-word key holding a code names the record as well as "flight_id" would.
    ids += [k for k in keys if k not in ids and (len(key_words(k)) == 1 or key_words(k)[-1] in {"no", "number", "num"})
            and isinstance(facts[k], str) and CODE_VALUE.fullmatch(facts[k])
            and not set(key_words(k)) & (STATE_KEYS | TIME_KEYS)]
    named = set(key_words(source)) - TOOL_VERBS
    id_key = next((k for k in ids if set(key_words(k)) & named), ids[0] if ids else None)
    name_key = next((k for k in keys if set(key_words(k)) & set(NAME_KEYS) and isinstance(facts[k], str)
                     and k != id_key and len(str(facts[k])) <= 60 and not SENTENCE_END.search(str(facts[k]))), None)
    parts = []
    if id_key:
        noun = _id_noun(id_key, entity, source, lang)
        value = str(facts[id_key])
        if lang == "zh" and not is_chinese(noun) and noun.upper() != noun:
            parts.append(value)  # a noun with no Chinese word: the value alone, never "code R-4471"
        elif value.lower().startswith(noun.lower()):
            parts.append(value)  # "RMA-A1003", not "RMA RMA-A1003"
        else:
            parts.append(f"{noun} {value}" if lang == "zh" else f"{noun[:1].upper()}{noun[1:]} {value}")
    if name_key:
        name = str(facts[name_key])
        parts.append((f"（{name}）" if lang == "zh" else f" ({name})") if parts else name)
    rest = [k for k in keys if k not in (id_key, name_key)]
    if not parts and entity:
        label = humanise(entity, lang)
        parts.append(label if lang == "zh" else label[:1].upper() + label[1:])
    return "".join(parts), rest


EMPTY = {"", "n/a", "na", "none", "null", "-", "unknown"}
MONEY_KEYS = {"price", "total", "amount", "cost", "fee", "subtotal", "balance", "deposit", "limit", "refund",
              "charge", "payment"}
MAX_DETAILS = 3  # after what was asked, a brief answer names at most this many other facts ...
MAX_SHORT_DETAILS = 6  # ... or this many when they are short ("math A", "gate B12")
SHORT_CLAUSE = 12


def _with_currency(facts: dict) -> dict:
    """{"price": 299, "currency": "CNY"} → {"price": "299 CNY"}: a reader sees the amount with its currency."""
    currency = facts.get("currency")
    money = [k for k in facts if set(key_words(k)) & MONEY_KEYS and isinstance(facts[k], (int, float))]
    if not isinstance(currency, str) or not money:
        return facts
    merged = {k: v for k, v in facts.items() if k != "currency"}
    for key in money:
        merged[key] = f"{_plain(facts[key])} {currency}"
    return merged


MESSAGE_KEYS = {"message", "msg", "detail", "details", "error", "errors", "description", "note", "info", "summary",
                "result", "text", "answer", "reply"}
SUCCESS_KEYS = {"success", "ok", "succeeded", "done", "successful"}


def _is_message(key: str, value: Any) -> bool:
    """{"message": "Room 305 booked"}: a field that is already a sentence for the reader."""
    return isinstance(value, str) and " " in value.strip() and bool(set(key_words(key)) & MESSAGE_KEYS)


def _message(facts: dict, lang: str) -> str:
    """The record's own sentences (an error first), else what a bare {"success": true} means."""
    keys = sorted((k for k, v in facts.items() if _is_message(k, v)), key=lambda k: "error" not in k)
    if keys:
        return ("" if lang == "zh" else " ").join(describe(facts[k], "", lang) for k in keys)
    flags = [v for k, v in facts.items() if set(key_words(k)) & SUCCESS_KEYS and isinstance(v, bool)]
    if flags and len(facts) == len(flags):
        if all(flags):
            return "已完成。" if lang == "zh" else "Done."
        return "没有成功。" if lang == "zh" else "It did not succeed."
    return ""


def _is_the_question(value: Any, question: str) -> bool:
    """A tool that echoes the whole question back ({"city": "what did I ask?"}) states no fact."""
    text = " ".join(str(value).split())
    return isinstance(value, str) and len(text) >= 6 and text == " ".join(question.split())


def _echoes(question: str, value: Any) -> bool:
    """The question already says this value ("for 3 nights" → nights 3): worth less room in the answer."""
    text = _plain(value).lower()
    return bool(text) and text in _question_tokens(question)


def _dict_sentence(facts: dict, question: str, lang: str, entity: str | None = None, source: str = "") -> str:
    if conversion := _conversion(facts, lang):
        return conversion
    facts = {k: v for k, v in _with_currency(facts).items() if v is not None and str(v).strip().lower() not in EMPTY
             and not _is_the_question(v, question) or isinstance(v, bool)}
    lead, keys = _lead(facts, lang, entity, source)
    keys = [k for k in keys if not _is_message(k, facts[k]) and not (set(key_words(k)) & SUCCESS_KEYS
                                                                      and isinstance(facts[k], bool))]
    parts: dict[str, list[str]] = {"verb": [], "tail": [], "noun": []}
    extra: list[str] = []
    said: set[str] = set()
    ordered = asked_first(question, keys)
    asked = [k for k in ordered if asks_about(question, k)]
    # What was asked for first, then the facts the question did not already say, then the echoes.
    ordered = asked + sorted((k for k in ordered if k not in asked), key=lambda k: _echoes(question, facts[k]))
    details = 0
    for key in ordered:
        value = facts[key]
        if isinstance(value, (dict, list)):
            extra.append(describe(value, question, lang, entity=key))
            continue
        if str(value).lower() in said:
            continue  # eta "delivered" after status "delivered" says nothing new
        clause = _clause_zh(key, value) if lang == "zh" else _clause_en(key, value)
        if key not in asked and clause[0] != "verb":
            short = len(clause[1]) <= SHORT_CLAUSE  # "math A", "gate B12": a table of short facts reads well
            if details >= (MAX_SHORT_DETAILS if short else MAX_DETAILS):
                continue  # a brief answer, not the whole record
            details += 1
        said.add(str(value).lower())
        parts[clause[0]].append(clause[1])
    for noun in list(parts["noun"]):  # "is refunded" and "¥120 refunded" say one thing: "is refunded (¥120)"
        if (m := re.fullmatch(r"(\S+) (\w+ed)", noun)) and f"is {m.group(2)}" in parts["verb"]:
            parts["verb"][parts["verb"].index(f"is {m.group(2)}")] = f"is {m.group(2)} ({m.group(1)})"
            parts["noun"].remove(noun)
    first = next((k for k in ordered if not isinstance(facts[k], (dict, list))), None)
    nouns_first = bool(first and parts["noun"] and asks_about(question, first) and
                       (_clause_zh if lang == "zh" else _clause_en)(first, facts[first])[0] == "noun")
    sentence = _assemble(lead, parts, lang, nouns_first)
    if message := _message(facts, lang):
        gap = "" if lang == "zh" else " "
        if sentence in ("", f"{lead}.", f"{lead}。"):
            sentence = message
        elif any("error" in key_words(k) for k in facts if _is_message(k, facts[k])):
            sentence = f"{message}{gap}{sentence}"  # an error comes first: it is the news
        else:
            sentence = f"{sentence}{gap}{message}"  # a note comes after the facts it annotates
    return ("" if lang == "zh" else " ").join(filter(None, [sentence] + extra))


AMOUNT_KEYS = ("amount", "value", "quantity", "input")
RESULT_KEYS = ("result", "converted", "converted_amount", "output", "value_out")


def _conversion(facts: dict, lang: str) -> str | None:
    """{"amount": 100, "from": "CNY", "to": "USD", "result": 14} → "100 CNY is 14 USD."."""
    amount = next((k for k in AMOUNT_KEYS if k in facts), None)
    result = next((k for k in RESULT_KEYS if k in facts), None)
    if not (amount and result and "from" in facts and "to" in facts):
        return None
    a, r = _plain(facts[amount]), _plain(facts[result])
    if lang == "zh":
        return f"{a} {facts['from']} 约合 {r} {facts['to']}。"
    return f"{a} {facts['from']} is {r} {facts['to']}."


SHORT_VALUE = re.compile(r"[A-Z][A-Z0-9+-]{0,3}|[A-Z]?\d{1,4}[A-Z]?")
CLOCK = re.compile(r"\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?", re.I)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ADJECTIVES = {"open", "available", "free", "paid", "valid", "active", "ready", "late", "closed", "due", "full",
              "online", "eligible", "overdue", "urgent", "new", "used", "in stock"}
PARTY_WORDS = {"guests", "guest", "people", "persons", "adults", "children", "kids", "passengers", "pax", "diners",
               "travellers", "travelers", "party", "size"}
NOT_PLURAL = {"status", "address", "class", "bus", "gas", "news", "series", "plus", "yes", "this", "is", "days", "hours"}


def _is_adjective(word: str) -> bool:
    return word in ADJECTIVES or word.endswith(("ed", "able", "ible"))


def _is_plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith("ss") and word not in NOT_PLURAL and len(word) > 2


def _clause_en(key: str, value: Any) -> tuple[str, str]:
    """(kind, words): a "verb" says what the record is or does, a "tail" attaches to it ("for 4 guests",
    "at 19:00"), a "noun" is a further fact ("table 12", "$180 per night")."""
    all_words = [w for w in key_words(key) if w not in {"is", "has"}] or list(key_words(key))
    words = set(all_words)
    label = humanise(key, "en")
    if isinstance(value, bool):
        *subject, last = all_words
        if _is_adjective(last) or humanise(key, "en") == "in stock":
            adjective = "in stock" if humanise(key, "en") == "in stock" else last
            if subject and adjective != "in stock":
                return "noun", f"{humanise('_'.join(subject), 'en')} {'' if value else 'not '}{adjective}"
            return "verb", f"is {'' if value else 'not '}{adjective}"
        return "noun", f"{label} included" if value else f"no {label}"  # "breakfast included"
    if words & STATE_KEYS:
        return "verb", f"is {value}"
    if words & {"reason", "cause"} and isinstance(value, str) and len(value.split()) >= 3:
        return "tail", f"because {value[:1].lower() + value[1:] if value[1:2].islower() else value}"
    if words & PARTY_WORDS and isinstance(value, (int, float)):
        noun = next((w for w in all_words if w in PARTY_WORDS and _is_plural(w)), "guests")
        return "tail", f"for {_plain(value)} {noun if value != 1 else noun.removesuffix('s')}"
    if words & TIME_KEYS or words & {"departure", "arrival", "start", "end", "pickup", "dropoff"}:
        text = str(value)
        subject = humanise("_".join(w for w in all_words if w not in {"time", "date", "at", "on"}), "en")
        if re.fullmatch(r"\d+(?:\.\d+)?\s*(?:days?|hours?|minutes?|weeks?|h|min)", text) or _unit(key).strip() in (
                "days", "hours", "min"):
            verb = "be ready" if "ready" in words else "be done" if words & {"done", "finished"} else "arrive"
            return "verb", f"should {verb} in {_with_unit(key, value)}"
        if CLOCK.fullmatch(text.strip()):
            return ("noun", f"{subject} at {text}") if subject else ("tail", f"at {text}")
        if ISO_DATE.match(text):
            if "due" in words:
                return "verb", f"is due on {text}"
            return ("noun", f"{subject} on {text}") if subject else ("tail", f"on {text}")
        if subject and words & {"departure", "arrival", "start", "end", "pickup", "dropoff"}:
            return "noun", f"{label} {text}"
        return "noun", f"the {label} is {text}"
    core = [w for w in all_words if w not in UNIT_SUFFIX]
    if len(core) == 1 and core[0].endswith("ed") and re.match(r"[$€£¥]?\d", _with_unit(key, value)):
        return "noun", f"{_with_unit(key, value)} {core[0]}"  # refunded_cny → "¥120 refunded"
    if all_words[-1] in ID_KEYS and len(all_words) > 1 and isinstance(value, str):
        return "tail", f"for {humanise('_'.join(all_words[:-1]), 'en')} {value}"  # a second id: "for order A1003"
    if all_words[-1] in {"number", "no", "num", "nr"} and len(all_words) > 1:
        return "noun", f"{humanise('_'.join(all_words[:-1]), 'en')} {value}"  # "table 12", "seat 14C"
    if "per" in all_words[1:-1] or (all_words[-1] != "per" and "per" in all_words[:1]):
        at = all_words.index("per")
        after = " ".join(w for w in all_words[at + 1:] if w not in UNIT_SUFFIX)
        return "noun", f"{_with_unit(key, value)} per {after}"  # "$180 per night"
    if words & COUNT_WORDS and isinstance(value, (int, float)):
        if words & {"stock"}:
            return "noun", f"{_plain(value)} in stock"
        if label.endswith("s"):
            return "noun", f"{_plain(value)} {label}"  # "42 units", "2 nights"
        return "noun", f"the {label} is {_plain(value)}"
    if isinstance(value, int) and not isinstance(value, bool) and any(
            _is_plural(w) and w not in UNIT_SUFFIX for w in all_words) and all_words[-1] not in UNIT_SUFFIX:
        return "noun", f"{value} {label}"  # "3 available rooms", "2 copies", "2 renewals left"
    if key_words(key)[-1:] and key_words(key)[-1] in PREPOSITIONS:
        *noun, preposition = key_words(key)
        if noun and any(_is_adjective(w) for w in noun):
            return "noun", f"{humanise('_'.join(noun), 'en')} {preposition} {value}"  # "assigned to Sam"
        verb = {"to": "goes to", "from": "comes from"}.get(preposition, f"is {preposition}")
        return "noun", f"the {humanise('_'.join(noun), 'en')} {verb} {value}" if noun else f"{preposition} {value}"
    if isinstance(value, str) and SHORT_VALUE.fullmatch(value):
        return "noun", f"{label} {value}"  # "gate B12", "math A": a code or a grade reads best after its name
    return "noun", f"the {label} is {_with_unit(key, value)}"


# Common states in Chinese; the tool's own word follows in brackets so nothing is lost.
ZH_STATES = {"confirmed": "已确认", "cancelled": "已取消", "canceled": "已取消", "shipped": "已发货",
             "delivered": "已送达", "delayed": "延误", "on time": "准点", "pending": "待处理", "processing": "处理中",
             "open": "处理中", "closed": "已关闭", "resolved": "已解决", "approved": "已批准", "rejected": "已拒绝",
             "declined": "已拒绝", "boarding": "正在登机", "departed": "已起飞", "landed": "已降落",
             "available": "可用", "booked": "已预订", "paid": "已付款", "refunded": "已退款", "ready": "已就绪",
             "in transit": "运输中", "out of stock": "缺货", "in stock": "有货", "completed": "已完成",
             "active": "有效", "expired": "已过期", "overdue": "已逾期", "returned": "已归还",
             "sunny": "晴", "clear": "晴", "cloudy": "多云", "partly cloudy": "多云", "overcast": "阴", "rainy": "有雨",
             "rain": "有雨", "snowy": "有雪", "snow": "有雪", "windy": "有风", "foggy": "有雾", "stormy": "有暴风雨"}
ZH_BOOLEAN = {"cancelled": ("已取消", "未取消"), "canceled": ("已取消", "未取消"), "available": ("可用", "不可用"),
              "required": ("需要", "不需要"), "included": ("含", "不含"), "open": ("营业中", "未营业"),
              "paid": ("已付款", "未付款"), "confirmed": ("已确认", "未确认"), "refundable": ("可退款", "不可退款"),
              "overdue": ("已逾期", "未逾期"), "delayed": ("延误", "未延误"), "ready": ("已就绪", "未就绪")}


def _clause_zh(key: str, value: Any) -> tuple[str, str]:
    all_words = [w for w in key_words(key) if w not in {"is", "has"}] or list(key_words(key))
    words = set(all_words)
    label = zh_label(key)
    if isinstance(value, bool):
        if words & {"stock", "available"} and set(all_words[:-1]) <= {"in"}:
            return "verb", "有货" if value else "暂时无货"
        *subject, last = all_words
        if last in ZH_BOOLEAN:
            said = ZH_BOOLEAN[last][0 if value else 1]
            noun = zh_label("_".join(subject)) if subject else ""
            if subject and noun is None:
                return "noun", f"{humanise(key)}：{'是' if value else '否'}"
            return ("noun", f"{said}{noun}") if noun else ("verb", said)
        if label and not _is_adjective(last):
            return "noun", f"{'含' if value else '不含'}{label}"
        return "noun", f"{label or humanise(key)}：{'是' if value else '否'}"
    text = _with_unit(key, value)
    unit = _unit(key)
    if unit in ZH_UNITS and text.endswith(unit):
        text = text.removesuffix(unit) + ZH_UNITS[unit]  # "45 分钟", not "45 min", in a Chinese sentence
    if words & STATE_KEYS and str(value).lower() in ZH_STATES:
        return "verb", f"{ZH_STATES[str(value).lower()]}（{value}）"
    if label is None:
        return "noun", f"{humanise(key)} {text}"  # no Chinese word for the field: its name, never "x为 y"
    if key_words(key)[-1:] and key_words(key)[-1] in PREPOSITIONS:
        if len(all_words) > 1 and any(_is_adjective(w) for w in all_words[:-1]) and (noun := zh_label("_".join(all_words[:-1]))):
            return "noun", f"{noun}为{_space('为', text)}{text}"  # assigned_to → "负责人为 Sam"
        return "noun", f"{label}{_space(label, text)}{text}"
    if "per" in all_words[1:-1]:
        after = zh_label("_".join(w for w in all_words[all_words.index("per") + 1:] if w not in UNIT_SUFFIX))
        if after:
            return "noun", f"每{after}{_space(after, text)}{text}"  # "每晚 $180"
    if words & TIME_KEYS and re.fullmatch(r"\d+(?:\.\d+)?\s*(?:days?|天)", text):
        days = re.sub(r"\s*(?:days?|天)$", "", text)
        return "verb", f"预计 {days} 天后{'完成' if 'ready' in words else '送达'}"
    return "noun", f"{label}为{_space('为', text)}{text}"


def _space(before: str, after: str) -> str:
    """A space between Chinese and Latin letters or digits, as Chinese typesetting prefers."""
    if not before or not after:
        return ""
    return " " if is_chinese(before[-1]) != is_chinese(after[0]) else ""


def _assemble(lead: str, parts: dict[str, list[str]], lang: str, nouns_first: bool = False) -> str:
    """Lead, then what it is or does, then the other facts; what was asked for leads when it is a fact."""
    verbs, tails, nouns = parts["verb"], parts["tail"], parts["noun"]
    tails = sorted(tails, key=lambda t: (t.startswith("because "), not t.startswith("for ")))  # "for 4 guests at 19:00"
    if lang == "zh":
        body = "，".join(nouns + verbs + tails if nouns_first else verbs + tails + nouns)
        if not lead:
            return f"{body}。" if body else ""
        return f"{lead}：{body}。" if body else f"{lead}。"
    first = _join_en(verbs)
    if tails:
        first = f"{first} {' '.join(tails)}" if first else f"is {' '.join(tails)}"
    second = _join_en(nouns)
    if nouns_first and first:
        head = f"{lead}: {second}" if lead else second[:1].upper() + second[1:]
        return f"{head}; it {first}."
    if lead and first:
        sentence = f"{lead} {first}"
        return f"{sentence}; {second}." if second else f"{sentence}."
    if lead:
        return f"{lead}: {second}." if second else f"{lead}."
    if first:
        return f"It {first}; {second}." if second else f"It {first}."
    return second[:1].upper() + second[1:] + "." if second else ""


def _join_en(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


LIST_SHOWN = 5


def _list_sentence(items: list, question: str, lang: str, entity: str | None, source: str = "") -> str:
    """A short list is said item by item; a long one by its first few names and how many more."""
    if not items:
        return "没有找到结果。" if lang == "zh" else "Nothing was found."
    if all(isinstance(i, dict) and len(i) > 1 for i in items) and len(items) <= 3:
        return ("" if lang == "zh" else " ").join(_dict_sentence(i, question, lang, entity, source) for i in items)
    names = [_item_name(i) for i in items]
    shown, more = names[:LIST_SHOWN], len(names) - LIST_SHOWN
    # "list_books" returns books: the tool's plural noun names the items when the output does not
    plural = next((w for w in reversed(key_words(source)) if _is_plural(w) and w not in TOOL_VERBS), None)
    noun = humanise(entity, lang) if entity else ("项" if lang == "zh" else plural or "items")
    if lang == "zh":
        listed = "、".join(shown)
        return f"共 {len(items)} 项：{listed} 等。" if more > 0 else f"共 {len(items)} 项：{listed}。"
    listed = ", ".join(shown) + f" and {more} more" if more > 0 else _join_en(shown)
    return f"{len(items)} {noun}: {listed}."


def _item_name(item: Any) -> str:
    if isinstance(item, dict):
        key = next((k for k in item if set(key_words(k)) & set(NAME_KEYS + ("id",))), None)
        return str(item[key]) if key else ", ".join(_plain(v) for v in item.values())
    return _plain(item)


# ------------------------------------------------------------------ phrases the instructions demand
def apply_phrases(text: str, phrases: Phrases | None, lang: str) -> str:
    """Greeting, the customer's name or title, a fixed start and end, a sign-off.

    The "(offline model)" mark stays first: it labels the whole reply, it is not part of it.
    Nothing is added twice if the text already carries it.
    """
    if not phrases:
        return text
    mark = next((m for m in (MARK_EN, MARK_ZH) if text.startswith(m)), "")
    body = text[len(mark):].lstrip()
    greeting = _greeting(phrases, lang)
    if greeting and not body.startswith(greeting):
        body = f"{greeting}{'' if lang == 'zh' else ' '}{body}"
    if phrases.start and not body.startswith(phrases.start):
        # "Dear guest" opens a sentence: a comma before the reply, never "Dear guest我是…"
        latin = phrases.start.isascii()
        joint = ("，" if lang == "zh" else ", ") if phrases.start[-1:].isalnum() and latin else (
            "" if lang == "zh" and not latin else " ")
        body = f"{phrases.start}{joint}{body}"
    if phrases.end and phrases.end not in body:
        body = f"{body}{'' if lang == 'zh' and not phrases.end.isascii() else ' '}{phrases.end}"
    if phrases.sign and phrases.sign not in body:
        body = f"{body}\n——{phrases.sign}" if lang == "zh" else f"{body}\n— {phrases.sign}"
    return f"{mark}{'' if mark == MARK_ZH else ' '}{body}" if mark else body


def _greeting(phrases: Phrases, lang: str) -> str:
    name, title = phrases.name, phrases.title
    if not (name or title):
        return ""
    if lang == "zh":
        who = f"尊敬的{title}{_space(title, name or '')}{name or '客户'}" if title else name
        return f"{who}，您好！"
    if title:
        return f"Welcome, {name}, our valued {title}!" if name else f"Welcome, our valued {title}!"
    return f"Hello {name}!"


# ------------------------------------------------------------------ requests it cannot fulfil
CREATIVE = [  # (pattern, English plural, Chinese noun)
    (r"\b(?:poem|poems|poetry|haiku|sonnet|limerick|verse)\b|诗|绝句|律诗|词一首|对联", "poems", "诗"),
    (r"\b(?:story|stories|tale|fairy ?tale|novel)\b|故事|小说|童话", "stories", "故事"),
    (r"\b(?:joke|jokes|pun)\b|笑话|段子", "jokes", "笑话"),
    (r"\b(?:essay|article|blog post|speech)\b|作文|文章|演讲稿", "essays", "文章"),
    (r"\b(?:song|lyrics|rap)\b|歌词|歌曲|一首歌", "songs", "歌"),
    (r"\b(?:code|function|script|program|class|sql query|regex)\b|代码|程序|函数|脚本", "code", "代码"),
]
CREATIVE_VERB = re.compile(r"\b(?:write|compose|make up|tell|create|generate|draft|give me|come up with|sing|"
                           r"implement)\b|写|作|编|创作|讲|来|生成|给我", re.I)
TRANSLATE = re.compile(r"\btranslate\b|翻译", re.I)


def creative_kinds(question: str) -> list[str]:
    """Every kind of writing the question asks for, in the order it names them: ["jokes", "poems"]."""
    if not CREATIVE_VERB.search(question):
        return []
    found = [(m.start(), kind) for pattern, kind, _ in CREATIVE if (m := re.search(pattern, question, re.I))]
    return [kind for _, kind in sorted(found)]


def is_creative_request(question: str) -> str | None:
    """What the question asks to be created ("poems", "code"…), or None.

    A long translation counts too: a rule-based model cannot translate prose.
    """
    if TRANSLATE.search(question) and len(question) > 60:
        return "translations"
    if not CREATIVE_VERB.search(question):
        return None
    for pattern, kind, _ in CREATIVE:
        if re.search(pattern, question, re.I):
            return kind
    return None


def cannot_do(question: str, lang: str | None = None) -> str:
    """A short, honest, labelled reply to a request only a real language model can fulfil."""
    lang = writing_language(lang or ("zh" if is_chinese(question) else "en"))
    kind = is_creative_request(question) or "that"
    kinds = creative_kinds(question) if kind != "translations" else []
    if lang == "zh":
        nouns = [next(zh for _, en, zh in CREATIVE if en == k) for k in kinds]
        what = "做不了翻译" if kind == "translations" else f"写不了{'或'.join(nouns) if nouns else '这个'}"
        return f"{MARK_ZH}我{what}：我是按规则运行的替身，不是语言模型。在 .env 中配置真实模型即可。"
    what = "translate text" if kind == "translations" else f"write {' or '.join(kinds) if kinds else kind}"
    return (f"{MARK_EN} I can't {what}: I'm a rule-based stand-in, not a language model. "
            "Configure a provider in .env for a real one.")


# ------------------------------------------------------------------ answering with no tool
RECALL = re.compile(r"what did i (just )?(ask|say)|my (last|previous|first) (question|message)|"
                    r"我(刚才|之前|上一个|刚刚)(问|说)|上一个问题|之前的问题", re.I)
NAME_RECALL = re.compile(r"what('s| is) my name|who am i|我叫什么|我的名字", re.I)
GREETING = re.compile(r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|你好|您好|嗨)\b", re.I)
WHO_ARE_YOU = re.compile(r"who are you\b|what are you\b|introduce yourself|你是谁|你是什么|介绍一下你自己", re.I)
INTRODUCED = re.compile(r"(?:name is|i am|i'm|this is|call me)\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)|"
                        r"(?:我叫|名字是)([\u4e00-\u9fff]{2,3})", re.I)
NOT_NAMES = {"sorry", "fine", "good", "here", "looking", "trying", "not", "just", "a", "the"}


def direct_answer(question: str, instructions: str = "", earlier: list[str] | None = None) -> str:
    """A reply with no tool: recall, greeting, "who are you", a creative request, or an honest
    one-line "I can't answer that offline", always in the reply language the instructions ask for.

    `earlier` are the user's earlier messages in this conversation, oldest first.
    """
    earlier = earlier or []
    lang = reply_language(instructions, question or instructions)
    writing = writing_language(lang)
    recalled = _recall(question, earlier, writing)
    if recalled:
        return recalled
    if is_creative_request(question):
        return apply_phrases(cannot_do(question, writing), required_phrases(instructions), writing)
    role = persona(instructions, writing)
    zh = writing == "zh"
    phrases = required_phrases(instructions)
    if GREETING.search(question) or WHO_ARE_YOU.search(question):
        greeted = GREETING.search(question) and not (phrases.start or phrases.name or phrases.title)
        hello = ("你好！" if zh else "Hello! ") if greeted else ""  # "who are you?" is answered, not greeted
        body = f"{hello}我是{role}，有什么可以帮你？" if zh else f"{hello}I'm {role}. How can I help?"
    else:
        asked = _shorten(question, 80)
        body = (f"作为{role}，我需要真实模型才能回答「{asked}」：请在 .env 中配置服务商。" if zh
                else f"As {role}, I need a real model to answer “{asked}”: configure a provider in .env.")
    text = f"{MARK_ZH}{body}" if zh else f"{MARK_EN} {body}"
    if note := language_note(lang):
        text = f"{text} {note}"
    return apply_phrases(text, phrases, writing)


def _recall(question: str, earlier: list[str], lang: str) -> str | None:
    if NAME_RECALL.search(question):
        names = [g for text in earlier for m in INTRODUCED.finditer(text) for g in m.groups()
                 if g and g.lower() not in NOT_NAMES]
        if names:
            return f"你叫{names[-1]}。" if lang == "zh" else f"Your name is {names[-1]}."
    if RECALL.search(question) and earlier:
        quoted = earlier[0] if ("first" in question.lower() or "第一" in question) else earlier[-1]
        return f"你刚才问的是：「{quoted}」" if lang == "zh" else f"You asked: “{quoted}”"
    return None


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
