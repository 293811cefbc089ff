"""Read an agent's instructions: conditional choices, reply language, fixed phrases, persona.

A real model follows its system prompt. The offline model reads the few kinds of sentence a
prompt uses to steer a reply, in English and Chinese:

- conditional choices for enum and boolean fields: "priority: high if urgent or broken, else
  low", "broken -> high", "for fragile parcels use express", "如果客户提到退款，则优先级为高，否则为低";
- a reply-language directive: "Always reply in English", "用中文回答";
- phrases the reply must carry: "greet them as a VIP", "always end with 'Have a nice stay!'",
  "sign as The Front Desk", "称呼客户为王先生";
- the persona: "You are a hotel concierge" → "a hotel concierge".

Every function is pure: a string in, plain data out, so the policy and the filler can call
them without state and the tests can check them one sentence at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z']*")

# A matcher answers "does this condition word occur in the question?". The default one below
# only knows English word endings and Chinese substrings; a cross-language matcher (Chinese
# segmentation, a bilingual lexicon) can be passed instead without changing any caller.
Matcher = Callable[[str, str], bool]


def is_chinese(text: str) -> bool:
    return bool(CJK.search(text))


# ------------------------------------------------------------------ word forms
# Irregular forms a suffix rule cannot reach: "broken" must meet "break".
IRREGULAR = {"broke": "break", "broken": "break", "torn": "tear", "worn": "wear", "stolen": "steal",
             "lost": "lose", "sent": "send", "paid": "pay", "bought": "buy", "went": "go", "gone": "go",
             "left": "leave", "children": "child", "men": "man", "women": "woman", "mice": "mouse"}


@lru_cache(maxsize=8192)
def normalise(word: str) -> str:
    """A crude stem, enough for broken/break, urgent/urgently, crack/cracked/cracking, use/used."""
    word = word.lower().strip("'")
    if word in IRREGULAR:
        return IRREGULAR[word]
    for suffix, replacement in (("ies", "y"), ("ily", "y"), ("ly", ""), ("ing", ""), ("ed", ""),
                                ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # "stopped" → "stopp" → "stop"
    return word


def default_match(word: str, question: str) -> bool:
    """Whether one condition word appears in the question, tolerant of English word forms."""
    if is_chinese(word):
        return word in question
    return normalise(word) in _normalised_words(question)


@lru_cache(maxsize=1024)
def _normalised_words(text: str) -> frozenset[str]:
    return frozenset(normalise(w) for w in LATIN_WORD.findall(text))


# ------------------------------------------------------------------ conditions
@dataclass(frozen=True)
class Condition:
    """One "value if words" rule. `value` is the raw text that names the value ("low or medium").

    `field` is the field the rule is about when the instructions say so ("priority: …",
    "set is_vip to true when …"), else None. `units` are the alternatives of the condition,
    each a tuple of words that must all appear: "urgent or screen cracked" →
    (("urgent",), ("screen", "cracked")). An 'otherwise' rule has no units.
    """

    field: str | None
    value: str
    units: tuple[tuple[str, ...], ...] = ()
    otherwise: bool = False


# Words that say how a condition is phrased, not what it is about.
CONDITION_FILLER = frozenset(
    """a an the is are was were be been it its this that they them their there of to in on at by with
    from about any anything something someone if when whenever then user users customer customers guest
    guests client clients caller request requests message messages question questions ticket tickets
    mention mentions mentioned say says said ask asks asked talk talks contain contains containing
    include includes including has have had does do did seem seems looks look like very really
    something item items thing things his her my our your he she we i you how
    need needs needed want wants wanted wish wishes require requires required requested""".split()
)
ZH_FILLER = ("客户", "用户", "顾客", "客人", "对方", "读者", "提到", "提及", "说", "询问", "问", "涉及", "包含",
             "要求", "需要", "想要", "希望",
             "表示", "如果", "的话", "的时候", "时候", "是", "的", "了", "有", "很", "非常", "比较")

SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|[。！？；\n]+")
LABEL = re.compile(r"^\s*([A-Za-z_][A-Za-z_ ]{0,30}?|[\u4e00-\u9fff]{1,8})\s*[:：]\s*(.+)$", re.S)
PAREN_RULE = re.compile(r"([A-Za-z_][\w-]*|[\u4e00-\u9fff]{1,8})\s*[(（]([^)）]+)[)）]")
OTHERWISE = re.compile(r"^(?:otherwise|else|by default|default(?:s)?(?:\s+(?:to|is))?|in (?:all )?other cases|"
                       r"否则|其他情况(?:下)?|其余(?:情况)?|其它情况(?:下)?|默认(?:为|是)?)\s*[,，:：]?\s*(.+)$", re.I)
TRAILING_OTHERWISE = re.compile(r"^(?:or\s+)?(.+?)\s+(?:otherwise|by default|else|(?:for|in|on)\s+(?:anything|everything|all)\s+"
                                r"(?:else|other\w*)|in (?:all )?other cases)$", re.I)
SET_WHEN = re.compile(r"^(?:set|mark|make)\s+([A-Za-z_][\w]*)\s+(?:to|as)\s+(.+?)\s+(?:if|when|whenever)\s+(.+)$", re.I)
IF_FIRST = re.compile(r"^(?:if|when|whenever)\s+(.+)$", re.I)
VALUE_IF = re.compile(r"^(.+?)\s+(?:if|when|whenever)\s+(.+)$", re.I)
FOR_USE = re.compile(r"^for\s+(.+?),?\s+(?:use|choose|pick|set|it is|it's)\s+(.+)$", re.I)
USE_FOR = re.compile(r"^(?:use|choose|pick)\s+(.+?)\s+for\s+(.+)$", re.I)
ARROW = re.compile(r"^(.+?)\s*(?:→|->|=>|⇒)\s*(.+)$")
ZH_IF = re.compile(r"^(?:如果|假如|要是|若是|若|当)(.+)$")
ZH_WHEN = re.compile(r"^(.+?)(?<![同及准按临暂平])时(?![间候刻])[，,]?\s*(.+)$")
TRIGGER = re.compile(r"\b(?:if|when|whenever|otherwise|else|default|for|use|set|mark)\b|→|->|=>|"
                     r"如果|假如|要是|若|当|否则|其他情况|其余|默认|时", re.I)
CONTINUATION = re.compile(r"^\s*(?:then\b|则|就|那么|便)", re.I)


def conditions(instructions: str) -> list[Condition]:
    """Every conditional choice the instructions state, in the order they state them."""
    return list(_conditions(instructions))


@lru_cache(maxsize=256)  # an agent sends the same instructions on every turn
def _conditions(instructions: str) -> tuple[Condition, ...]:
    found: list[Condition] = []
    for sentence in SENTENCE_END.split(instructions):
        field, body = _label(sentence)
        for clause in _clauses(body):
            found.extend(_read_clause(clause, field))
    return tuple(found)


def _label(sentence: str) -> tuple[str | None, str]:
    """ "priority: high if urgent" → ("priority", "high if urgent").

    "billing: invoices, payments" names a value, not a field: it becomes "invoices, payments -> billing".
    """
    match = LABEL.match(sentence)
    if not match:
        return None, sentence
    label, rest = match.group(1).strip(), match.group(2).strip()
    if TRIGGER.search(rest) or PAREN_RULE.search(rest):
        return label, rest
    return None, re.sub(r"[,，、;；]", " or ", rest) + f" -> {label}"


def _clauses(body: str) -> list[str]:
    """Split on commas, but keep a condition's list ("if broken, cracked or dead") in one clause."""
    # "product (stock, features)" is a rule; "anything else (poems)" only explains the words before it.
    rules = [f"{words} -> {value}" for value, words in PAREN_RULE.findall(body) if not TRIGGER.fullmatch(value)]
    body = PAREN_RULE.sub(lambda m: " , " if not TRIGGER.fullmatch(m.group(1)) else m.group(1), body)
    clauses: list[str] = []
    for piece in re.split(r"[,，、]", body):
        piece = piece.strip()
        if not piece:
            continue
        if clauses and (CONTINUATION.match(piece) or not TRIGGER.search(piece)):
            clauses[-1] += ", " + piece
        else:
            clauses.append(piece)
    leftover = [c for c in clauses if re.search(r"[\w\u4e00-\u9fff]", c) and c.strip(" ,") not in ("or", "and")]
    return [r.replace(",", " or ").replace("，", " or ") for r in rules] + leftover


