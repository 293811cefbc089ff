"""The offline model's "intelligence": four rules over the request, tried in order.

1. Tool results arrived for this question: answer from them (or fill the output schema).
2. Tools are offered and allowed: call the tool(s) whose name and description best match the
   question, with arguments filled per property from its JSON schema.
3. (Arguments are rule 3, in `filling.py`.)
4. Otherwise answer directly: schema-valid JSON, or a short text marked as the offline model.

Every decision also writes a trace, which is what a reasoning request gets back as its summary.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field

from . import text as tx
from .filling import CURRENCY_WORDS, ID_WORDS, PLACE_WORDS, Evidence, fill, flatten_facts
from .request import ModelRequest, ToolSpec, Turn

MARK_EN = "(offline model)"
MARK_ZH = "（离线模型）"
THRESHOLD = 1.0


@dataclass
class ToolCall:
    name: str
    arguments: str  # JSON text


@dataclass
class Decision:
    text: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    web_search: str | None = None  # the query, when the hosted web search stand-in runs
    trace: list[str] = field(default_factory=list)


def decide(req: ModelRequest) -> Decision:
    trace: list[str] = []
    question = req.question
    recent = req.since_question
    offered = {t.name for t in req.tools}
    results = [t for t in recent if t.role == "tool_result" and t.name in offered
               and not t.name.startswith("transfer_to_")]
    searched = [t for t in recent if t.role == "tool_call" and t.name == "web_search"]
    forced = req.tool_choice

    if forced == "web_search" or (not searched and _wants_web_search(req)):
        trace.append("Rule 2: the hosted web_search tool matches the question; the offline model runs a "
                     "stand-in search with no internet access.")
        return _finish(req, Decision(web_search=question, trace=trace), question, results)

    if results and forced not in ("required",) and forced not in offered:
        names = ", ".join(dict.fromkeys(t.name for t in results))
        trace.append(f"Rule 1: tool results arrived after the question ({names}); answer from them.")
        return _finish(req, Decision(trace=trace), question, results)

    if req.tools and forced != "none":
        calls = choose_tools(req, trace)
        if calls:
            return Decision(tool_calls=calls, trace=trace)
    elif req.tools:
        trace.append("Rule 2 skipped: tool_choice is 'none'.")
    trace.append("Rule 4: no tool to call; answer directly.")
    return _finish(req, Decision(trace=trace), question, results)


# ------------------------------------------------------------------ rule 2: choosing tools
def score_tools(question: str, tools: list[ToolSpec]) -> list[tuple[float, ToolSpec, set[str]]]:
    """Score each tool by the question terms its name, description and parameters share."""
    asked = tx.terms(question)
    asked_wide = tx.expand(asked)
    # What the question can fill, read once: ids, places, currencies and how many numbers it names.
    fillable = {"id": bool(tx.identifiers(question)), "place": bool(tx.places(question)),
                "currency": bool(tx.currencies(question))}
    numbers_given = len(tx.numbers(question))
    if fillable["currency"]:
        asked_wide = asked_wide | {"currency"}  # "250 euros in yen" is about currency without saying so
    vocab = []
    for tool in tools:
        name_terms = tx.terms(" ".join(tx.split_identifier(tool.name)))
        desc_terms = tx.terms(tool.description)
        param_terms = _parameter_terms(tool.parameters)
        vocab.append((tool, name_terms, desc_terms | param_terms))
    # Synonyms are one concept: "forecast" and "weather" in one tool count once, and a concept
    # that several tools share tells them apart as little as a shared word does.
    document_frequency: dict[frozenset, int] = {}
    for _, name_terms, other in vocab:
        for concept in {tx.concept(term) for term in name_terms | other}:
            document_frequency[concept] = document_frequency.get(concept, 0) + 1
    scored = []
    for tool, name_terms, other in vocab:
        best: dict[frozenset, float] = {}
        matched = set()
        for term in name_terms | other:
            if term in asked:
                weight = 1.0
            elif term in asked_wide:
                weight = 0.5
            else:
                continue
            weight *= 2.0 if term in name_terms else 1.0
            weight *= 0.5 if len(term) == 1 else 1.0  # a single Chinese character says little
            concept = tx.concept(term)
            best[concept] = max(best.get(concept, 0.0), weight / document_frequency[concept])
            matched.add(term)
        score = sum(best.values())
        if score > 0:
            score += _fit_bonus(fillable, tool.parameters)
        scored.append((round(score, 3), tool, matched))
    # On a tie, prefer the tool whose required numbers the question can supply.
    scored.sort(key=lambda entry: (-entry[0], _missing_numbers(numbers_given, entry[1].parameters)))
    return scored


def _missing_numbers(numbers_given: int, schema: dict) -> int:
    props = schema.get("properties") or {}
    wanted = [k for k in schema.get("required", list(props))
              if isinstance(props.get(k), dict) and props[k].get("type") in ("integer", "number")]
    return max(0, len(wanted) - numbers_given)


def _fit_bonus(fillable: dict[str, bool], schema: dict) -> float:
    """Half a point per required id, place or currency parameter the question can fill.

    "Is P200 in stock?" names a SKU, so a tool that takes a SKU fits it better than a keyword search.
    """
    props = schema.get("properties") or {}
    bonus = 0.0
    for key in schema.get("required", list(props)):
        words = set(tx.split_identifier(key))
        if words & ID_WORDS and fillable["id"]:
            bonus += 0.5
        elif words & PLACE_WORDS and fillable["place"]:
            bonus += 0.5
        elif words & CURRENCY_WORDS and fillable["currency"]:
            bonus += 0.5
    return bonus


def _parameter_terms(schema: dict) -> frozenset[str]:
    words: list[str] = []
    for key, prop in (schema.get("properties") or {}).items():
        words.extend(tx.split_identifier(key))
        if isinstance(prop, dict):
            words.extend(str(v) for v in prop.get("enum", []))
            if isinstance(prop.get("description"), str):
                words.append(prop["description"])
    return tx.terms(" ".join(words)) if words else frozenset()


def choose_tools(req: ModelRequest, trace: list[str]) -> list[ToolCall]:
    question = req.question
    already = {(t.name, t.text) for t in req.since_question if t.role == "tool_call"}
    handed_off = any(t.role == "tool_call" and t.name.startswith("transfer_to_") for t in req.since_question)
    tools = [t for t in req.tools if not t.hosted and not (handed_off and t.name.startswith("transfer_to_"))]
    if req.tool_choice not in ("auto", "required", "none"):
        tools = [t for t in tools if t.name == req.tool_choice]
        trace.append(f"Rule 2: tool_choice names '{req.tool_choice}', so it is called.")
        return [_call(tools[0], Evidence(question))]
    if not tools:
        return []
    scored = score_tools(question, tools)
    summary = ", ".join(f"{tool.name}={score:g}" for score, tool, _ in scored[:4])
    best_score, best, best_terms = scored[0]
    if best_score < THRESHOLD and req.tool_choice != "required":
        trace.append(f"Rule 2: no tool scores {THRESHOLD:g} or more against the question ({summary}).")
        return []
    if best_score < THRESHOLD:
        trace.append(f"Rule 2: tool_choice is 'required', so the best tool is called ({summary}).")
    else:
        matched = ", ".join(sorted(best_terms)[:6])
        trace.append(f"Rule 2: '{best.name}' matches the question best ({summary}; shared: {matched}).")
    calls = _calls_for_targets(best, question, req.parallel_tool_calls)
    if req.parallel_tool_calls and not best.name.startswith("transfer_to_"):
        for score, tool, terms in scored[1:]:
            distinct = terms - best_terms
            if score >= THRESHOLD and distinct & tx.terms(question) and not tool.name.startswith("transfer_to_") \
                    and tool.name not in {c.name for c in calls} and _independent(distinct, best_terms):
                trace.append(f"Rule 2: '{tool.name}' also matches on its own terms ({', '.join(sorted(distinct)[:4])}); "
                             "called in parallel.")
                calls.extend(_calls_for_targets(tool, question, True))
    fresh = [c for c in calls if (c.name, c.arguments) not in already]
    if not fresh:
        trace.append("Rule 2: those calls were already made for this question; answer instead.")
        return []
    for call in fresh:
        trace.append(f"Rule 3: {call.name}({call.arguments}) filled per property from the schema.")
    return fresh


def _independent(distinct: set[str], best_terms: set[str]) -> bool:
    """A second tool needs evidence of its own that is not just a synonym of the first's."""
    widened = tx.expand(frozenset(best_terms))
    return any(term not in widened and len(term) > 1 for term in distinct)


def _calls_for_targets(tool: ToolSpec, question: str, parallel: bool) -> list[ToolCall]:
    """One call, or one per target when the question names several places or ids."""
    props = tool.parameters.get("properties") or {}
    required = tool.parameters.get("required", list(props))
    strings = [k for k in required if isinstance(props.get(k), dict) and props[k].get("type") == "string"]
    if parallel and len(strings) == 1:
        words = set(tx.split_identifier(strings[0]))
        targets: list[str] = []
        if words & PLACE_WORDS:
            targets = tx.places(question)
        elif words & ID_WORDS:
            targets = tx.identifiers(question)
        if len(targets) > 1:
            calls = []
            for target in targets:
                evidence = Evidence(question)
                evidence._places, evidence._ids = [target], [target]
                calls.append(_call(tool, evidence))
            return calls
    return [_call(tool, Evidence(question))]


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
    if functions and score_tools(req.question, functions)[0][0] >= THRESHOLD:
        return False
    return True


# ------------------------------------------------------------------ rules 1 and 4: answering
def _finish(req: ModelRequest, decision: Decision, question: str, results: list[Turn]) -> Decision:
    if decision.web_search is not None:
        decision.text = _web_search_text(question)
        return decision
    if req.output_schema is not None or req.json_object:
        facts: dict = {}
        outputs = []
        for result in results:
            outputs.append(result.text)
            parsed = _json_or_none(result.text)
            facts.update(flatten_facts(parsed) if isinstance(parsed, dict) else {})
        evidence = Evidence(question, facts=facts, extra_text="\n".join(outputs),
                            readable="; ".join(_render(r.text) for r in results),
                            sources=[r.name for r in results])
        schema = req.output_schema or {"type": "object", "properties": {"answer": {"type": "string"}}}
        value = fill(schema, evidence)
        decision.trace.append("Rule 1/4: the output schema is filled per property from the question"
                              + (" and the tool results." if results else "."))
        decision.text = json.dumps(value, ensure_ascii=False)
        return decision
    decision.text = answer_from_results(question, results) if results else direct_answer(req)
    return decision


