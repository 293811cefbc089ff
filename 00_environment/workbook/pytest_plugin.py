"""Loaded by pytest (see pyproject.toml): every test and notebook runs against the offline model.

A learner's `.env` may name a real provider; the tests must not spend their tokens, and stored
notebook outputs are what the offline model produces, so the suite forces it.
"""

import os


def pytest_configure(config):
    os.environ["WORKBOOK_OFFLINE"] = "1"
    os.environ.pop("OFFLINE_MODEL_DELAY_MS", None)
    _start_kernels_like_jupyter()


def _start_kernels_like_jupyter() -> None:
    """Start nbval's kernels without PYTEST_CURRENT_TEST in their environment.

    With that variable set, ipykernel does not capture file-descriptor output, so the kernel's
    sys.stderr has no fileno(): a notebook that starts a subprocess inheriting stderr (an MCP stdio
    server, for one) then fails under pytest although it works in Jupyter. pytest sets the variable
    again right before nbval starts a kernel, so it is dropped around the kernel start itself.
    """
    try:
        from nbval import kernel as nbval_kernel
    except ImportError:
        return
    original = nbval_kernel.start_new_kernel

    def start_new_kernel(*args, **kwargs):
        saved = os.environ.pop("PYTEST_CURRENT_TEST", None)
        try:
            return original(*args, **kwargs)
        finally:
            if saved is not None:
                os.environ["PYTEST_CURRENT_TEST"] = saved

    nbval_kernel.start_new_kernel = start_new_kernel
