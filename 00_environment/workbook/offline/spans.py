"""Concise free-text arguments: the part of a message a field asks for, not the whole message.

A model fills `reason` with "broken", not with "My earbuds from order A1003 are broken, I want
to return them."; a `title` with "Dune", not with the sentence around it. Only fields that are
the message itself (query, text, message, question, input, prompt) get the whole message.
"""

from __future__ import annotations

import re

from .instructions import CJK, LATIN_WORD, is_chinese

REASON = re.compile(
    r"(?:\bbecause(?: of)?|\bsince|\bdue to|\bowing to|\bgiven that|\bas(?= (?:it|they|the|my|its|this|that|i|we|he|she)\b)"
    r"|因为|由于|原因是|理由是|是因为)\s*([^.;!?。；！？，,]+)", re.I)
# Words that name what is wrong with something: the heart of a complaint when no "because" is said.
PROBLEMS = re.compile(
    r"\b(?:broken|broke|cracked|damaged|defective|faulty|not working|doesn't work|does not work|stopped working|"
    r"won't (?:start|turn on|charge)|missing|late|delayed|lost|stolen|leaking|leaks|flat|torn|dead|wrong|"
    r"overcharged|charged twice|too (?:small|big|large|tight)|scratched|dirty|noisy|squeak\w*|stuck)\b"
    r"|坏了|损坏|破损|故障|不能用|用不了|没收到|未收到|迟到|延误|丢失|漏水|漏气|划痕|太小|太大|发错|少发|错了|坏")
LEADING = re.compile(r"^(?:(?:and|but|so|also|my|our|the|this|these|those|i think|it seems)\s+)+", re.I)
ID_PHRASE = re.compile(r"\s*\b(?:from|in|of|with)\s+(?:my\s+|the\s+)?(?:order|ticket|booking)\s*#?\s*[A-Za-z0-9-]+",
                       re.I)
ID_SUBJECT = re.compile(r"^(?:order|ticket|booking|parcel|package|reservation)\s*#?\s*[A-Za-z]*-?\d[\w-]*\s+", re.I)
ZH_LEADING = re.compile(r"^(?:我的|我们的|这个|那个|订单\s*[A-Za-z0-9-]+\s*(?:的|里的|中的)?|可是|但是|而且)+")


def reason(question: str) -> str | None:
    """The clause after because/since/due to/因为/由于, else the words that say what is wrong."""
    if match := REASON.search(question):
        return _tidy(match.group(1))
    match = PROBLEMS.search(question)
    if not match:
        return None
    clause = _clause_around(question, match.start())
    if is_chinese(clause):
        clause = ZH_LEADING.sub("", clause.strip())
        return clause if 0 < len(clause) <= 12 else match.group(0)
    clause = LEADING.sub("", ID_PHRASE.sub("", clause).strip())
    clause = ID_SUBJECT.sub("", clause)  # "order A1003 arrived broken": the id says which, not why
    return clause if 0 < len(clause.split()) <= 6 else match.group(0)


def _clause_around(text: str, position: int) -> str:
    start = max((text.rfind(p, 0, position) for p in ",.;!?，。；！？"), default=-1) + 1
    ends = [i for i in (text.find(p, position) for p in ",.;!?，。；！？") if i != -1]
    return text[start: min(ends) if ends else len(text)]


COURTESY = re.compile(
    r"^(?:(?:please|pls|kindly|hi|hello|hey|thanks|thank you|could you|can you|would you|will you|i'd like to|"
    r"i would like to|i want to|i wish to|i need to|i'd like you to|we'd like to|we want to|we need to|help me|"
    r"go ahead and|just|i want|i'd like|i would like|i need|we want|we need|we'd like)[\s,]+)+", re.I)
CUT = {"for", "from", "on", "in", "at", "with", "by", "because", "since", "as", "so", "but", "and", "to"}
ZH_COURTESY = re.compile(r"^(?:请问|请|麻烦|帮我|帮忙|我想要|我想|我要|我需要|能不能|可以|能否|您好|你好|[，,\s])+")
CODE = re.compile(r"#?\b[A-Za-z]*\d[\w-]*|#?\b[A-Z]{1,4}-[\w-]+")
ARTICLES = {"my", "the", "a", "an", "our", "this", "that", "your", "please", "for", "me", "us", "number", "no"}
CUSTOMER_REQUEST = ("customer request", "客户要求")


