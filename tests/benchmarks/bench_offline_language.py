"""What language matching adds to the offline model. A script, not a test: it prints figures.

    .venv/bin/python tests/benchmarks/bench_offline_language.py [--requests 2000] [--cold]

Start-up is measured in fresh processes: importing rjieba, PyStemmer and the module, then
loading the CC-CEDICT index from the cache (`--cold` also times building it into an empty cache
directory, what the first run on a new machine pays). Per request: the work `score_tools` does
for one question against four tools (read each description, match the question), once with the
word caches warm (a question like earlier ones) and once with them cleared before every request
(a question made only of words never seen).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from rich.console import Console
from rich.table import Table

STARTUP = """
import json, time
t0 = time.perf_counter()
import rjieba, Stemmer
t1 = time.perf_counter()
from workbook.offline import language
t2 = time.perf_counter()
language.warm_up(background=False)
t3 = time.perf_counter()
language.Document("Get the weather forecast for a city").score("北京明天会下雨吗")
t4 = time.perf_counter()
print(json.dumps({"packages": t1 - t0, "module": t2 - t1, "index": t3 - t2, "first_match": t4 - t3}))
"""

TOOLS = ["Handles returns and refunds (RMA).", "Get the weather forecast for a city.",
         "Check inventory / stock of a product.", "Look up an order's status."]
QUESTIONS = ["我想退货", "北京明天会下雨吗", "这个耳机还有货吗", "帮我查一下订单",
             "Can I return the batteries I ordered last week?", "Is it going to rain in Paris tomorrow?",
             "這個耳機還有貨嗎", "Where is my order A1003? It was shipped on Monday."]


def startup(cache_dir: str) -> dict[str, float]:
    env = dict(os.environ, WORKBOOK_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", STARTUP], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def per_request(requests: int, cold_words: bool) -> list[float]:
    from workbook.offline import language

    language.warm_up(background=False)
    timings = []
    for i in range(requests):
        question = QUESTIONS[i % len(QUESTIONS)]
        if cold_words:
            for cached in (language.word_concepts, language.chinese_pieces, language.stem):
                cached.cache_clear()
        start = time.perf_counter()
        for tool in TOOLS:
            language.Document(tool).score(question)
        timings.append(time.perf_counter() - start)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--cold", action="store_true", help="also time building the index into an empty cache")
    args = parser.parse_args()
    console = Console(width=120)

    table = Table(title=f"Language matching start-up ({os.cpu_count()} cores, fresh process each)")
    for column in ("case", "rjieba + PyStemmer import", "module import", "index load", "first match", "total"):
        table.add_column(column, justify="right")
    cases = []
    if args.cold:
        with tempfile.TemporaryDirectory() as empty:
            cases.append(("cold: builds the index", startup(empty)))
    from workbook.offline import language

    language.warm_up(background=False)  # make sure the default cache exists
    cache = str(language.cache_path().parent)
    cases += [(f"cached, run {n}", startup(cache)) for n in (1, 2, 3)]
    for name, figures in cases:
        cells = [f"{figures[k] * 1000:.0f} ms" for k in ("packages", "module", "index", "first_match")]
        table.add_row(name, *cells, f"{sum(figures.values()) * 1000:.0f} ms")
    console.print(table)
    console.print("module import includes the workbook package; index load includes rjieba's first cut.")

    table = Table(title=f"Per request: one question against {len(TOOLS)} tool descriptions")
    for column in ("word caches", "median", "p90", "max"):
        table.add_column(column, justify="right")
    for label, cold_words in (("warm", False), ("cleared every request", True)):
        timings = sorted(per_request(args.requests if not cold_words else max(50, args.requests // 10), cold_words))
        p90 = timings[int(len(timings) * 0.9)]
        table.add_row(label, f"{statistics.median(timings) * 1e6:.0f} µs", f"{p90 * 1e6:.0f} µs",
                      f"{timings[-1] * 1e6:.0f} µs")
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
