"""What the configured provider can do, so a lesson can skip what it cannot with one clear line.

    if workbook.supports("responses_api", instead="01_01 shows the same question on Chat Completions"):
        response = client.responses.create(...)

On a provider without the capability, `supports` prints one line and returns False:

    [needs Responses API] DeepSeek has no Responses API: skipped. 01_01 shows the same question on Chat Completions.

`python -m workbook run` finds that line in a lesson's output and reports the lesson as
"needs Responses API" instead of passed or failed. The facts come from the provider profiles
(`workbook/offline/profiles.py`, each with its source); `OPENAI_RESPONSES_API` in `.env` has the
last word on the Responses API.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlparse

from .offline.profiles import PROFILES, Profile

MARKER = re.compile(r"^\[needs ([^\]]+)\]", re.MULTILINE)  # what `workbook run` looks for
NAMES = {
    "responses_api": "Responses API",
    "stored_responses": "stored responses",  # previous_response_id
    "conversations_api": "Conversations API",
    "json_schema": "json_schema output",
}
HOSTS = {"api.openai.com": "openai", "dashscope.aliyuncs.com": "dashscope",
         "dashscope-intl.aliyuncs.com": "dashscope", "api.deepseek.com": "deepseek",
         "api.siliconflow.cn": "siliconflow", "api.siliconflow.com": "siliconflow"}
LOCAL_PORTS = {11434: "ollama", 8000: "vllm"}


def provider_profile() -> Profile | None:
    """The profile of the provider in use: the offline model's, or the one a known host implies."""
    named = os.environ.get("WORKBOOK_PROVIDER_PROFILE")
    if named in PROFILES:
        return PROFILES[named]
    url = urlparse(os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1")
    if url.hostname in HOSTS:
        return PROFILES[HOSTS[url.hostname]]
    if url.hostname in ("localhost", "127.0.0.1", "::1"):
        return PROFILES.get(LOCAL_PORTS.get(url.port or 0, ""))
    return None  # an unknown provider: only OPENAI_RESPONSES_API tells


def has(capability: str) -> bool:
    """Whether the provider in use has `capability` (one of NAMES), without printing anything."""
    if capability not in NAMES:
        raise ValueError(f"unknown capability {capability!r}; known: {', '.join(NAMES)}")
    flag = os.environ.get("OPENAI_RESPONSES_API", "").strip().lower()
    responses = flag in ("1", "true", "yes", "on") if flag else True
    profile = provider_profile()
    if capability == "responses_api":
        return responses
    if capability == "stored_responses":
        return responses and (profile is None or profile.stateful_responses)
    if capability == "conversations_api":
        return responses and (profile is None or profile.has("conversations"))
    model = os.environ.get("OPENAI_MODEL_NAME", "")
    return profile is None or profile.json_schema_for(model)


def supports(capability: str, instead: str = "") -> bool:
    """`has(capability)`; when it is missing, also print the one line that says so and where to look instead.

    The line names what is really missing: stored responses on a provider with no Responses API at
    all is "[needs Responses API] … has no Responses API (so no stored responses)".
    """
    if has(capability):
        return True
    profile = provider_profile()
    who = profile.title if profile else "This provider"
    if os.environ.get("OPENAI_API_KEY") == "offline-course-key" and profile:
        who = f"{profile.title} (the offline model's profile)"
    missing, so = capability, ""
    if capability in ("stored_responses", "conversations_api") and not has("responses_api"):
        missing, so = "responses_api", f" (so no {NAMES[capability]})"
    print(f"[needs {NAMES[missing]}] {who} has no {NAMES[missing]}{so}: skipped."
          + (f" {instead.strip()}" if instead else ""))
    return False


def needs_in(text: str) -> list[str]:
    """The capabilities a lesson's output says it skipped, in order, without repeats."""
    return list(dict.fromkeys(MARKER.findall(text)))
