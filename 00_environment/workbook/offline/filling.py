"""Fill a JSON Schema from evidence: tool arguments and structured output.

One property at a time, by what the property is called and what type it has:
- enums and booleans: the instructions' conditions first ("high if urgent or broken"), then the
  option the text names in either language, then a catch-all option;
- numbers in order of appearance;
- strings of a known kind (place, id, currency, name, date ... : the table in `kinds.py`);
- free text: the span the field asks for (`spans.py`: a reason, a title), the message itself for
  query-like fields, and for the reply's message-like fields the brief answer from the tool results.
The result is always valid against the schema, even when the evidence is thin (then the plainest
valid value is used).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import instructions as ins
from . import language, spans
from . import text as tx
from .kinds import KINDS, PLACE, Kind, kind_of
from .schema import MAX_DEPTH, MAX_MIN_ITEMS, MAX_MIN_LENGTH, MAX_NUMBER, follow


@dataclass
class Evidence:
    """What a value can be taken from: the question, the instructions and, for answers, the tool outputs."""

    question: str
    facts: dict[str, Any] = field(default_factory=dict)  # flattened keys of JSON tool outputs
    extra_text: str = ""  # tool outputs as text
    answer: str = ""  # the tool outputs as a brief answer, for message-like fields of the reply
    sources: list[str] = field(default_factory=list)  # names of the tools that gave the outputs
    instructions: str = ""  # the agent's instructions: conditions for enum and boolean values
    output: bool = False  # filling the reply's structured output (True) or a tool's arguments (False)
    pinned: dict[str, list] = field(default_factory=dict)  # kind name → values fixed in advance (one per call)
    _pools: dict[str, list] = field(default_factory=dict, repr=False)  # what take() has not handed out yet

    @property
    def all_text(self) -> str:
        return f"{self.question}\n{self.extra_text}" if self.extra_text else self.question

    def take(self, kind: str) -> Any:
        """The next unused value of a kind ("number" or a row of `kinds.KINDS`) in order of appearance."""
        if kind not in self._pools:
            if kind in self.pinned:
                pool = list(self.pinned[kind])
            elif kind == "number":
                pool = tx.numbers(self.question) + tx.numbers(self.extra_text)
            else:
                pool = list(next(k for k in KINDS if k.name == kind).extract(self.all_text))
            self._pools[kind] = pool
        pool = self._pools[kind]
        return pool.pop(0) if pool else None

    def has(self, kind: Kind) -> bool:
        return bool(self.pinned.get(kind.name)) or bool(kind.extract(self.all_text))


def resolve(schema: dict, root: dict) -> dict:
    """The schema a `$ref` names, merged with the keywords beside it.

    Request schemas are checked for cycles before any rule runs (schema.py); the hop limit keeps
    even an unchecked schema from sending this loop round forever.
    """
    for _ in range(MAX_DEPTH):
        if not isinstance(schema, dict) or "$ref" not in schema:
            break
        target = follow(schema["$ref"], root) or {}
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    if not isinstance(schema, dict):
        return {}
    return {k: v for k, v in schema.items() if k != "$ref"} if "$ref" in schema else schema


def fill(schema: dict, evidence: Evidence, root: dict | None = None, name: str = "") -> Any:
    root = root if root is not None else schema
    schema = resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return _best_enum(schema["enum"], evidence, name)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        non_null = [o for o in options if resolve(o, root).get("type") != "null"]
        has_null = len(non_null) < len(options)
        if has_null and not _has_evidence(name, evidence):
            return None
        if non_null:
            return fill(non_null[0], evidence, root, name)
        return None
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if k != "null"]
        if "null" in kind and not _has_evidence(name, evidence):
            return None
        kind = non_null[0] if non_null else "null"
    if kind == "object" or (kind is None and "properties" in schema):
        return _fill_object(schema, evidence, root)
    if kind == "array":
        return _fill_array(schema, evidence, root, name)
    if kind in ("integer", "number"):
        return _fill_number(schema, evidence, name, kind)
    if kind == "boolean":
        return _fill_boolean(evidence, name)
    if kind == "null":
        return None
    if kind == "string" or kind is None:
        return _fill_string(schema, evidence, name)
    return None


def _fill_object(schema: dict, evidence: Evidence, root: dict) -> dict:
    result: dict[str, Any] = {}
    props = schema.get("properties", {})
    required = schema.get("required", list(props))
    for key, sub in props.items():
        if key in required or _has_evidence(key, evidence):
            result[key] = fill(sub, evidence, root, key)
    return result


def _fill_array(schema: dict, evidence: Evidence, root: dict, name: str) -> list:
    items = schema.get("items", {})
    minimum = _count(schema, "minItems", 0, MAX_MIN_ITEMS)
    maximum = _count(schema, "maxItems", max(minimum, 10), None)
    fact = _fact(name, evidence)
    if isinstance(fact, list):
        values = [fill(items, Evidence(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v,
                                       facts=v if isinstance(v, dict) else {}), root, name) for v in fact[:maximum]]
    else:
        item_schema = resolve(items, root)
        values = []
        if item_schema.get("type") == "string" and (kind_of(name) is PLACE or name.endswith("ies")) \
                and not {"enum", "const", "pattern", "format"} & set(item_schema):
            values = [_fit(place, item_schema) for place in tx.places(evidence.all_text)]
        if not values:
            values = [fill(items, evidence, root, _singular(name))]
    while len(values) < minimum:
        values.append(fill(items, evidence, root, name))
    return values[:maximum]


def _count(schema: dict, key: str, default: int, cap: int | None) -> int:
    """A count keyword (minItems, maxLength, ...) as a usable int: the default if absent or not a count."""
    value = schema.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        value = default
    return min(value, cap) if cap is not None else value


def _bound(schema: dict, key: str) -> float | None:
    """A numeric bound (minimum, maximum, ...), or None if absent or not a finite number."""
    value = schema.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and -MAX_NUMBER <= value <= MAX_NUMBER:
        return value
    return None


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") else name


def _fill_number(schema: dict, evidence: Evidence, name: str, kind: str) -> float | int:
    fact = _fact(name, evidence)
    value = fact if isinstance(fact, (int, float)) and not isinstance(fact, bool) else None
    if value is None and isinstance(fact, str):
        found = tx.numbers(fact)
        value = found[0] if found else None
    if value is None:
        value = evidence.take("number")
    if value is not None and not -MAX_NUMBER <= value <= MAX_NUMBER:  # NaN, inf, 400 digits: never a JSON number
        value = None
    low, high = _bound(schema, "minimum"), _bound(schema, "maximum")
    above, below = _bound(schema, "exclusiveMinimum"), _bound(schema, "exclusiveMaximum")
    if value is None:
        value = next((b for b in (low, above) if b is not None), 0)
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    if above is not None and value <= above:
        value = above + 1
    if below is not None and value >= below:
        value = below - 1
    if kind == "integer":
        return int(round(value))
    return float(value) if not float(value).is_integer() else int(value)


def _fill_boolean(evidence: Evidence, name: str) -> bool:
    fact = _fact(name, evidence)
    if isinstance(fact, bool):
        return fact
    ruled = ins.choose(name, [True, False], evidence.question, ins.conditions(evidence.instructions), meets)
    if ruled is not None:
        return ruled
    # No rule says: true when the question asserts what the name says ("is_urgent" and "urgently").
    words = [w for w in tx.split_identifier(name) if w not in BOOLEAN_PREFIXES]
    asked = language.concepts(evidence.question)
    return bool(words) and any(language.stem(w) in asked for w in words)


BOOLEAN_PREFIXES = {"is", "has", "should", "needs", "need"}


def meets(word: str, question: str) -> bool:
    """Whether one word of a condition occurs in the question, in either language and any word form.

    The matcher `instructions.choose` is given: "噪音" meets "noise", "broken" meets "break", and a
    negated word ("not urgent", "不急") does not meet "urgent".
    """
    if ins.default_match(word, question) and not (word.isascii() and language.stem(word.lower()) in
                                                    language.negated(question)):
        return True
    return any(match.strength >= language.RELATED for match in _document(word).matches(question))


@lru_cache(maxsize=1024)  # condition words and enum labels repeat on every request of an agent
def _document(text: str) -> language.Document:
    return language.Document(text)


def _fill_string(schema: dict, evidence: Evidence, name: str) -> str:
    fact = _fact(name, evidence)
    if fact is not None and not isinstance(fact, (dict, list)):
        return _fit(str(fact), schema)
    kind = kind_of(name)
    value: str | None = None
    if kind is not None:
        value = evidence.take(kind.name)
        if value is None and kind.default is not None:
            value = kind.default(evidence.question)
    if value is None:
        value = _free_text(evidence, name)
    return _fit(value, schema)


SOURCE_WORDS = {"source", "sources", "tool", "origin", "provenance"}
# Fields of the reply that are the reply itself: they read as an answer, never as "key: value" pairs.
REPLY_WORDS = {"answer", "response", "reply", "message", "explanation", "result", "text", "details"}
SUMMARY_WORDS = {"summary", "description"}


def _free_text(evidence: Evidence, name: str) -> str:
    """Free text: the span the field asks for, the question, or the tool results as an answer.

    From a tool output such as "Shanghai: sunny, 25°C" a short field (a condition, a status)
    takes the first piece that is neither a place nor a number: "sunny".
    """
    words = set(tx.split_identifier(name))
    if evidence.output and evidence.extra_text:
        if words & SOURCE_WORDS and evidence.sources:
            return ", ".join(dict.fromkeys(evidence.sources))
        if words & (REPLY_WORDS | SUMMARY_WORDS):
            return evidence.answer or tx.shorten(evidence.extra_text, 200)
        return _short_piece(evidence)
    if evidence.output and words & REPLY_WORDS and evidence.answer:
        return evidence.answer  # no tool ran: the honest direct reply
    span = spans.free_text(name, evidence.question)
    if span:
        return span
    if evidence.extra_text and not evidence.output:
        return _short_piece(evidence)
    return tx.shorten(evidence.question, 200) or "n/a"


def _short_piece(evidence: Evidence) -> str:
    values = [v for v in evidence.facts.values() if isinstance(v, str)] if evidence.facts else []
    for piece in values or re.split(r"[,:;，。；：、\n]+", evidence.extra_text):
        piece = piece.strip(" {}[]'\"")
        if piece and not tx.places(piece) and not tx.numbers(piece) and not re.search(r"\d", piece):
            return piece
    return tx.shorten(evidence.extra_text, 200)


def _fit(value: str, schema: dict) -> str:
    limit = _count(schema, "maxLength", -1, None)
    if limit >= 0:
        value = value[:limit]
    minimum = _count(schema, "minLength", 0, MAX_MIN_LENGTH)
    if len(value) < minimum:
        value = value + "x" * (minimum - len(value))
    return value


def _best_enum(choices: list, evidence: Evidence, name: str) -> Any:
    """The instructions' choice for this question, else the option the text names, else a catch-all."""
    fact = _fact(name, evidence)
    if fact in choices:
        return fact
    ruled = ins.choose(name, choices, evidence.question, ins.conditions(evidence.instructions), meets)
    if ruled is not None:
        return ruled
    text = evidence.all_text.lower()
    labels = {str(choice): choice for choice in choices}
    named = [c for c in choices if str(c) and _names(text, str(c).lower())]
    if named:  # the label itself, written out: the longest one ("in_progress" before "progress")
        return max(named, key=lambda c: len(str(c)))
    picked = language.choose(evidence.all_text, [label.replace("_", " ") for label in labels])
    if picked is not None:
        return next(c for label, c in labels.items() if label.replace("_", " ") == picked)
    # Nothing in the text points at a choice: prefer a catch-all one if offered.
    return next((c for c in choices if str(c).lower() in CATCH_ALL), choices[0])