def _read_clause(clause: str, field: str | None) -> list[Condition]:
    clause = clause.strip(" ,，.。;；!！")
    match = OTHERWISE.match(clause) or TRAILING_OTHERWISE.match(clause)
    if match:
        return [Condition(field, _clean_value(match.group(1)), (), True)]
    match = SET_WHEN.match(clause)
    if match:
        return [Condition(match.group(1), _clean_value(match.group(2)), _units(match.group(3)))]
    pair = _value_and_words(clause)
    if pair is None:
        return []
    value, words = pair
    rules = [Condition(field, _clean_value(value), _units(words))]
    # "high if broken, else low" may arrive as one clause when no comma separates them.
    tail = re.search(r"(?:,\s*|\s+)(?:otherwise|else)\s+(.+)$|[，,]?\s*否则(.+)$", words, re.I)
    if tail:
        words = words[: tail.start()]
        rules = [Condition(field, _clean_value(value), _units(words)),
                 Condition(field, _clean_value(tail.group(1) or tail.group(2)), (), True)]
    return rules


def _value_and_words(clause: str) -> tuple[str, str] | None:
    """(value text, condition text) of one clause, or None when it states no condition."""
    if match := IF_FIRST.match(clause):
        return _split_if_first(match.group(1))
    if match := ZH_IF.match(clause):
        return _split_zh_if(match.group(1))
    if match := FOR_USE.match(clause):
        return match.group(2), match.group(1)
    if match := USE_FOR.match(clause):
        return match.group(1), match.group(2)
    if match := ARROW.match(clause):
        return match.group(2), match.group(1)
    if match := VALUE_IF.match(clause):
        return match.group(1), match.group(2)
    if match := ZH_WHEN.match(clause):
        return match.group(2), match.group(1)
    return None


