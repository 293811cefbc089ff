"""Values in a text for the offline model: places, numbers, ids, currencies, names; token counts.

Everything here is a plain rule over strings, so the same question always gives the same
reading. Words and their meanings (segmentation, stems, the Chinese-English lexicon) are
`language.py`'s; this module finds the values an argument takes. The gazetteer is small on
purpose: enough for a customer-service course in English and Chinese.
"""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"[A-Za-z][A-Za-z']*|\d+(?:\.\d+)?")

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
