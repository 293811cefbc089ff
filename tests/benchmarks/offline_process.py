"""Start the offline model in its own process for a benchmark, optionally from another copy of the code.

    with OfflineProcess(source="/tmp/old/00_environment", body_timeout_s=2) as server:
        server.base_url, server.rss_mb()

`source` is a folder holding a `workbook` package (default: the installed one), so the same script
can measure the code before and after a change. Options the copy does not know are left out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from workbook.mcp_process import stop_process
from workbook.offline import free_port

LAUNCH = """
import sys, uvicorn
from workbook.offline import Options, create_app
wanted = eval(sys.argv[2])
known = {k: v for k, v in wanted.items() if k in Options.__dataclass_fields__}
uvicorn.run(create_app(Options(**known)), host="127.0.0.1", port=int(sys.argv[1]), log_level="critical",
            access_log=False, lifespan="off")
"""


class OfflineProcess:
    def __init__(self, source: str | None = None, **options):
        self.source, self.options = source, options
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> OfflineProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "WORKBOOK_", "OFFLINE_"))}
        if self.source:
            env["PYTHONPATH"] = self.source
        self.process = subprocess.Popen([sys.executable, "-c", LAUNCH, str(self.port), repr(self.options)], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("the offline model exited at start")
            try:
                httpx.get(self.base_url + "/models", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise SystemExit("the offline model did not start")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=5)

    def rss_mb(self) -> float:
        """Resident memory of the server process, in MB."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def __enter__(self) -> OfflineProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
