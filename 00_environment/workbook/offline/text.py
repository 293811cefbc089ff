"""Text analysis for the offline model: words, CJK n-grams, places, numbers, ids.

Everything here is a plain rule over strings, so the same question always gives the same
reading. The word lists are small on purpose: enough for a customer-service course in
English and Chinese, not a language model.
"""

from __future__ import annotations

import re
from functools import lru_cache

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"[A-Za-z][A-Za-z']*|\d+(?:\.\d+)?")

STOPWORDS = frozenset(
    """a an the and or of to in on at for by with from is are was were be been being it its
    this that these those i me my you your we our they them he she his her what which who whom
    how when where why can could would should will shall may might do does did please tell
    give get show about as into than then there here some any all just also not no yes if
    agent handoff handle request use used using tool tools function call
    current given one two me us let know want need like""".split()
)
CJK_STOP = frozenset("的了吗呢吧啊是我你他她它们在和与及或把被给请帮一下个这那有什么怎么多少")

# A few synonyms so that "temperature" finds a weather tool and "退款" finds a refund tool.
# Each group is one concept; a word in the group also counts as every other word in it.
SYNONYM_GROUPS = [
    {"weather", "temperature", "forecast", "rain", "sunny", "天气", "气温", "温度", "下雨", "晴"},
    {"order", "orders", "purchase", "shipment", "delivery", "shipping", "订单", "快递", "物流", "发货"},
    {"product", "products", "item", "catalog", "stock", "inventory", "商品", "产品", "库存"},
    {"price", "cost", "costs", "pricing", "how much", "价格", "多少钱", "价钱"},
    {"currency", "convert", "exchange", "rate", "汇率", "换算", "兑换"},
    {"refund", "return", "returns", "rma", "money back", "退款", "退货", "退钱"},
    {"ticket", "complaint", "issue", "support", "problem", "工单", "投诉", "问题"},
    {"book", "booking", "reserve", "reservation", "预订", "订票"},
    {"flight", "flights", "fly", "plane", "airline", "机票", "航班", "飞机"},
    {"hotel", "hotels", "room", "stay", "酒店", "宾馆", "住宿"},
    {"billing", "bill", "payment", "payments", "pay", "paid", "invoice", "charge", "charged", "付款", "支付",
     "账单", "扣款"},
    {"search", "find", "look", "lookup", "查询", "搜索", "查找", "查"},
    {"math", "calculate", "compute", "add", "sum", "plus", "计算", "加"},
    {"stock", "share", "shares", "finance", "financial", "股票", "股价", "金融"},
    {"email", "mail", "邮件", "邮箱"},
    {"news", "新闻"},
    {"high", "urgent", "urgently", "asap", "critical", "emergency", "紧急", "加急"},
    {"time", "date", "today", "时间", "日期", "今天"},
    {"translate", "translation", "翻译"},
    {"language", "spanish", "french", "english", "chinese", "语言"},
]
_SYNONYMS: dict[str, frozenset[str]] = {}
for _group in SYNONYM_GROUPS:
    for _word in _group:
        _SYNONYMS[_word] = _SYNONYMS.get(_word, frozenset()) | frozenset(_group)

# Places the course mentions, English and Chinese, each with its display name.
CITIES = {
    "beijing": "Beijing", "shanghai": "Shanghai", "guangzhou": "Guangzhou",
    "shenzhen": "Shenzhen", "hangzhou": "Hangzhou", "chengdu": "Chengdu", "wuhan": "Wuhan",
    "nanjing": "Nanjing", "xi'an": "Xi'an", "hong kong": "Hong Kong", "taipei": "Taipei",
    "tokyo": "Tokyo", "osaka": "Osaka", "seoul": "Seoul", "singapore": "Singapore",
    "london": "London", "paris": "Paris", "berlin": "Berlin", "madrid": "Madrid",
    "rome": "Rome", "warsaw": "Warsaw", "krakow": "Krakow", "new york": "New York",
    "san francisco": "San Francisco", "los angeles": "Los Angeles", "chicago": "Chicago",
    "sydney": "Sydney", "toronto": "Toronto", "dubai": "Dubai", "moscow": "Moscow",
    "北京": "北京", "上海": "上海", "广州": "广州", "深圳": "深圳", "杭州": "杭州",
    "成都": "成都", "武汉": "武汉", "南京": "南京", "西安": "西安", "重庆": "重庆",
    "天津": "天津", "苏州": "苏州", "香港": "香港", "台北": "台北", "东京": "东京",
    "大阪": "大阪", "首尔": "首尔", "新加坡": "新加坡", "伦敦": "伦敦", "巴黎": "巴黎",
    "纽约": "纽约", "柏林": "柏林", "東京": "東京", "臺北": "臺北",
}
LANGUAGES = {"spanish", "french", "english", "chinese", "german", "japanese", "italian",
             "polish", "korean", "russian", "portuguese"}