def request_phrase(question: str) -> str:
    """What the message asks for, in a few words: "Please cancel reservation R-4471" → "cancel reservation"."""
    first = re.split(r"[.;!?。；！？,，]", question.strip(), maxsplit=1)[0] or question
    if is_chinese(first):
        core = CODE.sub("", ZH_COURTESY.sub("", first.strip())).strip(" ，,#")
        core = re.sub(r"\s+", "", core)
        return core if 0 < len(core) <= 10 else CUSTOMER_REQUEST[1]
    core = CODE.sub(" ", COURTESY.sub("", first.strip()))
    words = []
    for word in re.findall(r"[A-Za-z][A-Za-z'-]*", core):
        if word.lower() in CUT and words:
            break  # "a refund for order A1003": the request ends where its details begin
        if word.lower() not in ARTICLES:
            words.append(word)
    if not words or words[0].lower() in STOP:
        return CUSTOMER_REQUEST[0]  # "I think…", "Is it…": no request to name
    return " ".join(words[:4]).lower()


def _tidy(text: str) -> str:
    return LEADING.sub("", text.strip(" \"'“”")).strip()


NAME = re.compile(r"(?:(?i:my name is|name:|i am|i'm|this is|call me|under the name(?: of)?|booked as)\s+"
                  r"|\b(?=(?:Mr|Mrs|Ms|Dr)\.?\s))((?:Mr|Mrs|Ms|Dr)\.?\s+)?([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)")
ZH_NAME = re.compile(r"(?:我叫|我是|名字是|姓名[：:是]?|名叫)\s*([\u4e00-\u9fff]{2,4}?|[A-Z][a-z]+)(?=[，。,.！!？?\s]|$|[的在想要])")
NOT_A_NAME = {"sorry", "fine", "good", "here", "looking", "trying", "not", "just", "a", "the", "your", "my"}


def name_span(question: str) -> str | None:
    """A person's name as people introduce it: "my name is Ada Lovelace" → "Ada Lovelace"; "我叫李雷" → "李雷"."""
    for match in NAME.finditer(question):
        name = match.group(2)
        if name[:1].isupper() and name.split()[0].lower() not in NOT_A_NAME:
            return f"{match.group(1) or ''}{name}".strip()
    if match := ZH_NAME.search(question):
        return match.group(1)
    for match in POSSESSIVE.finditer(question):  # "Tom Baker's grades" names Tom Baker
        if match.group(1).split()[0].lower() not in NOT_A_NAME | STOP | QUESTION_OPENERS | DAY_WORDS:
            return match.group(1)
    return None


POSSESSIVE = re.compile(r"\b([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)['’]s\b")
DAY_WORDS = {"today", "tomorrow", "yesterday", "tonight", "monday", "tuesday", "wednesday", "thursday", "friday",
             "saturday", "sunday", "everyone", "nobody", "someone", "mother", "father", "children"}


QUOTED = re.compile(r"《([^》]+)》|「([^」]+)」|『([^』]+)』|“([^”]+)”|\"([^\"]+)\"|(?<!\w)'([^']+)'(?!\w)|‘([^’]+)’")
TITLED = re.compile(r"\b(?:book|novel|film|movie|song|album|title|called|named|titled)\s+"
                    r"([A-Z][\w']*(?:\s+(?:of|the|and|a|an|in|on|to|[A-Z][\w']*))*)")


def quoted_title(question: str) -> str | None:
    """A title in quotes or book-title marks ("'Dune'", 《三体》), or capitalised after "the book"."""
    if match := QUOTED.search(question):
        return next(g for g in match.groups() if g).strip()
    if match := TITLED.search(question):
        return re.sub(r"(?:\s+(?:of|the|and|a|an|in|on|to))+$", "", match.group(1))
    return None


STOP = frozenset(
    """a an the and or of to in on at for by with from is are was were be been it its this that these those
    i me my you your we our they them he she his her what which who whom how when where why can could would
    should will shall may might do does did please tell give get show find about as into than then there here
    some any all just also not no yes if want need like looking look search help know any anything something
    have has had am let lets us one""".split())
ZH_STOP = ("请问", "请", "帮我", "帮忙", "给我", "我想", "我要", "想要", "查一下", "查找", "查询", "搜索", "找一下",
           "一下", "有没有", "有什么", "什么", "怎么", "怎样", "如何", "哪些", "哪个", "关于", "一些", "一本",
           "一个", "吗", "呢", "吧", "啊", "的", "了", "我", "你", "是", "有", "在", "和", "找")


def keywords(question: str) -> str:
    """The content words of a question, for a search box: "any books about Roman history?" → "books Roman history"."""
    question = ID_PHRASE.sub(" ", question)  # "from order B-5521" says which record, not what to search
    latin = [w for w in LATIN_WORD.findall(question) if w.lower() not in STOP and len(w) > 1]
    chinese = "".join(c if CJK.match(c) else " " for c in question)
    for word in ZH_STOP:
        chinese = chinese.replace(word, " ")
    return " ".join(latin + chinese.split())


def topic(question: str) -> str:
    """What the question is about: the quoted title if any, else its content words."""
    return quoted_title(question) or keywords(question)


# ------------------------------------------------------------------ times, notes, the names of things
CLOCK = (r"\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?)(?![a-z])|\d{1,2}:\d{2}|noon|midnight|(?:at|by) \d{1,2} o'clock")
DAY = (r"today|tonight|tomorrow|the day after tomorrow|this (?:morning|afternoon|evening)|"
       r"(?:next |this )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|\d{4}-\d{2}-\d{2}")
PART_OF_DAY = r"(?:\s+(?:morning|afternoon|evening|night))?"
EN_TIME = re.compile(rf"(?i:\b(?:(?:{DAY}){PART_OF_DAY}(?:\s+(?:at|by)\s+(?:{CLOCK}))?|(?:{CLOCK})"
                     rf"(?:\s+(?:{DAY}){PART_OF_DAY})?))")
ZH_NUMBER = "[零〇一二两三四五六七八九十\\d]"
ZH_TIME = re.compile(
    rf"(?:今天|明天|后天|今晚|明晚|今早|明早|周[一二三四五六日天]|星期[一二三四五六日天]|下周[一二三四五六日天]?|\d{{1,2}}月\d{{1,2}}[日号])?"
    rf"(?:早上|上午|中午|下午|晚上|傍晚|凌晨)?(?:{ZH_NUMBER}{{1,3}}[点點時时](?:半|{ZH_NUMBER}{{1,3}}分)?|\d{{1,2}}:\d{{2}})"
    rf"|今天|明天|后天|今晚|明晚")


def times(text: str) -> list[str]:
    """Times and days as said: "7pm", "tomorrow at 8:30", "明天晚上七点"."""
    found = [m.group(0).strip() for m in EN_TIME.finditer(text)]
    if CJK.search(text):
        found += [m.group(0) for m in ZH_TIME.finditer(text) if m.group(0)]
    return [f for f in dict.fromkeys(found) if f]


EN_DAY = re.compile(rf"(?i:(?<![A-Za-z0-9])(?:{DAY})(?![A-Za-z0-9]))")  # "从2026-12-01开始" too
ZH_DAY = re.compile(r"今天|明天|后天|大后天|今晚|明晚|(?:下|这|本)?(?:周|星期|礼拜)[一二三四五六日天]|\d{1,2}月\d{1,2}[日号]")


def days(text: str) -> list[str]:
    """Days as said, without the time: "tomorrow", "next Friday", "明天", "周五"; ISO dates too."""
    found = [m.group(0) for m in EN_DAY.finditer(text)]
    if CJK.search(text):
        found += [m.group(0) for m in ZH_DAY.finditer(text)]
    return list(dict.fromkeys(found))


NO_NOTE = ("none", "无")


def note(question: str) -> str:
    """The part of a message that is not the request itself: "a table for 4 at 7pm, it's a birthday"
    → "it's a birthday". A message that is only a request leaves nothing to note."""
    clauses = [c.strip() for c in re.split(r"[.;!?。；！？,，]|\s[-–—]\s", question) if c.strip()]
    rest = [c for c in clauses[1:] if not re.fullmatch(
        r"(?i:please|thanks|thank you|thx|cheers|ok|okay)|谢谢|多谢|麻烦了|拜托了|请|谢谢你|谢谢您", c)]
    if not rest:
        return NO_NOTE[1] if is_chinese(question) else NO_NOTE[0]
    return ("，" if is_chinese(question) else ", ").join(rest)


