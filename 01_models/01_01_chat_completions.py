"""The seed's Chat Completions program with the sync client.

    python 01_01_chat_completions.py

Provider from .env (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL_NAME); with none, the offline
course model. The sync client needs no event loop, so this program is a plain `main()`; the
async version, which the Agents SDK needs, is 01_05_async_client.py.
"""

import os

from openai import OpenAI

import workbook


def main() -> None:
    workbook.setup()  # loads .env; starts the offline course model if no provider is configured
    client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])

    response = client.chat.completions.create(
        model=os.environ["OPENAI_MODEL_NAME"],
        messages=[
            {"role": "system", "content": "你是一个专业的Python开发人员"},
            {"role": "user", "content": "如何检查Python对象是否是类的实例？"},
        ],
    )
    print(response.choices[0].message.content)


if __name__ == "__main__":
    main()