def _split_if_first(rest: str) -> tuple[str, str] | None:
    """ "the guest is a member, use gold" / "broken then high" → (value, words)."""
    if match := re.match(r"^(.+?)\s*,?\s+then\s+(.+)$", rest, re.I):
        return match.group(2), match.group(1)
    if "," in rest:
        words, value = rest.rsplit(",", 1)
        return value, words
    return None


def _split_zh_if(rest: str) -> tuple[str, str] | None:
    """ "客户提到退款，则优先级为高" → ("优先级为高", "客户提到退款")."""
    if match := re.match(r"^(.+?)(?:时)?[，,]?\s*(?:则|就|那么|便)(.+)$", rest):
        return match.group(2), match.group(1)
    if match := re.match(r"^(.+?)(?:时)[，,]?(.+)$", rest):
        return match.group(2), match.group(1)
    if "," in rest or "，" in rest:
        words, value = re.split(r"[，,](?=[^，,]*$)", rest)
        return value, words
    return None


def _clean_value(text: str) -> str:
    text = re.sub(r"^\s*(?:then|use|choose|pick|set(?: it)? to|it is|it's|mark(?: it)? as|label(?: it)? as)\s+",
                  "", text.strip(), flags=re.I)
    text = re.sub(r"^(?:则|就|那么|设为|设置为|标记为|选择|选|用|为)", "", text)
    return text.strip(" .,:;，。：；'\"“”")