PROPER = re.compile(r"(?<![.?!]\s)(?<!^)\b((?:[A-Z][\w'&-]*\s+)*[A-Z][\w'&-]*)|^((?:[A-Z][\w'&-]*\s+)+[A-Z][\w'&-]*)")
QUESTION_OPENERS = {"do", "does", "is", "are", "can", "could", "what", "which", "where", "when", "how", "any",
                    "i", "please", "hi", "hello", "the", "a", "an", "my", "we", "book", "find", "show", "tell"}


def thing_name(question: str) -> str | None:
    """The name of a place or product the message mentions: "rooms at the Grand Hotel" → "Grand Hotel";
    with no capitalised name, the message's content words ("ibuprofen")."""
    if title := quoted_title(question):
        return title
    for match in re.finditer(r"\b[A-Z][\w'&-]*(?:\s+[A-Z][\w'&-]*)*", question):
        words = match.group(0).split()
        while words and words[0].lower() in QUESTION_OPENERS:
            words = words[1:]
        if words and not CODE.fullmatch(words[0]):
            return " ".join(words)
    return None


MESSAGE_WORDS = {"query", "text", "message", "question", "input", "prompt", "content", "utterance"}
REASON_WORDS = {"reason", "why", "cause", "problem", "issue", "complaint", "fault", "defect"}
NAME_WORDS = {"name", "customer", "guest", "person", "passenger", "contact", "user", "username", "patron",
              "member", "who"}
NOT_PERSON = {"product", "item", "book", "file", "city", "tool", "agent", "hotel", "company", "shop", "store",
              "bike", "model", "street", "place"}
TITLE_WORDS = {"title", "book", "film", "movie", "song", "album", "work"}
TIME_WORDS = {"time", "hour", "slot", "datetime", "at", "appointment", "arrival", "departure", "pickup"}
NOTE_WORDS = {"note", "notes", "remark", "remarks", "comment", "comments", "special", "requests", "instructions",
              "occasion", "preferences"}
THING_WORDS = {"hotel", "restaurant", "shop", "store", "company", "drug", "medicine", "medication", "product", "item",
               "bike", "car", "model", "brand", "venue", "airline", "branch", "pharmacy", "library", "school"}
TOPIC_WORDS = {"topic", "subject", "keyword", "keywords", "search", "term", "terms", "tags", "tag"}


def field_words(field_name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", field_name)
    return {w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w}


def free_text(field_name: str, question: str) -> str | None:
    """The concise value for a free-text field, or None to let the caller decide.

    The field's name says what it wants: a title, a name, a reason, search words, or the
    message itself. A field the rules cannot place, or a span the question lacks, gives None.
    """
    words = field_words(field_name)
    if words & THING_WORDS and not words & (MESSAGE_WORDS | NAME_WORDS - {"name"}):
        return thing_name(question) or keywords(question) or None  # drug_name, hotel: a thing, not a person
    if words & TITLE_WORDS and not words & NAME_WORDS - {"name"}:
        if title := quoted_title(question):
            return title
    if words & NAME_WORDS and not words & (NOT_PERSON | TITLE_WORDS):
        return name_span(question)
    if words & REASON_WORDS:
        return reason(question) or request_phrase(question)  # no cause given: what is asked, in a few words
    if words & TIME_WORDS and not words & MESSAGE_WORDS:
        found = times(question)  # a time of day before a bare day: "at 3pm" answers "time" better than "Friday"
        return next((t for t in found if re.search(r"\d:|\d\s*[ap]\.?m|[点點时時]|noon|midnight", t, re.I)),
                    found[0] if found else None)
    if words & NOTE_WORDS:
        return note(question)
    if words & MESSAGE_WORDS:
        return " ".join(question.split())
    if words & {"topic", "subject"}:
        return topic(question) or None
    if words & TOPIC_WORDS:
        return keywords(question) or None
    return None
