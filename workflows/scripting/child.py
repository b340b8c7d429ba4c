"""The script process: runs one expression or script at a time for the application, under hard limits.

Started by workflows.scripting.sandbox with a clean interpreter (`python -I`), it reads
requests on stdin and answers on the descriptor that was stdout; stdout itself then points
at stderr, so nothing printed can corrupt a reply. Before serving it caps its own address
space (a MemoryError instead of a machine out of memory), its CPU time per request (the
kernel ends it if the application's own kill did not), and its files and processes.
"""

from __future__ import annotations

import datetime  # noqa: F401 - imported before the limits: requests need it, later imports would open files
import decimal  # noqa: F401 - the same
import os
import pickle
import resource
import sys
import traceback
from typing import Any, BinaryIO

from workflows.deadlines import calendar  # noqa: F401 - the same: the `deadline` function of timer expressions
from workflows.scripting import runner, storable
from workflows.scripting.errors import ScriptLimitError
from workflows.scripting.policy import FILENAME
from workflows.scripting.protocol import HEADER, READY, Reply, error_reply, frame

# Python's own bound on int <-> decimal text conversions, set explicitly: the environment
# (PYTHONINTMAXSTRDIGITS) is ignored under -I, and 0 would switch the bound off.
INT_MAX_STR_DIGITS = 4300
_OPEN_FILES = 16


def _vm_size() -> int:
    """This process's address space in bytes, as the kernel counts it against RLIMIT_AS."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_process(memory_bytes: int) -> None:
    """Cap the address space above what the interpreter uses now; no new processes, few files."""
    resource.setrlimit(resource.RLIMIT_AS, (_vm_size() + memory_bytes, resource.RLIM_INFINITY))
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (_OPEN_FILES, _OPEN_FILES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _limit_cpu(seconds: float) -> None:
    """Let the kernel end this process once the coming request used `seconds` of CPU, plus one."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime)
    resource.setrlimit(resource.RLIMIT_CPU, (used + int(seconds) + 2, resource.RLIM_INFINITY))


def _script_line(error: BaseException) -> int:
    """The line of the restricted code where the error arose, or 0."""
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == FILENAME]
    if isinstance(error, SyntaxError) and error.lineno:
        return error.lineno
    return lines[-1] if lines and lines[-1] else 0


def handle(request: tuple[Any, ...]) -> Reply:
    """Run one request: ("eval" | "exec", text, data, names, seconds)."""
    mode, text, context, external, seconds = request
    if mode == "eval":
        return ("ok", runner.evaluate(text, context, external, seconds))
    variables, deleted = runner.execute(text, context, external, seconds)
    storable.check_variables(variables)
    return ("ok", (variables, deleted))


def _reply(request: tuple[Any, ...]) -> bytes:
    """The framed reply to a request, whatever happened while running it."""
    try:
        return frame(handle(request))
    except MemoryError:
        raise  # the caller answers and then ends this process, whose heap may be in pieces
    except RecursionError as error:  # also raised by pickling a value nested too deeply
        return frame(error_reply(error, _script_line(error)))
    except Exception as error:  # noqa: BLE001 - any failure of diagram code is an answer, not a crash
        try:
            return frame(error_reply(error, _script_line(error)))
        except Exception:  # noqa: BLE001 - arguments that do not pickle
            return frame(("error", type(error).__name__, (str(error),), _script_line(error)))


def _read(stream: BinaryIO, size: int) -> bytes | None:
    """Exactly `size` bytes, or None when the application closed the pipe."""
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


def serve(requests: BinaryIO, replies: BinaryIO, memory_bytes: int) -> None:
    """Answer requests until the application closes the pipe or memory ran out."""
    sys.set_int_max_str_digits(INT_MAX_STR_DIGITS)
    limit_process(memory_bytes)
    replies.write(READY)
    replies.flush()
    while (header := _read(requests, HEADER.size)) is not None:
        body = _read(requests, HEADER.unpack(header)[0])
        if body is None:
            return
        request = pickle.loads(body)  # from the application, which started this process
        _limit_cpu(request[4] * 2)
        try:
            reply = _reply(request)
        except MemoryError:
            del request
            refused = ScriptLimitError("script_out_of_memory", mb=memory_bytes // 2**20)
            replies.write(frame(("fatal", "ScriptLimitError", refused.args, 0)))
            replies.flush()
            return
        replies.write(reply)
        replies.flush()


def main() -> None:
    """Serve on stdin and the original stdout; stdout and print() go to stderr from now on."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, replies, int(sys.argv[1]))


if __name__ == "__main__":
    main()