def _units(text: str) -> tuple[tuple[str, ...], ...]:
    """ "urgent or the screen is cracked" → (("urgent",), ("screen", "cracked"))."""
    units = []
    for part in re.split(r"\s*(?:,|\bor\b|\band\b|/|，|、|或者|或是|或|以及|和|及)\s*", text, flags=re.I):
        words = _content_words(part)
        if words:
            units.append(words)
    return tuple(units)


def _content_words(part: str) -> tuple[str, ...]:
    latin = [w for w in LATIN_WORD.findall(part) if w.lower() not in CONDITION_FILLER]
    chinese = "".join(CJK.findall(part))
    for filler in ZH_FILLER:
        chinese = chinese.replace(filler, " ")
    return tuple(latin + chinese.split())


# ------------------------------------------------------------------ choosing a value
TRUE_WORDS = {"true", "yes", "y", "on", "是", "真", "对"}
FALSE_WORDS = {"false", "no", "n", "off", "否", "假", "不"}


# A condition of several words ("fragile parcels", "the alarm mentions smoke") whose words the
# question says only in part still decides, when no condition is met in full and at least this
# share of its words appears: a question about a "fragile vase" is about a fragile parcel.
PARTIAL = 0.5


def choose(field_name: str, choices: list, question: str, rules: list[Condition],
           matcher: Matcher = default_match):
    """The enum value (or boolean) the instructions tie to this question, else None.

    The first rule whose words all appear wins; then the rule most of whose words appear (see
    PARTIAL); then the 'otherwise' value, but only when some
    rule for the field has a condition ("order, refund or other for anything else" lists values
    without saying when, so "other" must not swallow an order question). None tells the caller
    to keep its own best match, so instructions that say nothing change nothing.
    """
    fallback = implied = None
    conditional = False
    partial: tuple[float, object] | None = None
    for rule in _rules_for(field_name, choices, rules):
        value = _choice_in(rule.value, choices, field_name)
        if value is None:
            continue
        conditional = conditional or not rule.otherwise
        if rule.otherwise:
            fallback = value if fallback is None else fallback
            continue
        share = max((sum(matcher(word, question) for word in unit) / len(unit) for unit in rule.units), default=0.0)
        if share == 1.0:
            return value
        if share >= PARTIAL and (partial is None or share > partial[0]):
            partial = (share, value)  # "when the alarm mentions smoke": "smoke" alone says enough
        if isinstance(value, bool):
            implied = not value  # "true when gold members ask" implies false for everyone else
    if not conditional:
        return None
    if partial is not None:
        return partial[1]
    return fallback if fallback is not None else implied


def _rules_for(field_name: str, choices: list, rules: list[Condition]) -> list[Condition]:
    """The rules about this field: those that name it, plus unnamed ones.

    When no rule names the field, a label that is only a heading ("Parcels: for fragile items
    use express") still counts for an enum, whose values tell the rules apart. Booleans have
    no such values, so they only take rules that name them or say their name.
    """
    if any(rule.field is not None and _same_field(rule.field, field_name) for rule in rules):
        return [r for r in rules if r.field is None or _same_field(r.field, field_name)]
    if choices and all(isinstance(c, bool) for c in choices):
        return [r for r in rules if r.field is None]
    return rules


def _same_field(label: str, field_name: str) -> bool:
    """ "priority" names priority; so does "Ticket priority" or "优先级" for a field called 优先级."""
    if label == field_name:
        return True
    return bool({normalise(w) for w in _words(label)} & {normalise(w) for w in _words(field_name)})


def _words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return {w.lower() for w in re.split(r"[\s_\-]+", spaced) if w} - {"the", "a", "an", "is", "set", "choose"}


def _choice_in(value_text: str, choices: list, field_name: str):
    """The choice the value text names: "low or medium" → "low" (the first named)."""
    if choices and all(isinstance(c, bool) for c in choices):
        return _boolean_in(value_text, field_name)
    lowered = value_text.lower()
    best = None
    for choice in choices:
        label = str(choice).lower()
        pattern = re.escape(label) if is_chinese(label) else rf"(?<![a-z0-9]){re.escape(label)}(?![a-z0-9])"
        spaced = label.replace("_", " ")
        match = re.search(pattern, lowered) or (spaced != label and re.search(re.escape(spaced), lowered))
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), choice)
    return best[1] if best else None


def _boolean_in(value_text: str, field_name: str) -> bool | None:
    words = {w.lower() for w in LATIN_WORD.findall(value_text)} | set(CJK.findall(value_text))
    if words & FALSE_WORDS:
        return False
    if words & TRUE_WORDS:
        return True
    field_words = _words(field_name) - {"is", "has", "needs", "should"}
    return True if field_words and field_words <= {normalise(w) for w in words} | words else None


# ------------------------------------------------------------------ reply language
LANGUAGES = {
    "english": "en", "chinese": "zh", "mandarin": "zh", "spanish": "es", "french": "fr", "german": "de",
    "japanese": "ja", "korean": "ko", "italian": "it", "portuguese": "pt", "russian": "ru", "polish": "pl",
    "中文": "zh", "汉语": "zh", "汉字": "zh", "简体中文": "zh", "普通话": "zh", "英文": "en", "英语": "en",
    "西班牙语": "es", "法语": "fr", "德语": "de", "日语": "ja", "日文": "ja", "韩语": "ko", "意大利语": "it",
    "葡萄牙语": "pt", "俄语": "ru", "波兰语": "pl",
}
_EN_NAMES = "|".join(k for k in LANGUAGES if k.isascii())
_ZH_NAMES = "|".join(sorted((k for k in LANGUAGES if not k.isascii()), key=len, reverse=True))
LANGUAGE_DIRECTIVE = re.compile(
    rf"\b(?:reply|replies|answer|answers|respond|responses?|write|speak|talk|communicate)\b[^.!?\n]{{0,30}}?"
    rf"\b(?:in|using)\s+({_EN_NAMES})\b|\b(?:use|only)\s+({_EN_NAMES})\b"
    rf"|(?:用|使用|以)({_ZH_NAMES})(?:来)?(?:回答|回复|答复|作答|交流|回应|沟通|输出)", re.I)
SAME_LANGUAGE = re.compile(r"same language as the (?:user|customer|question)|user'?s language|"
                           r"用户(?:使用)?的语言|与用户相同的语言", re.I)


def reply_language(instructions: str, question: str) -> str:
    """The language code the reply must be in: the instructions' directive, else the question's.

    Languages the offline model cannot write ("es", "fr"…) are returned as they are, so the
    composer can write English and say in a few words why (see `answers.writing_language`).
    """
    if not SAME_LANGUAGE.search(instructions):
        match = LANGUAGE_DIRECTIVE.search(instructions)
        if match:
            name = next(g for g in match.groups() if g)
            return LANGUAGES[name.lower() if name.isascii() else name]
    return "zh" if is_chinese(question) else "en"


# ------------------------------------------------------------------ required phrases
@dataclass(frozen=True)
class Phrases:
    """What the instructions require the reply to contain.

    `name`: how to address the customer ("Alice", "Mr. Smith", "王先生"); `title`: a standing to
    greet them with ("VIP"); `greet`: the instructions ask for a greeting at all.
    """

    start: str | None = None
    end: str | None = None
    name: str | None = None
    title: str | None = None
    sign: str | None = None
    greet: bool = False


