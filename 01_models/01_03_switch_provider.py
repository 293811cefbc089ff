"""Switching providers: only base URL, key and model change, and all three live in .env.

    python 01_03_switch_provider.py

Uses the Responses API when the provider has it (OPENAI_RESPONSES_API=true) and falls back to
Chat Completions, which every OpenAI-compatible provider (Qwen, DeepSeek, SiliconFlow...) has.
"""

import os

from openai import NotFoundError, OpenAI

import workbook


def main() -> None:
    provider = workbook.setup()  # loads .env; starts the offline course model if no provider is configured
    client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    model = os.environ["OPENAI_MODEL_NAME"]
    question = "你是谁？"

    if provider.responses_api:
        try:
            print("Responses API:", client.responses.create(model=model, input=question).output_text)
        except NotFoundError as error:  # the provider has no /v1/responses after all
            print("Responses API not available:", error.message)

    reply = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": "你是一个乐于助人的助手"},
            {"role": "user", "content": question},
        ],
    )
    print("Chat Completions:", reply.choices[0].message.content)


if __name__ == "__main__":
    main()
