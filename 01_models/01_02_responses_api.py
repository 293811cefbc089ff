"""The seed's Responses API program, plus conversation memory with previous_response_id.

    python 01_02_responses_api.py

Needs a provider with the Responses API (OpenAI, or the offline course model); for the others
see 01_03_switch_provider.py.
"""

import os

from openai import OpenAI

import workbook


def main() -> None:
    workbook.setup()  # loads .env; starts the offline course model if no provider is configured
    client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
    model = os.environ["OPENAI_MODEL_NAME"]

    response = client.responses.create(model=model, input="写一个关于独角兽的睡前小故事")
    print(response.output_text)

    # Memory: the provider keeps the earlier turn; the seed's `session_id` parameter does not exist.
    follow_up = client.responses.create(model=model, previous_response_id=response.id, input="我刚才问了什么？")
    print(follow_up.output_text)


if __name__ == "__main__":
    main()
