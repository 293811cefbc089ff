"""Where the chat keeps its conversations: the history on disk, and who is using which one now.

* `Database` holds ONE sqlite3 connection to the conversations file, and `SharedSQLiteSession`
  is the SDK's `SQLiteSession` using it. The SDK's own session opens a connection for every worker
  thread that touches it, per session: with 200 chats at once that is hundreds of connections,
  three file descriptors each (the file, its `-wal` and its `-shm`), and the server runs out of
  descriptors. One connection is enough, because the SDK already lets only one query at a time
  touch a given file (a lock per file, shared by all the sessions on it).
* `Conversations` holds the conversations in use right now: each has a lock (one run at a time)
  and the run being streamed (so a DELETE can stop it). An entry lives only while a request holds
  it, so an idle conversation costs no memory at all.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from agents import SQLiteSession
from agents.memory import Session
from agents.result import RunResultStreaming


class Database:
    """The conversations file, with the one connection every session shares."""

    def __init__(self, path: str):
        self.path = path
        self.connection = self._connect()

    def _connect(self) -> sqlite3.Connection:
        # check_same_thread=False: the SDK runs each query in a worker thread, under its file lock.
        return sqlite3.connect(self.path, check_same_thread=False)

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = self._connect()

    def session(self, conversation_id: str) -> SharedSQLiteSession:
        return SharedSQLiteSession(conversation_id, self)

    def close(self) -> None:
        self.connection.close()


class SharedSQLiteSession(SQLiteSession):
    """`SQLiteSession` that borrows the database's shared connection instead of opening its own."""

    def __init__(self, session_id: str, database: Database):
        self.database = database
        super().__init__(session_id, database.path)  # also creates the tables on first use

    def _get_connection(self) -> sqlite3.Connection:
        # The SDK calls this with the file's lock held, from whichever worker thread runs the query.
        self._check_not_closed()
        return self.database.connection

    def _invalidate_connection(self, conn: sqlite3.Connection) -> None:
        # The SDK drops a connection whose rollback failed; ours is shared, so open a fresh one.
        self.database.reconnect()


@dataclass
class ActiveConversation:
    """A conversation some request is using: its lock, and the run streaming its answer."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # requests holding or waiting for the lock; the entry is dropped at 0
    # What the request holding the lock is doing: its session, its run, how the run ended.
    session: Session | None = None
    run: RunResultStreaming | None = None
    outcome: str = "cancelled"
    clearing: bool = False  # a DELETE is waiting for the lock: stop the run, start no other
    refused: str | None = None  # why the request cannot have it (waited too long, the store is down)

    def stop_run(self) -> None:
        if self.run is not None and not self.run.is_complete:
            self.run.cancel()

    async def wait_for_run(self, timeout: float) -> None:
        """Wait until the run's task has really ended. A cancelled run still finishes the session
        write it is in; that write must land before the lock goes to the next request (or a DELETE)."""
        task = self.run.run_loop_task if self.run is not None else None
        if task is not None and not task.done():
            await asyncio.wait({task}, timeout=timeout)


class Conversations:
    """The conversations in use right now, by id."""

    def __init__(self) -> None:
        self.active: dict[str, ActiveConversation] = {}

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[ActiveConversation]:
        """Wait for the conversation's turn and hold it; forget it when no request needs it."""
        conversation = self.active.setdefault(conversation_id, ActiveConversation())
        conversation.users += 1
        try:
            async with conversation.lock:
                conversation.session, conversation.run, conversation.outcome = None, None, "cancelled"
                yield conversation
        finally:
            conversation.users -= 1
            if conversation.users == 0:
                del self.active[conversation_id]
