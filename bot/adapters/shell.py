"""The terminal chat: every input line is a message in ``#local``; ``/`` lines are commands.

Standard input is read by a daemon thread with ``os.read`` (never on the event loop, and never
holding the ``sys.stdin`` buffer lock at exit). A line is read only when there is room for it, so
piped input of any size stays within ``MAX_BUFFERED`` lines in memory, and every line that was
read is handed to the core, even when a stop arrives. Messages are scored concurrently (so the
micro-batcher can batch them); a command first waits for the messages before it, so its reply
reflects them. Replies and scheduled posts are printed to standard output.

At a terminal the shell is a chat: lines are read with ``input()`` (``readline``: line editing
and history; arrow keys never reach the stored text), each message gets its label and score
back, and ``/quit``, ``/exit`` or Ctrl-D end the session (lines after ``/quit`` are not taken).
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import itertools
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TextIO

from bot.adapters.shell_buttons import PRESS_HINT, ShellButtons
from bot.core.commands.scoring import format_score
from bot.core.messages import ChatMessage, Command, Person, Press, Reply
from bot.core.ports import Adapter, Handler
from model.types import Score

logger = logging.getLogger(__name__)

PLATFORM = "shell"
WORKSPACE = "local"
MAX_BUFFERED = 1000  # lines read but not yet handed to the core
MAX_INFLIGHT = 512  # messages being scored at once
LINE_CAP = 4 * 1024 * 1024  # bytes kept of one line; the rest of a longer line is dropped
_EOF = object()
QUIT = ("quit", "exit")
SHELL_HELP = "\n  /press N — press button [N] of the last answer\n  /quit — leave (or Ctrl-D)"
BANNER = "sentibot shell, #{channel}. Type a message, or /help; /quit or Ctrl-D to leave."


def read_lines(fd: int, chunk: int = 65536) -> Iterator[bytes]:
    """Yield the lines of file descriptor ``fd`` (without the newline), each capped at LINE_CAP."""
    buffer = bytearray()
    skipping = False
    while True:
        data = os.read(fd, chunk)
        if not data:
            break
        buffer += data
        while True:
            newline = buffer.find(b"\n")
            if newline < 0:
                break
            line = bytes(buffer[:newline])
            del buffer[: newline + 1]
            if skipping:
                skipping = False
                continue
            if len(line) > LINE_CAP:
                logger.warning("an input line over %d bytes was cut", LINE_CAP)
            yield line[:LINE_CAP]
        if len(buffer) > LINE_CAP and not skipping:
            yield bytes(buffer[:LINE_CAP])
            logger.warning("an input line over %d bytes was cut", LINE_CAP)
            skipping = True
        if skipping:
            buffer.clear()
    if buffer and not skipping:
        yield bytes(buffer)


class ShellAdapter(Adapter):
    """A chat in the terminal, the local user being an admin.

    Parameters
    ----------
    channel
        The channel name (``[bot] shell_channel``), shown as ``#channel``.
    user
        The local user; defaults to the login name, as an admin.
    stdin_fd, out
        Where lines come from and replies go (standard input and output by default).
    """

    name = "shell"

    def __init__(
        self,
        channel: str = "local",
        user: Person | None = None,
        *,
        stdin_fd: int | None = None,
        out: TextIO | None = None,
    ) -> None:
        self.channel = channel
        self.user = user or Person(id=_login(), name=_login(), is_admin=True)
        self._fd = stdin_fd  # None: standard input, looked up at start
        self._out = out  # None: standard output, looked up at each print
        self._session = f"{int(time.time() * 1000):x}"
        self._ids = itertools.count(1)
        self._stopping = False
        self._lock = threading.Lock()
        self._handover: list[object] = []  # read by the reader thread, not yet on the loop
        self._handover_scheduled = False
        self._slots = threading.Semaphore(MAX_BUFFERED)
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[Score | None]] = set()
        self._inflight: asyncio.Semaphore | None = None
        self._connected = False
        self._interactive = False
        self._quit = False
        self.messages = 0
        self.commands = 0
        self.buttons = ShellButtons()

    @property
    def connected(self) -> bool:
        return self._connected

    async def start(self, handler: Handler) -> None:
        """Read lines until end of input or ``stop``; return once all of them are handled."""
        self._loop = asyncio.get_running_loop()
        if self._fd is None:
            self._fd = sys.stdin.fileno()
        self._inflight = asyncio.Semaphore(MAX_INFLIGHT)
        self._interactive = os.isatty(self._fd)
        if os.isatty(self._fd):
            self._print(BANNER.format(channel=self.channel))
        threading.Thread(target=self._reader, name="shell-stdin", daemon=True).start()
        self._connected = True
        try:
            while (item := await self._queue.get()) is not _EOF:
                self._slots.release()
                await self._handle(handler, item.decode("utf-8", "replace"))  # type: ignore[attr-defined]
            await self._wait_messages()
        finally:
            self._connected = False
        logger.info("shell: %d message(s) and %d command(s) handled", self.messages, self.commands)

    async def post(self, channel: str, reply: Reply) -> None:
        """Print an unprompted post (a scheduled report, retrain progress)."""
        self._print_reply(reply, prefix=f"[#{channel}] ")

    async def stop(self) -> None:
        """Stop reading; lines already read are still handled."""
        self._enqueue_eof()

    async def fetch_message(self, channel: str, message_id: str) -> ChatMessage | None:
        """A message typed in this session (the shell keeps its recent lines)."""
        return self.buttons.message(channel, message_id)

    # -- internals ----------------------------------------------------------------------------

    def _reader(self) -> None:
        try:
            assert self._fd is not None
            typed = self._interactive and self._fd == _stdin_fd()
            lines = _typed_lines() if typed else read_lines(self._fd)
            while True:
                self._slots.acquire()  # read a line only when there is room for it
                line = next(lines, None)
                with self._lock:
                    if self._stopping:
                        return  # read after the stop: not taken
                    if line is None:
                        break
                    self._put(line)
        except OSError as exc:
            logger.error("shell: cannot read standard input: %s", exc)
        self._enqueue_eof()

    def _put(self, item: object) -> None:
        """Hand ``item`` to the loop (called with ``self._lock`` held).

        Lines are handed over in bunches: one ``call_soon_threadsafe`` per bunch, not per line.
        Each call writes a byte to the loop's self-pipe, which is also where a signal is
        delivered; a flood of lines filled it and a SIGTERM was lost.
        """
        assert self._loop is not None
        self._handover.append(item)
        if not self._handover_scheduled:
            self._handover_scheduled = True
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                self._loop.call_soon_threadsafe(self._take_handover)

    def _take_handover(self) -> None:
        with self._lock:
            items, self._handover = self._handover, []
            self._handover_scheduled = False
        for item in items:
            self._queue.put_nowait(item)

    def _enqueue_eof(self) -> None:
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
            if self._loop is not None:
                self._put(_EOF)
        self._slots.release()  # wake the reader if it waits for room

    async def _handle(self, handler: Handler, line: str) -> None:
        line = line.rstrip("\r")
        if not line.strip() or self._quit:
            return  # blank, or after /quit: the session is over
        if line.startswith("/"):
            await self._wait_messages()  # the reply reflects every line before it
            name, _, text = line[1:].partition(" ")
            if name.strip().lower() in QUIT:
                self._print("sentibot> bye")
                self._quit = True
                self._enqueue_eof()
                return
            self.commands += 1
            if name.strip().lower() == "press":
                await self._press(handler, text)
                return
            command = Command(PLATFORM, WORKSPACE, self.channel, self.user, name, text.strip())
            reply = await handler.on_command(command)
            if name.strip().lower() == "help":
                reply = Reply(reply.text + SHELL_HELP, reply.files)
            self._print_reply(reply)
            return
        self.messages += 1
        message = ChatMessage(
            platform=PLATFORM,
            workspace=WORKSPACE,
            channel=self.channel,
            message_id=f"{self._session}-{next(self._ids)}",
            author=self.user,
            text=line,
            created_at=datetime.now(UTC),
        )
        self.buttons.remember(message)
        assert self._inflight is not None
        await self._inflight.acquire()
        task = asyncio.create_task(handler.on_message(message))
        self._tasks.add(task)
        task.add_done_callback(self._done)

    async def _press(self, handler: Handler, number: str) -> None:
        action = self.buttons.action(number)
        if action is None:
            self._print(f"sentibot> No such button; press one shown in brackets {PRESS_HINT}.")
            return
        press = Press(PLATFORM, WORKSPACE, self.channel, self.user, action, source=self)
        self._print_reply(await handler.on_press(press))

    def _done(self, task: asyncio.Task[Score | None]) -> None:
        self._tasks.discard(task)
        assert self._inflight is not None
        self._inflight.release()
        if task.cancelled():
            return
        if task.exception() is not None:
            logger.error("shell: a message failed: %s", task.exception())
        elif self._interactive and (score := task.result()) is not None:
            self._print(f"  {format_score(score)}")  # a first "hello" gets an answer

    async def _wait_messages(self) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks))

    def _print_reply(self, reply: Reply, prefix: str = "") -> None:
        lines = [f"{prefix}sentibot> {reply.text}"]
        lines += [f"{prefix}  (saved {path})" for path in reply.files]
        buttons = self.buttons.show(reply.buttons)
        lines += [prefix + buttons] if buttons else []
        self._print("\n".join(lines))

    def _print(self, text: str) -> None:
        print(text, file=self._out or sys.stdout, flush=True)


def _stdin_fd() -> int | None:
    try:
        return sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _typed_lines() -> Iterator[bytes]:
    """Lines typed at the terminal, with line editing and history (``readline``)."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (importing it gives input() editing and history)
    while True:
        try:
            line = input()
        except EOFError:
            return
        yield line.encode("utf-8", "surrogateescape")[:LINE_CAP]


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "local"
