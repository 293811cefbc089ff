"""Exercises for 06_08: a prompt and a resource on your own MCP server."""

from __future__ import annotations

from agents import Agent, Runner
from agents.mcp import MCPServerStreamableHttp

from workbook.practice.core import Exercise, check, expect, short
from workbook.practice.lessons._kit import call, course_mcp_server, course_model, served_mcp

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
    Exercise(
        id="06_08.2",
        title="Ask before an MCP tool opens a return",
        task="""Write `returns_client(url) -> MCPServerStreamableHttp`: an (unconnected) client for the
order service at `url` whose `require_approval` makes the run pause before `open_rma` (审批) and
lets every other tool run at once. The check serves an order service with `query_order` and
`open_rma`, connects your client, and asks an agent to look an order up and to open a return.""",
        starter='''from agents.mcp import MCPServerStreamableHttp


def returns_client(url: str) -> MCPServerStreamableHttp:
    return MCPServerStreamableHttp(name="Order service", params={"url": url})''',
        solution='''from agents.mcp import MCPServerStreamableHttp


def returns_client(url: str) -> MCPServerStreamableHttp:
    return MCPServerStreamableHttp(name="Order service", params={"url": url},
                                   require_approval={"open_rma": "always"})''',
        check="await check_returns_client(returns_client)",
        wrong_answers=[
            ("every tool needs approval", '''from agents.mcp import MCPServerStreamableHttp


def returns_client(url):
    return MCPServerStreamableHttp(name="Order service", params={"url": url}, require_approval="always")'''),
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


@check("06_08.2", hint_on_error="return MCPServerStreamableHttp(..., require_approval={...}) without connecting it")
async def check_returns_client(returns_client):
    from workbook import course_tools

    async with served_mcp(course_mcp_server(course_tools.query_order, course_tools.open_rma, name="Orders")) as url:
        client = await call("returns_client", returns_client, url)
        expect(isinstance(client, MCPServerStreamableHttp), "an MCPServerStreamableHttp", short(client, 60),
               "return MCPServerStreamableHttp(name=..., params={'url': url}, require_approval=...)")
        async with client:
            agent = Agent(name="Desk", instructions="You are the ITS desk. Use the tools.", model=course_model(),
                          mcp_servers=[client])
            looked_up = await Runner.run(agent, "What is the status of order B2001?")
            expect(not looked_up.interruptions and looked_up.final_output,
                   "an order lookup (query_order) runs without waiting",
                   f"paused on {[i.name for i in looked_up.interruptions]}",
                   "ask for approval only for open_rma: require_approval={'open_rma': 'always'}")
            returned = await Runner.run(agent, "Please open a return for order A1002 because it is the wrong size")
            paused = [i.name for i in returned.interruptions]
            expect(paused == ["open_rma"], "the run pauses before open_rma", str(paused) if paused else "no pause",
                   "require_approval={'open_rma': 'always'} on the client")
    return "lookups run at once, returns wait for a person"
