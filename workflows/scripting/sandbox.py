"""Diagram code runs in separate script processes that the application can kill (README, "Security").

The time limit inside restricted code is checked between Python steps, so one long C-level
operation (a division of two ten-million-bit numbers, a two-gigabyte `to_bytes`) escapes it.
Each application process therefore keeps a few script processes (workflows.scripting.child)
and sends every expression and script to one of them: the child caps its own memory, and the
application waits for the answer only until the hard time limit, then kills the child and
starts another on the next request. A round trip costs about 10-30 µs more than running the
code in this process (README, "Security").
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from workflows.messages import Message, message
from workflows.scripting.errors import ScriptLimitError, ScriptTimeoutError
from workflows.scripting.protocol import HEADER, READY, Reply, frame, read_reply, rebuild_error

# Address space a script process may add to what its interpreter needs at start.
MEMORY_LIMIT_BYTES = 256 * 2**20
# The largest reply accepted: task data is at most storable.MAX_DATA_BYTES, a condition's value far less.
MAX_REPLY_BYTES = 16 * 2**20
# Script processes kept idle per application process (more start when threads run code at once).
IDLE_PROCESSES = 2
# How long a new script process may take to start (imports), before its first request's time counts.
START_SECONDS = 30.0

_ROOT = Path(__file__).resolve().parents[2]
_BOOT = f"import sys; sys.path.insert(0, {str(_ROOT)!r}); from workflows.scripting.child import main; main()"


class ScriptProcessError(ScriptLimitError):
    """The script process ended before answering (killed, crashed, or a broken pipe)."""


class _GoneError(ScriptProcessError):
    """The script process was gone before it received the request (it ended while idle)."""


class _ScriptProcess:
    """One child interpreter serving requests over a pair of pipes."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT, str(MEMORY_LIMIT_BYTES)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True,
            env={"PATH": os.defpath, "LANG": "C.UTF-8"},  # none of the application's secrets
        )
        self.pid = os.getpid()  # the application process that started it
        self.ready = False
        self._poll = select.poll()
        self._poll.register(self.process.stdout.fileno(), select.POLLIN)  # type: ignore[union-attr]

    def call(self, request: bytes, seconds: float) -> Reply:
        """Send a framed request; the reply, or ScriptProcessError once `seconds` have passed."""
        if not self.ready:  # its start-up is not the request's time
            self.ready = self._read(len(READY), time.monotonic() + START_SECONDS, START_SECONDS) == READY
        deadline = time.monotonic() + seconds
        assert self.process.stdin is not None
        try:
            self._write(request)
        except (BrokenPipeError, OSError) as err:
            raise _GoneError("script_process_gone", detail=str(err)) from err
        return read_reply(self._read_reply(deadline, seconds))

    def _write(self, request: bytes) -> None:
        """Send all of the request (the process reads it whole before it answers)."""
        assert self.process.stdin is not None
        fd, view = self.process.stdin.fileno(), memoryview(request)
        while view:
            view = view[os.write(fd, view):]

    def _read_reply(self, deadline: float, seconds: float) -> bytes:
        """The pickle of the reply: usually one read, waiting no longer than the deadline."""
        received = self._read_some(b"", deadline, seconds)
        while len(received) < HEADER.size:
            received = self._read_some(received, deadline, seconds)
        size = HEADER.unpack_from(received)[0]
        if size > MAX_REPLY_BYTES:
            raise ScriptLimitError("script_reply_too_large", size=f"{size:,}", limit=f"{MAX_REPLY_BYTES:,}")
        while len(received) < HEADER.size + size:
            received = self._read_some(received, deadline, seconds)
        return received[HEADER.size:]

    def _read(self, size: int, deadline: float, seconds: float) -> bytes:
        """Exactly `size` bytes, waiting no longer than the deadline."""
        received = b""
        while len(received) < size:
            received = self._read_some(received, deadline, seconds, size - len(received))
        return received

    def _read_some(self, received: bytes, deadline: float, seconds: float, most: int = 1 << 20) -> bytes:
        """What was received, plus what the process wrote next; ScriptTimeoutError past the deadline."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not self._poll.poll(remaining * 1000):
            raise ScriptTimeoutError("script_timeout_uninterruptible", seconds=f"{round(seconds, 2):g}")
        chunk = os.read(fd, most)
        if not chunk:
            ended = self._ended()
            raise ScriptProcessError(ended.code, **ended.params)
        return received + chunk

    def _ended(self) -> Message:
        """Why the process closed its pipe: the kernel's CPU limit, another signal, or an exit."""
        code = self.process.wait()
        if code == -signal.SIGXCPU:
            return message("script_cpu_limit")
        if code < 0:
            return message("script_process_signal", signal=signal.Signals(-code).name)
        return message("script_process_exit", status=code)

    def kill(self) -> None:
        """End the process now and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._close_pipes()

    def close(self) -> None:
        """Let an idle process end by closing its input; kill it if it lingers."""
        self._close_pipes()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()

    def _close_pipes(self) -> None:
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()


class ScriptPool:
    """The script processes of this application process, one per concurrent caller."""

    def __init__(self) -> None:
        self._idle: list[_ScriptProcess] = []
        self._lock = threading.Lock()
        self._inherited: list[_ScriptProcess] = []  # a parent's processes, seen after a fork: never used
        atexit.register(self.close)

    def run(self, request: tuple[Any, ...], seconds: float) -> Any:
        """Send one request to a script process; its value, or the error it describes."""
        try:
            message = frame(request)
        except (pickle.PicklingError, AttributeError, TypeError, RecursionError) as err:
            raise TypeError(f"the data and names cannot be sent to the script process: {err}") from err
        process = self._take()
        try:
            try:
                reply = process.call(message, seconds)
            except _GoneError:  # an idle process ended (killed from outside): the request never ran
                process.kill()
                process = _ScriptProcess()
                reply = process.call(message, seconds)
        except BaseException:
            process.kill()  # mid-request, or past its limit: never reused
            raise
        if reply[0] == "fatal":
            process.kill()  # it ends itself after a MemoryError
        else:
            self._give_back(process)
        if reply[0] == "ok":
            return reply[1]
        raise rebuild_error(reply[1], tuple(reply[2]), reply[3])

    def _take(self) -> _ScriptProcess:
        with self._lock:
            self._forget_inherited()
            if self._idle:
                return self._idle.pop()
        return _ScriptProcess()

    def _give_back(self, process: _ScriptProcess) -> None:
        with self._lock:
            if process.pid == os.getpid() and len(self._idle) < IDLE_PROCESSES:
                self._idle.append(process)
                return
        process.close()

    def _forget_inherited(self) -> None:
        """After a fork, the idle processes belong to the parent: drop them without touching them."""
        pid = os.getpid()
        inherited = [p for p in self._idle if p.pid != pid]
        if inherited:
            self._idle = [p for p in self._idle if p.pid == pid]
            self._inherited += inherited  # kept referenced: collecting a running Popen warns

    def close(self) -> None:
        """End the idle processes (at exit, and in tests)."""
        with self._lock:
            idle, self._idle = [p for p in self._idle if p.pid == os.getpid()], []
        for process in idle:
            process.close()


POOL = ScriptPool()