QUOTED = r"[\"“'‘「『]([^\"”'’」』]{1,80})[\"”'’」』]"
UNQUOTED = r"([^.!?\n。！？；;]{1,60}?)(?=[.!?\n。！？；;]|$)"
START = re.compile(rf"(?:always\s+)?(?:start|begin|open)\s+(?:\w+\s+){{0,3}}?with\s+(?:{QUOTED}|{UNQUOTED})", re.I)
END = re.compile(rf"(?:always\s+)?(?:end|finish|close)\s+(?:\w+\s+){{0,3}}?with\s+(?:{QUOTED}|{UNQUOTED})", re.I)
SIGN = re.compile(rf"sign(?:\s+off)?(?:\s+\w+){{0,3}}?\s+(?:as|with)\s+(?:{QUOTED}|{UNQUOTED})", re.I)
HONORIFIC = r"((?:Mr|Mrs|Ms|Dr|Prof)\.\s*[A-Z][\w-]*)"
ADDRESS = re.compile(rf"(?:address|call|refer to|greet)\s+(?:them|him|her|the (?:customer|user|guest|client|caller))"
                     rf"\s+(?:as\s+)?(?:{QUOTED}|{HONORIFIC}|{UNQUOTED})", re.I)
CUSTOMER_NAME = re.compile(r"(?i:the (?:customer|user|guest|client|caller)(?:'s name)? is|(?:customer|user|guest)"
                           r" name:?|you are (?:talking|speaking) (?:to|with))\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)")
ZH_START = re.compile(r"以[「“\"]([^」”\"]{1,40})[」”\"](?:开头|开始)|以([^，。；！\s「“]{1,30}?)(?:开头|开始)")
ZH_END = re.compile(r"以[「“\"]([^」”\"]{1,40})[」”\"](?:结尾|结束)|以([^，。；！\s「“]{1,30}?)(?:结尾|结束)")
ZH_SIGN = re.compile(r"(?:署名|落款)(?:为|是|[：:])\s*[「“\"]?([^，。；！」”\"\s]{1,20})")
ZH_ADDRESS = re.compile(r"称呼[^，。；！为]{0,8}为\s*[「“\"]?([^，。；！」”\"\s]{1,12})"
                        r"|称呼(?:客户|用户|对方|顾客|读者|他|她)\s*[「“\"]?([^，。；！」”\"\s为]{1,12})")
ZH_CUSTOMER = re.compile(r"(?:客户|用户|顾客)(?:是|叫|名叫|的名字是)([\u4e00-\u9fff]{2,4}|[A-Z][a-z]+)")
GREET = re.compile(r"\bgreet\b|问候|打招呼|问好", re.I)


@lru_cache(maxsize=256)
def required_phrases(instructions: str) -> Phrases:
    """Start, end, sign-off and how to address the customer, as the instructions demand them."""
    start = _first(START, instructions) or _first(ZH_START, instructions)
    end = _first(END, instructions) or _first(ZH_END, instructions)
    sign = _first(SIGN, instructions) or _first(ZH_SIGN, instructions)
    name = _first(CUSTOMER_NAME, instructions) or _first(ZH_CUSTOMER, instructions)
    title = None
    address = _first(ADDRESS, instructions) or _first(ZH_ADDRESS, instructions)
    if address:
        article = re.match(r"^(?:an?|our|a valued|the)\s+(.+)$", address, re.I)
        if article or address.isupper():
            title = (article.group(1) if article else address).strip()
        elif not re.match(r"^(?:by\b|with\b)", address, re.I):
            name = address
    return Phrases(start, end, name, title, sign, bool(GREET.search(instructions)))


def _first(pattern: re.Pattern, text: str) -> str | None:
    match = pattern.search(text)
    if not match:
        return None
    value = next((g for g in match.groups() if g), "")
    return value.strip(" ,，:：") or None


