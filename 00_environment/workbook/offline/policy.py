"""The offline model's decision: what to do with one request. See README.md for the whole pipeline.

1. Tool results arrived for this question: answer from them (or fill the output schema).
2. Tools are offered and allowed: call the tool(s) whose name, description and parameters best
   match the question, with arguments filled per property (`filling.py`, `kinds.py`).
3. Otherwise answer directly: schema-valid JSON, or a short reply that follows the instructions.

Every decision also carries a reasoning summary in words (`reasoning.py`), which is what a
reasoning request gets back. It says what was asked and why a tool fits, never the scores.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import answers, language, reasoning
from . import text as tx
from .filling import Evidence, fill, flatten_facts
from .instructions import is_chinese, reply_language, required_phrases
from .kinds import HANDOFF_PREFIX, KINDS, is_handoff, kind_of
from .request import ModelRequest, ToolSpec, Turn

# ------------------------------------------------------------------ scoring weights
# A tool's score is the sum, over the question's words, of how well each meets the tool's
# words (1.0 the same word or its translation, 0.5 a synonym), weighted by where the tool says it:
NAME_WEIGHT = 2.0  # its name says what it does
DESCRIPTION_WEIGHT = 1.0  # its description says it in a sentence
PARAMETER_WEIGHT = 0.5  # its parameters' names and descriptions say what it needs, not what it does
# Each match is divided by the number of offered tools the same concept matches: a word every
# tool shares ("city", 天气) tells them apart as little as no word at all.
FIT_BONUS = 0.5  # per required id, place, currency ... the question can fill ("Is P200 in stock?" names a SKU)
THRESHOLD = 1.0  # below this no tool fits, and the model answers directly (unless a tool is required)
MAX_REASONS = 4  # words quoted in a reasoning summary for why a tool fits

# The segmenter and the lexicon load in a background thread from the moment the server's rules
# are imported, so they are ready (or nearly) by the first question instead of delaying it.
language.warm_up(background=True)


@dataclass
class ToolCall:
    name: str
    arguments: str  # JSON text


@dataclass
class Decision:
    text: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    web_search: str | None = None  # the query, when the hosted web search stand-in runs
    summary: str = ""  # the reasoning summary, in words


@dataclass
class Scored:
    """One tool's fit to the question: its score and the words that met."""

    score: float
    tool: ToolSpec
    asked: dict[str, float]  # the question's words that met the tool ("退货") and what each added
    offered: list[str]  # the tool's words they met ("returns"), strongest first


def decide(req: ModelRequest) -> Decision:
    question = req.question
    recent = req.since_question
    offered = {t.name for t in req.tools}
    results = [t for t in recent if t.role == "tool_result" and t.name in offered and not is_handoff(t.name)]
    searched = [t for t in recent if t.role == "tool_call" and t.name == "web_search"]
    forced = req.tool_choice

    if forced == "web_search" or (not searched and _wants_web_search(req)):
        return _finish(req, Decision(web_search=question), results)

    if results and forced not in ("required",) and forced not in offered:
        return _finish(req, Decision(), results)

    if req.tools and forced in ("auto",) and _asks_about_the_conversation(req):
        return _finish(req, Decision(), results)  # "what did I just ask?" is answered from the turns
    if req.tools and forced != "none":
        decision = choose_tools(req)
        if decision.tool_calls:
            return decision
    return _finish(req, Decision(), results)


def _asks_about_the_conversation(req: ModelRequest) -> bool:
    earlier = [t for t in req.turns if t.role == "user"][:-1]
    return bool(earlier) and bool(answers.RECALL.search(req.question) or answers.NAME_RECALL.search(req.question))


# ------------------------------------------------------------------ rule 2: choosing tools
CACHED_TOOL_CHARS = 4_000  # longer tool texts are read again each time: a cache never keeps a long input


def _documents(name: str, description: str, parameters: str) -> tuple[language.Document, ...]:
    if len(description) + len(parameters) > CACHED_TOOL_CHARS:
        return _read_documents(name, description, parameters)
    return _cached_documents(name, description, parameters)


@lru_cache(maxsize=1024)  # a tool's texts are the same on every request of an agent
def _cached_documents(name: str, description: str, parameters: str) -> tuple[language.Document, ...]:
    return _read_documents(name, description, parameters)


def _read_documents(name: str, description: str, parameters: str) -> tuple[language.Document, ...]:
    if is_handoff(name):
        name = name.removeprefix(HANDOFF_PREFIX)
        description = SDK_HANDOFF.sub(r"\1. ", description)
    return (language.Document(" ".join(tx.split_identifier(name))), language.Document(description),
            language.Document(parameters))


WEIGHTS = (NAME_WEIGHT, DESCRIPTION_WEIGHT, PARAMETER_WEIGHT)
# The SDK's words around every handoff's description: only the agent's name in them says anything.
SDK_HANDOFF = re.compile(r"^Handoff to the (.*?) agent to handle the request\.\s*")


