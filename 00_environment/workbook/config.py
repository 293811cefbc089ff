"""Where the lessons get their model: `.env`, a real provider, or the offline course model."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlparse

from dotenv import find_dotenv, load_dotenv

OFFLINE_MODEL_NAME = "course-model"
OFFLINE_KEY = "offline-course-key"  # not a secret: the offline model accepts any bearer token

# Spellings that appear in tutorials (the seed among them) but that the workbook does not read.
MISSPELLINGS = {
    "BASE_URL": "OPENAI_BASE_URL", "API_BASE": "OPENAI_BASE_URL", "OPENAI_API_BASE": "OPENAI_BASE_URL",
    "OPENAI_BASE": "OPENAI_BASE_URL", "OPENAI_URL": "OPENAI_BASE_URL",
    "API_KEY": "OPENAI_API_KEY", "OPENAI_KEY": "OPENAI_API_KEY",
    "MODEL_NAME": "OPENAI_MODEL_NAME", "MODEL": "OPENAI_MODEL_NAME", "OPENAI_MODEL": "OPENAI_MODEL_NAME",
}
KNOWN_HOSTS = {
    "api.openai.com": "OpenAI", "dashscope.aliyuncs.com": "Alibaba DashScope (Qwen)",
    "dashscope-intl.aliyuncs.com": "Alibaba DashScope (Qwen)", "api.siliconflow.cn": "SiliconFlow",
    "api.deepseek.com": "DeepSeek",
}
NON_OPENAI_MODEL_HINTS = ("qwen", "deepseek", "glm", "llama", "mistral", "gemma", "moonshot", "kimi",
                          "yi-", "baichuan", "claude", "gemini", "/")


class ConfigError(RuntimeError):
    """`.env` is half-filled or misspelled; the message says what to change."""


@dataclass(frozen=True)
class Provider:
    name: str
    base_url: str
    model: str
    offline: bool
    responses_api: bool
    any_model: bool = False  # the offline model without a provider profile answers to any model name

    def describe(self) -> str:
        if self.offline:
            return (f"Model provider: the {self.name} ({self.model}), no API key needed. "
                    "Put a provider in .env to use a real model.")
        return f"Model provider: {self.name} at {self.base_url}, model {self.model}."


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def provider_name(base_url: str) -> str:
    host = urlparse(base_url).hostname or ""
    if host in KNOWN_HOSTS:
        return KNOWN_HOSTS[host]
    port = urlparse(base_url).port
    if host in ("localhost", "127.0.0.1", "::1"):
        return {11434: "Ollama (local)", 8000: "vLLM (local)"}.get(port or 0, "a local server")
    return host or "an OpenAI-compatible provider"


def read_env(dotenv_path: str | None = None) -> dict[str, str]:
    """Load `.env` (found upwards from the working directory) without overriding the shell."""
    path = dotenv_path or find_dotenv(usecwd=True)
    if path:
        load_dotenv(path, override=False)  # the file's values join the environment; the shell's win
    return dict(os.environ)


def check(values: dict[str, str]) -> Provider | None:
    """The configured provider, None for "use the offline model", or ConfigError."""
    get = lambda key: (values.get(key) or "").strip()  # noqa: E731
    if _flag(values.get("WORKBOOK_OFFLINE"), False):
        return None
    key, base_url, model = get("OPENAI_API_KEY"), get("OPENAI_BASE_URL"), get("OPENAI_MODEL_NAME")
    misspelled = [f"{wrong} (the workbook reads {right})" for wrong, right in MISSPELLINGS.items()
                  if get(wrong) and not get(right)]
    if misspelled:
        raise ConfigError("Your .env sets " + ", ".join(misspelled) + ". Rename the variable(s); see "
                          ".env.example for every variable the workbook reads.")
    if not key and not base_url:
        return None
    if not base_url:
        if model and any(hint in model.lower() for hint in NON_OPENAI_MODEL_HINTS):
            raise ConfigError(f"OPENAI_MODEL_NAME={model} is not an OpenAI model, but OPENAI_BASE_URL is empty, "
                              "so the request would go to OpenAI. Set OPENAI_BASE_URL to your provider's "
                              "endpoint (presets in .env.example).")
        base_url = "https://api.openai.com/v1"
    host = urlparse(base_url).hostname or ""
    if not urlparse(base_url).scheme.startswith("http") or not host:
        raise ConfigError(f"OPENAI_BASE_URL={base_url!r} is not a URL; it looks like "
                          "'https://api.example.com/v1'.")
    local = host in ("localhost", "127.0.0.1", "::1")
    if not key and not local:
        raise ConfigError(f"OPENAI_BASE_URL points at {host} but OPENAI_API_KEY is empty. Put your key "
                          "for that provider in .env (never in code).")
    if not model:
        raise ConfigError("OPENAI_MODEL_NAME is empty: name the model to use, e.g. gpt-4.1-mini for OpenAI "
                          "or qwen-plus for DashScope (presets in .env.example).")
    is_openai = host == "api.openai.com"
    return Provider(provider_name(base_url), base_url, model, offline=False,
                    responses_api=_flag(values.get("OPENAI_RESPONSES_API"), is_openai))
