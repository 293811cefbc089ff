"""The offline course model: a local server that speaks the OpenAI protocol with rules instead of a
neural network, so every lesson runs with no API key and no network.

    from workbook.offline import start_in_background
    server = start_in_background()       # a free loopback port, in a daemon thread
    server.base_url                      # "http://127.0.0.1:PORT/v1"
"""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from .app import MODELS, Options, create_app

__all__ = ["MODELS", "OfflineServer", "Options", "create_app", "start_in_background", "free_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OfflineServer:
    """uvicorn running the offline model in a background thread."""

    def __init__(self, options: Options | None = None, port: int | None = None):
        self.port = port or free_port()
        config = uvicorn.Config(create_app(options), host="127.0.0.1", port=self.port,
                                log_level="warning", access_log=False, lifespan="off",
                                # stop() must not wait for a client still dripping a body
                                timeout_graceful_shutdown=3)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="offline-model", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 10.0) -> OfflineServer:
        if self._thread.is_alive() or self._server.started:
            return self  # `with start_in_background() as server:` enters an already running server
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the offline model did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)

    def __enter__(self) -> OfflineServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def start_in_background(options: Options | None = None, port: int | None = None) -> OfflineServer:
    return OfflineServer(options, port).start()
