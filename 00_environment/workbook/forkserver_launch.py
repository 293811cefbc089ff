"""Run `python <arguments>` through the workbook's fork server, or plainly when there is none.

Started as `python -I -S forkserver_launch.py <arguments>`: standard library only, so it starts in
milliseconds. See forkserver.py for why.
"""

import json
import os
import signal
import socket
import struct
import sys

HEADER = struct.Struct("!i")  # as forkserver.HEADER: this file cannot import the workbook (-I -S)


def run_plainly() -> None:
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])


def read_number(conn: socket.socket) -> int | None:
    data = b""
    while len(data) < HEADER.size:
        more = conn.recv(HEADER.size - len(data))
        if not more:
            return None
        data += more
    return HEADER.unpack(data)[0]


def main() -> None:
    path = os.environ.get("WORKBOOK_FORK_SERVER")
    args = sys.argv[1:]
    if not path or not hasattr(socket, "send_fds") or not args or (args[0].startswith("-") and args[0] not in ("-m", "-c")):
        run_plainly()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:  # the server is gone: start the usual way
        run_plainly()
    # Signals are caught from before the lesson exists: one that arrives before its pid is known
    # is kept and passed on as soon as it is (a kernel interrupted right after it started).
    pid, early = None, []

    def forward(number, _frame):
        # An interrupt or a stop for "the kernel" is for the lesson: Jupyter signals the kernel's
        # whole process group, so the lesson's group gets it (it leads its own session, see forkserver.py).
        if pid is None:
            early.append(number)
            return
        try:
            os.killpg(pid, number)
        except (ProcessLookupError, PermissionError):
            pass

    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(number, forward)
    request = json.dumps({"args": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
    socket.send_fds(conn, [HEADER.pack(len(request)) + request], [0, 1, 2])
    pid = read_number(conn)
    if pid is None:
        sys.exit("the workbook's fork server closed the connection")
    for number in early:
        forward(number, None)
    code = read_number(conn)  # the lesson's exit status, once it ends
    if code is None:
        sys.exit(1)
    if code < 0:  # it was killed by a signal: end the same way, so the caller sees the same status
        if -code != signal.SIGKILL:  # SIGKILL's handler cannot be set, nor needs to be
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)


if __name__ == "__main__":
    main()
