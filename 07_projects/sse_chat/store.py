"""Where conversations live when the chat runs as a service: one setting, three backends.

    CHAT_SESSION_URL unset or sqlite:///path/chat.db   SQLite, the embedded default (no server)
    CHAT_SESSION_URL=postgresql+asyncpg://user@host/db  PostgreSQL, the SDK's SQLAlchemySession
    CHAT_SESSION_URL=redis://host:6379/0                 Redis, the SDK's RedisSession

A backend keeps three things for each conversation, so that any worker (any process, any
machine) can serve its next request:

* the history: the SDK's session for that backend;
* a lock: one turn at a time per conversation, across processes. It is a lease with an owner
  and an expiry (a row, or a Redis key set with `NX PX`), renewed while the turn runs. If the
  worker dies, the lease runs out and the conversation is free again. A request that cannot get
  the lock within `wait` seconds gets `ConversationBusy`, with a message that says why;
* the paused run waiting for a person's approval (`RunState.to_json()`), if there is one.

Each process opens ONE pool per backend (an SQLite connection, a SQLAlchemy engine, a Redis
client) and every conversation's session borrows it: sessions are cheap, connections are not.
A pool holds as many connections as the worker runs at once (`pool_size`, CHAT_MAX_RUNS) and a
few more for the short lock and pending-run statements; a request that finds none free within
`pool_wait` seconds is told the store is busy (`busy_message`), which is not the same as a store
that is down.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from agents.memory import Session
from conversations import Database

LOCKS = "chat_locks"  # conversation_id, owner, expires_at (seconds since the epoch)
PENDING = "chat_pending"  # conversation_id, state (a paused run's RunState JSON)


class ConversationBusy(Exception):
    """Another request held the conversation for longer than this one could wait."""

    @classmethod
    def after(cls, wait: float) -> ConversationBusy:
        return cls(f"This conversation is still answering another message (waited {wait:g} seconds). "
                   "Try again when it has finished.")


class StoreUnavailable(Exception):
    """The session backend cannot be reached."""


def busy_message(wait: float) -> str:
    """For a pool timeout: the store is up, but every pooled connection stayed in use longer than `wait`."""
    return (f"The conversation store is busy: no free database connection within {wait:g} seconds, "
            "so this answer was not saved. Try again in a moment.")


class Store(ABC):
    """One backend: sessions, cross-process locks and paused runs, for every conversation."""

    name: str

    def __init__(self, lease_seconds: float = 30.0, pool_wait: float = 60.0):
        self.lease_seconds = lease_seconds  # how long a lock outlives a worker that died holding it
        self.pool_wait = pool_wait  # how long a request waits for a free pooled connection
        self.started = False

    @abstractmethod
    def session(self, conversation_id: str) -> Session: ...

    def close_session(self, session: Session) -> None:  # noqa: B027  (most sessions hold nothing of their own)
        """Give a session's resources back (the shared pool stays open)."""

    # --- the lock: a lease, taken by polling, renewed while held
    @abstractmethod
    async def _try_lock(self, conversation_id: str, owner: str) -> bool: ...

    @abstractmethod
    async def _renew(self, conversation_id: str, owner: str) -> bool: ...

    @abstractmethod
    async def _unlock(self, conversation_id: str, owner: str) -> None: ...

    @asynccontextmanager
    async def lock(self, conversation_id: str, wait: float) -> AsyncIterator[None]:
        """Hold the conversation, across processes, for the body of the `async with`."""
        if not self.started:  # the first request creates the tables (and retries if the store was down)
            await self.start()
            self.started = True
        owner = secrets.token_hex(8)
        deadline, pause = time.monotonic() + wait, 0.02
        while not await self._try_lock(conversation_id, owner):
            if time.monotonic() >= deadline:
                raise ConversationBusy.after(wait)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.5)  # back off: a long turn is not polled 50 times a second
        renewer = asyncio.create_task(self._keep_renewing(conversation_id, owner))
        try:
            yield
        finally:
            renewer.cancel()
            try:
                await self._unlock(conversation_id, owner)
            except Exception:  # the backend is down: the lease runs out by itself
                pass

    async def _keep_renewing(self, conversation_id: str, owner: str) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                await self._renew(conversation_id, owner)
            except Exception:  # a short outage: try again next time, the lease has time left
                pass

    # --- the paused run waiting for approval
    @abstractmethod
    async def save_pending(self, conversation_id: str, state_json: str | None) -> None:
        """Store a paused run (None removes it)."""

    @abstractmethod
    async def load_pending(self, conversation_id: str) -> str | None: ...

    async def clear(self, conversation_id: str) -> None:
        """Forget the history and any paused run."""
        session = self.session(conversation_id)
        try:
            await session.clear_session()
        finally:
            self.close_session(session)
        await self.save_pending(conversation_id, None)

    async def start(self) -> None:  # noqa: B027
        """Create what the backend needs (tables); called once per worker at start-up."""

    async def close(self) -> None:  # noqa: B027
        """Close the shared pool."""


def _expiry(seconds: float) -> float:
    return time.time() + seconds


