"""Course tooling for the Agents SDK workbook.

Every lesson starts with

    import workbook
    workbook.setup()

which loads `.env` and, when no provider is configured there, starts the offline course model
and points the usual OpenAI variables at it. Lesson code then reads `OPENAI_BASE_URL`,
`OPENAI_API_KEY` and `OPENAI_MODEL_NAME` exactly as it would for a real provider.
"""

from __future__ import annotations

import os
import threading

from .capabilities import has, supports
from .config import OFFLINE_KEY, OFFLINE_MODEL_NAME, ConfigError, Provider, check, read_env
from .paths import chapter_path

__all__ = ["setup", "supports", "has", "chapter_path", "Provider", "ConfigError"]
__version__ = "1.0.0"

_lock = threading.Lock()
_offline_server = None  # one offline model per process, shared by every setup() call


def setup(dotenv_path: str | None = None, quiet: bool = False) -> Provider:
    """Load `.env`; with no provider configured, start the offline model. Prints one line."""
    global _offline_server
    values = read_env(dotenv_path)
    if values.get("OPENAI_API_KEY") == OFFLINE_KEY:
        # Set by an earlier setup() in this process (or a parent's): not a provider of the user's.
        values = {k: v for k, v in values.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    provider = check(values)
    if provider is None:
        from .offline.profiles import get as get_profile

        profile = get_profile(values.get("OFFLINE_MODEL_PROFILE"))  # e.g. dashscope: behave as that provider
        with _lock:
            if _offline_server is None:
                from .offline import Options, start_in_background

                delay = float(values.get("OFFLINE_MODEL_DELAY_MS") or 0)
                _offline_server = start_in_background(Options(delay_ms=delay, profile=profile.name))
        model = (values.get("OFFLINE_MODEL_NAME") or "").strip()
        model = model or (OFFLINE_MODEL_NAME if profile.name == "openai" else profile.example_model)
        responses = profile.has("responses")
        os.environ.update({
            "OPENAI_BASE_URL": _offline_server.base_url,
            "OPENAI_API_KEY": OFFLINE_KEY,
            "OPENAI_MODEL_NAME": model,
            "OPENAI_RESPONSES_API": "true" if responses else "false",
            "OPENAI_AGENTS_DISABLE_TRACING": "1",
            "WORKBOOK_PROVIDER_PROFILE": profile.name,  # what workbook.supports() reads
        })
        title = "offline course model" + ("" if profile.name == "openai" else f" as {profile.title}")
        provider = Provider(title, _offline_server.base_url, model, offline=True, responses_api=responses,
                            any_model=profile.name == "openai")
    else:
        os.environ.pop("WORKBOOK_PROVIDER_PROFILE", None)  # a real provider: its host tells (capabilities.py)
        os.environ["OPENAI_BASE_URL"] = provider.base_url
        os.environ["OPENAI_RESPONSES_API"] = "true" if provider.responses_api else "false"
        if provider.name != "OpenAI":
            # Traces upload to OpenAI with OPENAI_API_KEY: a Qwen or DeepSeek key would get a 401.
            os.environ.setdefault("OPENAI_AGENTS_DISABLE_TRACING", "1")
    if not quiet:
        print(provider.describe())
    return provider
