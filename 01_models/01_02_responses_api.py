"""The seed's Responses API program, plus conversation memory with previous_response_id.

    python 01_02_responses_api.py

Needs a provider with the Responses API (OpenAI, DashScope's Qwen, Ollama, vLLM, or the offline
course model); elsewhere it says so in one line and stops: 01_01_chat_completions.py is the
Chat Completions way.
"""

import os

from openai import OpenAI

import workbook


def main() -> None:
    workbook.setup()  # loads .env; starts the offline course model if no provider is configured
    client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    model = os.environ["OPENAI_MODEL_NAME"]
    if not workbook.supports("responses_api", instead="01_01_chat_completions.py asks on Chat Completions."):
        return

    response = client.responses.create(model=model, input="写一个关于独角兽的睡前小故事")
    print(response.output_text)

    # Memory: the provider keeps the earlier turn; the seed's `session_id` parameter does not exist.
    # Stateless servers (Ollama) keep nothing: there you resend the earlier items in `input`.
    if workbook.supports("stored_responses", instead="Resend the earlier items in `input` instead."):
        follow_up = client.responses.create(model=model, previous_response_id=response.id, input="我刚才问了什么？")
        print(follow_up.output_text)


if __name__ == "__main__":
    main()
