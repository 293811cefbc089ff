"""Exercises for 06_08: a prompt and a resource on your own MCP server."""

from __future__ import annotations

from agents.mcp import MCPServerStreamableHttp

from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import served_mcp

EXERCISES = [
    Exercise(
        id="06_08.1",
        title="A prompt and a resource for the returns desk",
        task="""Add two things to the MCP server `mcp = MCPServer("Returns desk")`:

- a **prompt** (提示模板) `reply_style(language: str)` whose text tells the agent to answer in
  `language` (the language must appear in the text);
- a **resource** (资源) at the URI `policy://returns` with the returns policy as plain text, saying
  that customers have **30 days** to return an item.

The check serves your server over streamable HTTP, connects the SDK's client, lists and fills the
prompt with languages of its own, and reads the resource.""",
        starter='''from mcp.server.mcpserver import MCPServer

mcp = MCPServer("Returns desk", log_level="WARNING")''',
        solution='''from mcp.server.mcpserver import MCPServer

mcp = MCPServer("Returns desk", log_level="WARNING")


@mcp.prompt()
def reply_style(language: str) -> str:
    """How the returns desk replies."""
    return f"You are the returns desk. Answer in {language}, briefly and politely."


@mcp.resource("policy://returns", name="returns_policy", mime_type="text/plain")
def returns_policy() -> str:
    """The returns policy."""
    return "Customers may return an item within 30 days of delivery, in its original packaging."''',
        check="await check_returns_server(mcp)",
        wrong_answers=[
            ("a prompt that ignores its argument", '''from mcp.server.mcpserver import MCPServer

mcp = MCPServer("Returns desk", log_level="WARNING")


@mcp.prompt()
def reply_style(language: str) -> str:
    return "You are the returns desk. Answer in English."


@mcp.resource("policy://returns")
def returns_policy() -> str:
    return "Returns within 30 days."'''),
        ],
    ),
]


@check("06_08.1")
async def check_returns_server(mcp):
    expect(hasattr(mcp, "streamable_http_app"), "an mcp.server.mcpserver.MCPServer", short(mcp, 60),
           'mcp = MCPServer("Returns desk")')
    async with served_mcp(mcp) as url, MCPServerStreamableHttp(name="Returns desk", params={"url": url}) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        expect("reply_style" in prompts, "a prompt named reply_style", str(sorted(prompts)) if prompts else "no prompts",
               "decorate a function reply_style(language: str) -> str with @mcp.prompt()")
        arguments = [a.name for a in prompts["reply_style"].arguments or []]
        expect(arguments == ["language"], "one argument, language", str(arguments), "def reply_style(language: str)")
        for language in ("German", "Japanese"):
            filled = await client.get_prompt("reply_style", {"language": language})
            text = " ".join(getattr(m.content, "text", "") for m in filled.messages)
            expect(language in text, f"the prompt filled with {language!r} says to answer in it", short(text, 80),
                   "build the text from the language argument, e.g. an f-string")
        resources = [str(r.uri) for r in (await client.list_resources()).resources]
        expect("policy://returns" in resources, "a resource at policy://returns", str(resources) if resources else "no resources",
               '@mcp.resource("policy://returns") above a function returning the policy text')
        policy = (await client.read_resource("policy://returns")).contents[0]
        text = getattr(policy, "text", "")
        expect("30" in text, "the policy says 30 days", short(text, 80), "return the policy text with the 30 days in it")
    return "prompt filled per language, policy readable at policy://returns"