def _json_or_none(text: str):
    """Parse a tool output: JSON, or the Python repr the SDK makes of a returned dict or list."""
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        pass
    if text[:1] in "{[":
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    return None


def _render(output: str) -> str:
    parsed = _json_or_none(output)
    if isinstance(parsed, dict):
        return ", ".join(f"{k}: {_render(json.dumps(v, ensure_ascii=False)) if isinstance(v, (dict, list)) else v}"
                         for k, v in parsed.items())
    if isinstance(parsed, list):
        return "; ".join(_render(json.dumps(v, ensure_ascii=False)) if not isinstance(v, str) else v for v in parsed)
    return output.strip()


def answer_from_results(question: str, results: list[Turn]) -> str:
    chinese = tx.has_cjk(question)
    lines = []
    for result in results:
        rendered = _render(result.text)
        if chinese:
            lines.append(f"根据 {result.name} 的结果：{rendered}")
        else:
            lines.append(f"According to {result.name}: {rendered}")
    return ("\n" if len(lines) > 1 else "").join(lines)


RECALL = re.compile(r"what did i (just )?(ask|say)|my (last|previous|first) (question|message)|"
                    r"我(刚才|之前|上一个|刚刚)(问|说)|上一个问题|之前的问题", re.I)
NAME_RECALL = re.compile(r"what('s| is) my name|who am i|我叫什么|我的名字", re.I)
GREETING = re.compile(r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|你好|您好|嗨)\b", re.I)


def direct_answer(req: ModelRequest) -> str:
    question = req.question
    chinese = tx.has_cjk(question) or (not question and tx.has_cjk(req.instructions))
    earlier = [t.text for t in req.turns if t.role == "user"][:-1]
    if NAME_RECALL.search(question):
        names = [n for text in earlier for n in tx.person_names(text)]
        if names:
            return f"你叫{names[-1]}。" if chinese else f"Your name is {names[-1]}."
    if RECALL.search(question) and earlier:
        first = "first" in question.lower() or "第一" in question
        quoted = earlier[0] if first else earlier[-1]
        return f"你刚才问的是：「{quoted}」" if chinese else f"You asked: “{quoted}”"
    role = _role(req.instructions, chinese)
    if GREETING.search(question):
        if chinese:
            return f"{MARK_ZH}你好！我是{role}，有什么可以帮你？"
        return f"{MARK_EN} Hello! I am {role}. How can I help?"
    asked = tx.shorten(question, 120)
    if chinese:
        return (f"{MARK_ZH}我是{role}。你的问题是「{asked}」。这里由规则模拟回答；"
                "在 .env 中配置真实模型即可获得真正的回答。")
    return (f"{MARK_EN} I am {role}. You asked: “{asked}”. A rule-based stand-in answers here; "
            "configure a provider in .env for a real answer.")


def _role(instructions: str, chinese: bool) -> str:
    """"You are a helpful assistant. …" → "a helpful assistant"."""
    match = re.search(r"you are (an? |the )?([^.,;!\n]{2,60})", instructions, re.I)
    if match:
        return (match.group(1) or "") + match.group(2).strip()
    match = re.search(r"你是(一个|一名|一位)?([^，。,.;；！\n]{1,30})", instructions)
    if match:
        return match.group(2).strip()
    return "课程助手" if chinese else "the course assistant"


def _web_search_text(question: str) -> str:
    if tx.has_cjk(question):
        return (f"{MARK_ZH}网络搜索是托管工具，真实运行时在服务商一侧执行。离线模型无法联网，"
                f"所以「{tx.shorten(question, 60)}」没有搜索结果。")
    return (f"{MARK_EN} Web search is a hosted tool that runs on the provider's side. The offline model "
            f"has no internet access, so there are no search results for “{tx.shorten(question, 60)}”.")


def reasoning_summary(decision: Decision) -> str:
    return "\n".join(decision.trace)