CURRENCIES = {
    "usd": "USD", "dollar": "USD", "dollars": "USD", "美元": "USD", "eur": "EUR", "euro": "EUR",
    "euros": "EUR", "欧元": "EUR", "cny": "CNY", "rmb": "CNY", "yuan": "CNY", "人民币": "CNY",
    "元": "CNY", "jpy": "JPY", "yen": "JPY", "日元": "JPY", "gbp": "GBP", "pound": "GBP",
    "pounds": "GBP", "英镑": "GBP", "pln": "PLN", "zloty": "PLN", "hkd": "HKD", "港币": "HKD",
}
NUMBER = re.compile(r"(?<![A-Za-z#\-\d])-?\d+(?:\.\d+)?(?![A-Za-z\-\d])")
# Order numbers, SKUs and ticket ids: letters and digits together, or # and digits.
IDENTIFIER = re.compile(
    r"#?(?<![A-Za-z0-9])(?:[A-Za-z]{1,6}[-_]?\d{2,}[A-Za-z0-9-]*|\d{4,}[A-Za-z0-9-]*)(?![A-Za-z0-9])|#\d+"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def has_cjk(text: str) -> bool:
    return bool(CJK.search(text))


def split_identifier(name: str) -> list[str]:
    """`get_weather` and `getWeather` both give ["get", "weather"]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w.lower() for w in re.split(r"[^A-Za-z0-9\u4e00-\u9fff]+", spaced) if w]


def _stem(word: str) -> str:
    for suffix in ("ing", "ies", "es", "s", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


CACHED_TERMS_CHARS = 200  # tool names and descriptions repeat on every request; long texts are never kept


def terms(text: str) -> frozenset[str]:
    """The meaningful terms of a text: stemmed English words and Chinese character pairs.

    Chinese has no spaces, so "查询北京天气" is read as the pairs 查询, 询北, 北京, 京天, 天气
    (and the single characters); a tool described as "查询天气" shares 查询 and 天气 with it.
    """
    return _cached_terms(text) if len(text) <= CACHED_TERMS_CHARS else _terms(text)


@lru_cache(maxsize=4096)  # at most 4,096 short texts: a bounded cache, whatever the requests
def _cached_terms(text: str) -> frozenset[str]:
    return _terms(text)


def _terms(text: str) -> frozenset[str]:
    found: set[str] = set()
    lowered = text.lower()
    for word in WORD.findall(lowered):
        if word not in STOPWORDS and not word.replace(".", "").isdigit() and len(word) > 1:
            found.add(_stem(word))
            found.add(word)
    for run in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]+", text):
        chars = [c for c in run]
        found.update(c for c in chars if c not in CJK_STOP)
        found.update(a + b for a, b in zip(chars, chars[1:], strict=False))
    for phrase in ("how much", "money back"):
        if phrase in lowered:
            found.add(phrase)
    return frozenset(found)


def concept(term: str) -> frozenset[str]:
    """A term with its synonyms: the unit a match counts as."""
    return _SYNONYMS.get(term) or frozenset((term,))


def expand(found: frozenset[str]) -> frozenset[str]:
    """Add the synonyms of every term."""
    more = set(found)
    for term in found:
        more |= _SYNONYMS.get(term, frozenset())
    return frozenset(more)


def _lookup(text: str, table: dict[str, str]) -> list[tuple[int, str]]:
    """(position, value) for every key of `table` in the text; English keys only as whole words."""
    lowered = text.lower()
    hits = []
    for key, value in table.items():
        for match in re.finditer(re.escape(key), lowered):
            if key.isascii():
                before = lowered[match.start() - 1] if match.start() else " "
                after = lowered[match.end()] if match.end() < len(lowered) else " "
                if before.isalpha() or after.isalpha():
                    continue
            hits.append((match.start(), value))
    return hits


def _in_order(hits: list[tuple[int, str]]) -> list[str]:
    """The values in order of appearance, each once."""
    return list(dict.fromkeys(value for _, value in sorted(hits)))


def places(text: str) -> list[str]:
    """Known cities in order of appearance, else capitalised words after "in/at/for"."""
    hits = _lookup(text, CITIES)
    if not hits:
        for match in re.finditer(r"\b(?:in|at|for|to|from)\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)", text):
            if match.group(1).lower() not in LANGUAGES:
                hits.append((match.start(1), match.group(1)))
    return _in_order(hits)


def numbers(text: str) -> list[float]:
    """Numbers in order of appearance, skipping digits inside ids such as A1001 or 2024-05-01."""
    clean = DATE.sub(" ", IDENTIFIER.sub(lambda m: " " if _looks_like_id(m.group()) else m.group(), text))
    return [float(n) for n in NUMBER.findall(clean)]


def _looks_like_id(token: str) -> bool:
    return token.startswith("#") or any(c.isalpha() for c in token) or len(token) >= 5


def identifiers(text: str) -> list[str]:
    return [m.group().lstrip("#") for m in IDENTIFIER.finditer(text) if _looks_like_id(m.group())]


def currencies(text: str) -> list[str]:
    return _in_order(_lookup(text, CURRENCIES))


def person_names(text: str) -> list[str]:
    """Names introduced the way people introduce them ("my name is Alice", "我叫小明")."""
    found = re.findall(r"(?:name is|i am|i'm|this is|call me)\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)", text, re.I)
    found += re.findall(r"(?:我叫|我是|名字是)([\u4e00-\u9fff]{2,3})", text)
    return [n for n in found if n.lower() not in LANGUAGES]


def count_tokens(text: str) -> int:
    """A stable token estimate: one per word or number, one per CJK character."""
    return len(WORD.findall(text)) + len(CJK.findall(text)) + len(re.findall(r"[^\w\s]", text)) // 2


def shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_deltas(text: str, size: int = 3) -> list[str]:
    """Cut text into small stream deltas: a word (with its space) or up to `size` CJK chars."""
    pieces = re.findall(rf"\s*[\u3400-\u9fff\uf900-\ufaff]{{1,{size}}}|\s*[^\s\u3400-\u9fff\uf900-\ufaff]+|\s+", text)
    return pieces or [text]