def _names(text: str, label: str) -> bool:
    if not label.isascii():
        return label in text
    return re.search(rf"(?<![a-z0-9]){re.escape(label)}(?![a-z0-9])", text) is not None or (
        "_" in label and label.replace("_", " ") in text)


CATCH_ALL = {"other", "others", "unknown", "none", "general", "misc", "unclassified"}


def _has_evidence(name: str, evidence: Evidence) -> bool:
    """Whether an optional value has something to fill it from."""
    if _fact(name, evidence) is not None:
        return True
    kind = kind_of(name)
    return bool(kind and kind.evidence and evidence.has(kind))


def _fact(name: str, evidence: Evidence) -> Any:
    """A value from the tool outputs whose key matches the property name."""
    if not name or not evidence.facts:
        return None
    if name in evidence.facts:
        return evidence.facts[name]
    wanted = set(tx.split_identifier(name))
    for key, value in evidence.facts.items():
        if wanted and wanted <= set(tx.split_identifier(key.rsplit(".", 1)[-1])):
            return value
    return None


def flatten_facts(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}} -> {"a": {...}, "a.b": 1, "b": 1}: every key reachable by its own name."""
    facts: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, sub in value.items():
            path = f"{prefix}.{key}" if prefix else key
            facts.setdefault(key, sub)
            facts[path] = sub
            for inner_key, inner in flatten_facts(sub, path).items():
                facts.setdefault(inner_key, inner)
    return facts