# ------------------------------------------------------------------ persona
ROLE_EN = re.compile(r"\byou are (an? |the )?([^.,;!?\n]{2,60})", re.I)
ROLE_ZH = re.compile(r"你是(?:一个|一名|一位|一家)?([^，。,.;；！？\n]{1,30})")
# Role words as a Chinese reply needs them, and back. Unknown words make a neutral phrasing.
ROLE_WORDS = {
    "helpful": "乐于助人的", "friendly": "友好的", "polite": "礼貌的", "professional": "专业的",
    "assistant": "助手", "agent": "助手", "bot": "机器人", "chatbot": "聊天机器人", "expert": "专家",
    "specialist": "专员", "customer": "客户", "service": "服务", "support": "支持", "desk": "服务台",
    "front": "前台", "hotel": "酒店", "concierge": "礼宾员", "librarian": "图书管理员", "library": "图书馆",
    "teacher": "老师", "tutor": "辅导老师", "translator": "翻译", "weather": "天气", "travel": "旅行",
    "shop": "商店", "store": "商店", "bike": "自行车", "repair": "维修", "mechanic": "技师", "order": "订单",
    "refund": "退款", "billing": "账单", "sales": "销售", "triage": "分诊", "python": "Python",
    "developer": "开发人员", "poet": "诗人", "storyteller": "讲故事的人", "math": "数学", "city": "城市",
    "pharmacist": "药剂师", "pharmacy": "药店", "receptionist": "接待员", "restaurant": "餐厅", "bank": "银行",
    "teller": "柜员", "airline": "航空公司", "school": "学校", "it": "IT", "helpdesk": "服务台", "rental": "租赁",
    "car": "汽车", "booking": "预订", "reservation": "预订", "waiter": "服务员", "nurse": "护士", "doctor": "医生",
}
ZH_ROLE_WORDS = {v: k for k, v in ROLE_WORDS.items()
                 if k not in ("agent", "store", "storyteller", "helpdesk", "reservation")} | {"前台": "front desk"}
ROLE_NOUNS = {"助手", "专员", "专家", "服务台", "机器人", "聊天机器人", "前台", "礼宾员", "图书管理员", "老师",
              "辅导老师", "翻译", "技师", "开发人员", "诗人", "讲故事的人", "药剂师", "接待员", "柜员", "服务员",
              "护士", "医生"}
ROLE_SKIP = {"of", "the", "a", "an", "for", "at", "in", "and", "s"}


@lru_cache(maxsize=256)
def persona(instructions: str, lang: str = "en") -> str:
    """Who the agent says it is, in the reply language and never mixing scripts mid-phrase.

    "You are a helpful assistant." → "a helpful assistant" (en) / "乐于助人的助手" (zh);
    "你是一个天气助手" → "天气助手" (zh) / "a weather assistant" (en). A role the small word table
    cannot render becomes a neutral "this agent" / "这里的助手" instead of a mixed phrase.
    """
    chinese = lang == "zh"
    if match := ROLE_EN.search(instructions):
        role = ((match.group(1) or "") + match.group(2)).strip()
        return _role_in_chinese(match.group(2)) if chinese else role
    if match := ROLE_ZH.search(instructions):
        role = match.group(1).strip()
        return role if chinese else _role_in_english(role)
    return "课程助手" if chinese else "the course assistant"


def _role_in_chinese(role: str) -> str:
    role = re.split(r"\b(?:at|for|of|in|from|who|that|with)\b", role, maxsplit=1)[0]
    role = re.sub(r"\b(?:[A-Z][\w&-]*\s+)*[A-Z][\w&-]*['’]s\b", " ", role)  # "Pedal Palace's": whose, not what
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", role) if w.lower() not in ROLE_SKIP]
    if words and words[-1] in ROLE_WORDS:  # the head noun is known: unknown modifiers are left out, never mixed in
        words = [w for w in words if w in ROLE_WORDS]
        rendered = [ROLE_WORDS[w] for w in words]
        if rendered[-1] not in ROLE_NOUNS:
            rendered.append("助手")
        return "".join(rendered)
    return "这里的助手"


def _role_in_english(role: str) -> str:
    words, rest = [], role
    while rest:
        piece = next((zh for zh in sorted(ZH_ROLE_WORDS, key=len, reverse=True) if rest.startswith(zh)), None)
        if piece is None:
            return "the assistant"
        words.append(ZH_ROLE_WORDS[piece])
        rest = rest[len(piece):]
    article = "an" if words[0][0] in "aeiou" else "a"
    return f"{article} {' '.join(words)}"