# The same SQL serves SQLite and PostgreSQL: an upsert that takes a lease only if it is free
# or has expired, and tells whether it did (RETURNING).
LOCK_SQL = (f"INSERT INTO {LOCKS} (conversation_id, owner, expires_at) VALUES (:cid, :owner, :expires) "
            f"ON CONFLICT (conversation_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at "
            f"WHERE {LOCKS}.expires_at < :now RETURNING owner")
RENEW_SQL = f"UPDATE {LOCKS} SET expires_at = :expires WHERE conversation_id = :cid AND owner = :owner"
UNLOCK_SQL = f"DELETE FROM {LOCKS} WHERE conversation_id = :cid AND owner = :owner"
SAVE_SQL = (f"INSERT INTO {PENDING} (conversation_id, state) VALUES (:cid, :state) "
            f"ON CONFLICT (conversation_id) DO UPDATE SET state = excluded.state")
LOAD_SQL = f"SELECT state FROM {PENDING} WHERE conversation_id = :cid"
DROP_SQL = f"DELETE FROM {PENDING} WHERE conversation_id = :cid"
TABLES_SQL = [f"CREATE TABLE IF NOT EXISTS {LOCKS} (conversation_id TEXT PRIMARY KEY, owner TEXT NOT NULL, "
              f"expires_at DOUBLE PRECISION NOT NULL)",
              f"CREATE TABLE IF NOT EXISTS {PENDING} (conversation_id TEXT PRIMARY KEY, state TEXT NOT NULL)"]


class SQLStore(Store):
    """Locks and paused runs as rows; `_run` executes one statement in its own transaction."""

    @abstractmethod
    async def _run(self, sql: str, params: dict[str, Any]) -> tuple[list[tuple], int]:
        """Execute; return (rows, rowcount)."""

    async def _try_lock(self, conversation_id: str, owner: str) -> bool:
        rows, _ = await self._run(LOCK_SQL, {"cid": conversation_id, "owner": owner,
                                             "expires": _expiry(self.lease_seconds), "now": time.time()})
        return bool(rows)

    async def _renew(self, conversation_id: str, owner: str) -> bool:
        _, count = await self._run(RENEW_SQL, {"cid": conversation_id, "owner": owner,
                                               "expires": _expiry(self.lease_seconds)})
        return count == 1

    async def _unlock(self, conversation_id: str, owner: str) -> None:
        await self._run(UNLOCK_SQL, {"cid": conversation_id, "owner": owner})

    async def save_pending(self, conversation_id: str, state_json: str | None) -> None:
        if state_json is None:
            await self._run(DROP_SQL, {"cid": conversation_id})
        else:
            await self._run(SAVE_SQL, {"cid": conversation_id, "state": state_json})

    async def load_pending(self, conversation_id: str) -> str | None:
        rows, _ = await self._run(LOAD_SQL, {"cid": conversation_id})
        return rows[0][0] if rows else None


class SQLiteStore(SQLStore):
    """The embedded default: the conversations file, shared by every worker on this machine."""

    name = "sqlite"

    def __init__(self, path: str, lease_seconds: float = 30.0):
        super().__init__(lease_seconds)
        self.database = Database(path)  # the history: one connection shared by every session
        # Locks and paused runs: one more connection of our own, used one statement at a time.
        self._connection = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        self._guard = threading.Lock()

    def session(self, conversation_id: str) -> Session:
        return self.database.session(conversation_id)

    def close_session(self, session: Session) -> None:
        session.close()

    def _run_now(self, sql: str, params: dict[str, Any]) -> tuple[list[tuple], int]:
        with self._guard:
            cursor = self._connection.execute(sql, params)
            return cursor.fetchall(), cursor.rowcount

    async def _run(self, sql: str, params: dict[str, Any]) -> tuple[list[tuple], int]:
        return await asyncio.to_thread(self._run_now, sql, params)

    async def start(self) -> None:
        for sql in TABLES_SQL:
            await self._run(sql, {})

    async def close(self) -> None:
        self._connection.close()
        self.database.close()


class PostgresStore(SQLStore):
    """PostgreSQL through SQLAlchemy's async engine (asyncpg): the SDK's `SQLAlchemySession`."""

    name = "postgresql"

    def __init__(self, url: str, lease_seconds: float = 30.0, pool_size: int = 64, pool_wait: float = 60.0):
        super().__init__(lease_seconds, pool_wait)
        from sqlalchemy.ext.asyncio import create_async_engine

        # One connection for each run at once, a quarter more for the lock statements of requests
        # still queued: `workers x 1.25 x pool_size` must fit PostgreSQL's max_connections (100 by default).
        # pool_pre_ping: after a database restart, a dead pooled connection is replaced, not used.
        self.engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size // 4,
                                          pool_pre_ping=True, pool_timeout=pool_wait)

    def session(self, conversation_id: str) -> Session:
        from agents.extensions.memory import SQLAlchemySession

        # ensure_ascii=False: Chinese is stored as written, not as \\u escapes.
        return SQLAlchemySession(conversation_id, engine=self.engine, ensure_ascii=False)

    async def _run(self, sql: str, params: dict[str, Any]) -> tuple[list[tuple], int]:
        from sqlalchemy import text

        async with self.engine.begin() as connection:
            result = await connection.execute(text(sql), params)
            rows = [tuple(row) for row in result.fetchall()] if result.returns_rows else []
            return rows, result.rowcount

    async def start(self) -> None:
        from agents.extensions.memory import SQLAlchemySession
        from sqlalchemy.exc import DBAPIError

        # Two workers starting together may both create the tables; the loser retries once.
        for attempt in range(3):
            try:
                session = SQLAlchemySession("start-up", engine=self.engine, create_tables=True)
                await session._ensure_tables()
                for sql in TABLES_SQL:
                    await self._run(sql, {})
                return
            except DBAPIError:
                if attempt == 2:
                    raise
                await asyncio.sleep(0.2)

    async def close(self) -> None:
        await self.engine.dispose()