def score_tools(question: str, tools: list[ToolSpec]) -> list[Scored]:
    """Score each tool by the question words its name, description and parameters meet, best first."""
    if tx.currencies(question):
        question += " currency"  # "250 euros in yen" is about currency without saying so
    per_tool = []
    frequency: dict[str, int] = {}
    for tool in tools:
        best: dict[str, tuple[float, str, str]] = {}  # concept → (weighted strength, asked word, offered word)
        for weight, document in zip(WEIGHTS, _documents(tool.name, tool.description, _parameter_text(tool.parameters)),
                                    strict=True):
            for match in document.matches(question):
                strength = weight * match.strength
                if strength > best.get(match.concept, (0.0,))[0]:
                    best[match.concept] = (strength, match.asked, match.offered)
        for concept in best:
            frequency[concept] = frequency.get(concept, 0) + 1
        per_tool.append((tool, best))
    fillable = {kind.name for kind in KINDS if kind.evidence and kind.extract(question)}
    numbers_given = len(tx.numbers(question))
    scored = []
    for tool, best in per_tool:
        score = sum(strength / frequency[concept] for concept, (strength, _, _) in best.items())
        if score > 0:
            score += _fit_bonus(fillable, tool.parameters)
        ranked = sorted(best.values(), reverse=True)
        asked: dict[str, float] = {}
        for concept, (strength, word, _) in best.items():
            asked[word] = asked.get(word, 0.0) + strength / frequency[concept]
        scored.append(Scored(round(score, 3), tool, asked, list(dict.fromkeys(offered for _, _, offered in ranked))))
    # On a tie, prefer the tool whose required numbers the question can supply.
    scored.sort(key=lambda s: (-s.score, _missing_numbers(numbers_given, s.tool.parameters)))
    return scored


def _required(schema: dict) -> list[str]:
    props = schema.get("properties") or {}
    required = schema.get("required", list(props))
    return [k for k in required if isinstance(props.get(k), dict)] if isinstance(required, list) else []


def _missing_numbers(numbers_given: int, schema: dict) -> int:
    props = schema.get("properties") or {}
    wanted = [k for k in _required(schema) if props[k].get("type") in ("integer", "number")]
    return max(0, len(wanted) - numbers_given)


def _fit_bonus(fillable: set[str], schema: dict) -> float:
    """FIT_BONUS per required property of a kind the question can fill."""
    kinds = [kind_of(key) for key in _required(schema)]
    return FIT_BONUS * sum(1 for kind in kinds if kind is not None and kind.name in fillable)


def _parameter_text(schema: dict) -> str:
    words: list[str] = []
    for key, prop in (schema.get("properties") or {}).items():
        words.extend(tx.split_identifier(key))
        if isinstance(prop, dict):
            words.extend(str(v) for v in prop.get("enum", []) if isinstance(v, (str, int, float)))
            if isinstance(prop.get("description"), str):
                words.append(prop["description"])
    return " ".join(words)


def choose_tools(req: ModelRequest) -> Decision:
    question = req.question
    lang = _question_language(req)
    already = {(t.name, t.text) for t in req.since_question if t.role == "tool_call"}
    handed_off = any(t.role == "tool_call" and is_handoff(t.name) for t in req.since_question)
    tools = [t for t in req.tools if not t.hosted and not (handed_off and is_handoff(t.name))]
    if req.tool_choice not in ("auto", "required", "none"):
        chosen = next((t for t in tools if t.name == req.tool_choice), None)
        if chosen is None:  # the named tool is a handoff already taken
            return Decision()
        call = _call(chosen, _evidence(req))
        return Decision(tool_calls=[call], summary=reasoning.summarise(
            lang, question, [(chosen.name, [])], json.loads(call.arguments), _kind(chosen)))
    if not tools:
        return Decision()
    scored = score_tools(question, tools)
    best = scored[0]
    if best.score < THRESHOLD and req.tool_choice != "required":
        return Decision(summary=reasoning.summarise(lang, question, [], None, "tool"))
    calls = _calls_for_targets(best.tool, req)
    chosen = [best]
    if req.parallel_tool_calls and not is_handoff(best.tool.name):
        for other in scored[1:]:
            # A second tool needs evidence of its own: question words the best tool did not meet.
            own = sum(points for word, points in other.asked.items() if word not in best.asked and len(word) > 1)
            if other.score >= THRESHOLD and own >= THRESHOLD and not is_handoff(other.tool.name) \
                    and other.tool.name not in {c.name for c in calls}:
                calls.extend(_calls_for_targets(other.tool, req))
                chosen.append(other)
    fresh = [c for c in calls if (c.name, c.arguments) not in already]
    if not fresh:
        return Decision(summary=reasoning.summarise(lang, question, [], None, "answer"))
    why = [(s.tool.name, s.offered[:MAX_REASONS]) for s in chosen]
    return Decision(tool_calls=fresh, summary=reasoning.summarise(lang, question, why, _arguments(fresh),
                                                                  _kind(best.tool)))


def _kind(tool: ToolSpec) -> str:
    return "handoff" if is_handoff(tool.name) else "tool"


def _arguments(calls: list[ToolCall]) -> dict:
    """The arguments as the reasoning summary takes them: one call's, or per tool."""
    if len(calls) == 1:
        return json.loads(calls[0].arguments)
    per_tool: dict[str, list] = {}
    for call in calls:
        per_tool.setdefault(call.name, []).append(json.loads(call.arguments))
    return {name: found[0] if len(found) == 1 else found for name, found in per_tool.items()}


def _evidence(req: ModelRequest, **more) -> Evidence:
    return Evidence(req.question, instructions=req.instructions, **more)


def _calls_for_targets(tool: ToolSpec, req: ModelRequest) -> list[ToolCall]:
    """One call, or one per target when the question names several places or ids."""
    props = tool.parameters.get("properties") or {}
    strings = [k for k in _required(tool.parameters) if props[k].get("type") == "string"]
    if req.parallel_tool_calls and len(strings) == 1:
        kind = kind_of(strings[0])
        targets = kind.extract(req.question) if kind is not None and kind.fans_out else []
        if len(targets) > 1:
            return [_call(tool, _evidence(req, pinned={kind.name: [target]})) for target in targets]
    return [_call(tool, _evidence(req))]


def _call(tool: ToolSpec, evidence: Evidence) -> ToolCall:
    arguments = fill(tool.parameters or {"type": "object", "properties": {}}, evidence)
    if not isinstance(arguments, dict):
        arguments = {}
    return ToolCall(tool.name, json.dumps(arguments, ensure_ascii=False))


def _wants_web_search(req: ModelRequest) -> bool:
    hosted = [t for t in req.tools if t.hosted == "web_search"]
    if not hosted or req.tool_choice == "none":
        return False
    functions = [t for t in req.tools if not t.hosted]
    return not (functions and score_tools(req.question, functions)[0].score >= THRESHOLD)


# ------------------------------------------------------------------ rules 1 and 3: answering
def _question_language(req: ModelRequest) -> str:
    """The language of the question (of the instructions when there is no question): for reasoning."""
    return "zh" if is_chinese(req.question or req.instructions) else "en"


def _finish(req: ModelRequest, decision: Decision, results: list[Turn]) -> Decision:
    question = req.question
    lang = reply_language(req.instructions, question or req.instructions)
    names = list(dict.fromkeys(r.name for r in results))
    thinking = _question_language(req)
    if decision.web_search is not None:
        decision.text = _web_search_text(question, lang)
        decision.summary = reasoning.summarise(thinking, question, [], None, "web_search")
        return decision
    pairs = [(r.name, r.text) for r in results]
    phrases = required_phrases(req.instructions)
    if req.output_schema is not None or req.json_object:
        facts: dict = {}
        for result in results:
            parsed = answers.parse_output(result.text)
            facts.update(flatten_facts(parsed) if isinstance(parsed, dict) else {})
        reply = answers.compose_answer(question, pairs, lang) if results else direct_answer(req)
        evidence = _evidence(req, facts=facts, extra_text="\n".join(r.text for r in results), answer=reply,
                             sources=names, output=True)
        schema = req.output_schema or {"type": "object", "properties": {"answer": {"type": "string"}}}
        value = fill(schema, evidence)
        decision.text = json.dumps(value, ensure_ascii=False)
        filled = value if isinstance(value, dict) else {"value": value}
        decision.summary = reasoning.summarise(thinking, question, [(k, []) for k in filled], filled, "schema")
        return decision
    if results:
        decision.text = answers.compose_answer(question, pairs, lang, phrases)
        decision.summary = reasoning.summarise(thinking, question, [(n, []) for n in names], None, "answer")
    else:
        decision.text = direct_answer(req)
        decision.summary = reasoning.summarise(thinking, question, [], None, "tool" if req.tools else "answer")
    return decision


def direct_answer(req: ModelRequest) -> str:
    earlier = [t.text for t in req.turns if t.role == "user"][:-1]
    return answers.direct_answer(req.question, req.instructions, earlier)


def _web_search_text(question: str, lang: str) -> str:
    if answers.writing_language(lang) == "zh":
        return (f"{answers.MARK_ZH}网络搜索是托管工具，真实运行时在服务商一侧执行。离线模型无法联网，"
                f"所以「{tx.shorten(question, 60)}」没有搜索结果。")
    return (f"{answers.MARK_EN} Web search is a hosted tool that runs on the provider's side. The offline model "
            f"has no internet access, so there are no search results for “{tx.shorten(question, 60)}”.")


def reasoning_summary(decision: Decision) -> str:
    return decision.summary