class RedisStore(Store):
    """Redis: the SDK's `RedisSession` for history, `SET NX PX` for locks, a key per paused run."""

    name = "redis"
    # Renew or release only a lease we still own (compare the owner token, then act, atomically).
    RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
    UNLOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def __init__(self, url: str, lease_seconds: float = 30.0, pool_size: int = 64, pool_wait: float = 60.0):
        super().__init__(lease_seconds, pool_wait)
        import redis.asyncio as redis

        # A bounded pool: a connection for each run at once and a quarter more, reused; a request
        # waits for a free one (`pool_wait`) instead of opening a connection per operation under load.
        pool = redis.BlockingConnectionPool.from_url(url, max_connections=pool_size + pool_size // 4,
                                                     timeout=pool_wait,
                                                     socket_connect_timeout=30, health_check_interval=10)
        self.client = redis.Redis(connection_pool=pool)

    def session(self, conversation_id: str) -> Session:
        from agents.extensions.memory import RedisSession

        return RedisSession(conversation_id, redis_client=self.client, key_prefix="chat:session")

    def _lease_ms(self) -> int:
        return int(self.lease_seconds * 1000)

    async def _try_lock(self, conversation_id: str, owner: str) -> bool:
        return bool(await self.client.set(f"chat:lock:{conversation_id}", owner, nx=True, px=self._lease_ms()))

    async def _renew(self, conversation_id: str, owner: str) -> bool:
        return bool(await self.client.eval(self.RENEW, 1, f"chat:lock:{conversation_id}", owner, self._lease_ms()))

    async def _unlock(self, conversation_id: str, owner: str) -> None:
        await self.client.eval(self.UNLOCK, 1, f"chat:lock:{conversation_id}", owner)

    async def save_pending(self, conversation_id: str, state_json: str | None) -> None:
        if state_json is None:
            await self.client.delete(f"chat:pending:{conversation_id}")
        else:
            await self.client.set(f"chat:pending:{conversation_id}", state_json)

    async def load_pending(self, conversation_id: str) -> str | None:
        value = await self.client.get(f"chat:pending:{conversation_id}")
        return value.decode() if isinstance(value, bytes) else value

    async def start(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()


def open_store(url: str | None, default_path: str, lease_seconds: float = 30.0, pool_size: int = 64,
               pool_wait: float = 60.0) -> Store:
    """The backend `CHAT_SESSION_URL` names; unset means the SQLite file at `default_path`.
    `pool_size`: the runs a worker has at once (the SQLite file has one connection, whatever it is)."""
    if not url:
        return SQLiteStore(default_path, lease_seconds)
    scheme = url.split(":", 1)[0].lower()
    if scheme == "sqlite":
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if not path:
            raise ValueError("CHAT_SESSION_URL: write a SQLite file as sqlite:///path/to/chat.db")
        return SQLiteStore(path, lease_seconds)
    if scheme in ("postgresql+asyncpg", "postgresql", "postgres"):
        return PostgresStore("postgresql+asyncpg:" + url.split(":", 1)[1], lease_seconds, pool_size, pool_wait)
    if scheme in ("redis", "rediss"):
        return RedisStore(url, lease_seconds, pool_size, pool_wait)
    raise ValueError(f"CHAT_SESSION_URL: unknown scheme {scheme!r}; use sqlite:///…, postgresql+asyncpg://… "
                     "or redis://…")


def is_pool_timeout(exc: BaseException) -> bool:
    """Did a request wait for a pooled connection longer than `pool_wait` (the store itself is up)?"""
    for e in _chain(exc):
        name = f"{type(e).__module__}.{type(e).__name__}"
        if name == "sqlalchemy.exc.TimeoutError":  # "QueuePool limit ... reached"
            return True
        if name == "redis.exceptions.ConnectionError" and str(e) == "No connection available.":  # redis' pool
            return True
    return False


def is_store_error(exc: BaseException) -> bool:
    """Did this exception come from the session backend (not from the model or the run)?"""
    names = {f"{type(e).__module__}.{type(e).__name__}" for e in _chain(exc)}
    return any(name.startswith(("sqlalchemy.", "asyncpg.", "redis.", "sqlite3.")) for name in names) or \
        any(isinstance(e, (StoreUnavailable, sqlite3.Error, ConnectionError)) for e in _chain(exc))


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen and len(seen) < 10:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen

