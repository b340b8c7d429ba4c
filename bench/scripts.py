"""What bounding diagram code costs, and what it stops: figures for README "Security".

Run with `make bench-scripts` (or `python -m bench.scripts [--rounds R] [--raw N] [--service N] [--in-process]`).

1. One condition and one script, in this process (the step-by-step limit only) and in a script
   process (workflows.scripting.sandbox), µs per run.
2. The case-transfer happy path (8 user tasks, 5 conditions and a script per instance): the raw
   engine in memory, and through the services on SQLite, with code in this process and in script
   processes, in alternating rounds so machine noise falls on both.
3. A script process: its start (until it answers) and its resident memory.
4. Hostile payloads: how long until the request is answered and how much the application process
   grows; with `--in-process`, the same payloads with the guards but without a script process
   (each in a throw-away interpreter, cut off after 20 s): what the guards alone leave open.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.case_transfer import raw_engine, service_layer, settle
from workflows.scripting import RestrictedEnvironment, ScriptLimitError
from workflows.scripting.environment import settings
from workflows.scripting.sandbox import POOL

ROOT = Path(__file__).resolve().parent.parent
CONDITION = ('approval == "approve" and amount > 50000 and ip_type in ("trademark", "patent")',
             {"approval": "approve", "amount": 60000, "ip_type": "patent"})
SCRIPT = ("total = sum(p['share'] for p in parties)\nnames = [p['name'] for p in parties]",
          {"parties": [{"name": "某公司", "share": 60}, {"name": "王某", "share": 40}]})
HOSTILE = {
    "10-million-bit remainder": 'y = int("1" * 10**7, 2) % int("1" * 5 * 10**6, 2)',
    "2 GB to_bytes": 'n = len((0).to_bytes(2 * 10**9, "big"))',
    "modular pow, 90,000-bit": "y = pow(3, (1 << 90000) - 1, (1 << 90000) - 3)",
    "10**11 comparisons in one C call": "x = [0] * 99999 + [1]\nn = ([x] * 10**6).count([0] * 100000)",
    "lists of 80 MB in a loop": "x = [[0] * 10**7 for i in range(100)]",
}
_IN_PROCESS = (
    "import resource, sys, time\nfrom workflows.scripting import RestrictedEnvironment\n"
    "started = time.monotonic()\n"
    "try:\n    RestrictedEnvironment(isolated=False).execute(sys.argv[1], {})\nexcept Exception as err:\n"
    "    print(type(err).__name__, end=' ')\n"
    "print(f'{time.monotonic() - started:.1f} s, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10} MB')"
)


def per_run(isolated: bool, text: str, data: dict, mode: str, count: int = 2000) -> float:
    """µs per evaluation (mode 'eval') or execution ('exec') of the text."""
    env = RestrictedEnvironment(isolated=isolated)
    run: Callable[[], object] = (lambda: env.evaluate(text, dict(data))) if mode == "eval" else \
        (lambda: env.execute(text, dict(data)))
    run()
    started = time.perf_counter()
    for _ in range(count):
        run()
    return (time.perf_counter() - started) / count * 1e6


def alternate(measure: Callable[[], float], rounds: int) -> tuple[float, float]:
    """The median of `measure` with code in this process and in script processes, in alternating rounds."""
    here, isolated = [], []
    for _ in range(rounds):
        for mode, into in ((False, here), (True, isolated)):
            settings.isolated = mode
            settle()
            into.append(measure())
    settings.isolated = True
    return statistics.median(here), statistics.median(isolated)


def script_process() -> tuple[float, int]:
    """Seconds from start to first answer of a new script process, and its resident memory in MB."""
    POOL.close()
    started = time.perf_counter()
    RestrictedEnvironment().evaluate("1", {})
    seconds = time.perf_counter() - started
    (process,) = POOL._idle
    with open(f"/proc/{process.process.pid}/status", encoding="ascii") as status:
        rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return seconds, rss >> 10


def hostile(code: str) -> str:
    """The answer to one payload in a script process: time, reason, this process's growth."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        RestrictedEnvironment().execute(code, {})
        outcome = "ran"
    except ScriptLimitError as err:
        outcome = str(err)[:70]
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) >> 10
    return f"{time.monotonic() - started:5.2f} s, application +{grown} MB: {outcome}"


def in_process(code: str) -> str:
    """The payload run in the application process, in a throw-away interpreter cut off after 20 s."""
    try:
        result = subprocess.run([sys.executable, "-c", _IN_PROCESS, code], cwd=ROOT, capture_output=True, text=True,
                                timeout=20, check=False)
        return result.stdout.strip() or result.stderr.strip()[-80:]
    except subprocess.TimeoutExpired:
        return "still running after 20 s (cut off)"


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds")
    parser.add_argument("--raw", type=int, default=100, help="raw-engine instances per round and mode")
    parser.add_argument("--service", type=int, default=10, help="service-layer instances per round and mode")
    parser.add_argument("--in-process", action="store_true", help="also run the payloads without a script process")
    args = parser.parse_args()
    for name, (text, data), mode in (("condition", CONDITION, "eval"), ("script", SCRIPT, "exec")):
        here, isolated = alternate(lambda t=text, d=data, m=mode: per_run(settings.isolated, t, d, m), args.rounds)
        print(f"one {name}: {here:6.1f} µs in this process, {isolated:6.1f} µs in a script process "
              f"(+{isolated - here:.1f} µs)")
    raw_engine(5)
    here, isolated = alternate(lambda: args.raw / raw_engine(args.raw), args.rounds)
    print(f"case-transfer happy path, raw engine: {here:7.1f} instances/s in this process, {isolated:7.1f} in "
          f"script processes ({isolated / here:.2f} x)")
    service = service_layer()
    service(2)
    here, isolated = alternate(lambda: args.service / service(args.service), args.rounds)
    print(f"case-transfer happy path, services + SQLite (17 transactions): {here:6.1f} instances/s in this process, "
          f"{isolated:6.1f} in script processes ({isolated / here:.2f} x)")
    seconds, rss = script_process()
    print(f"a script process: answers {seconds * 1000:.0f} ms after it is started, {rss} MB resident")
    for name, code in HOSTILE.items():
        print(f"{name:34} {hostile(code)}")
        if args.in_process:
            print(f"{'':34} guards only, in process: {in_process(code)}")


if __name__ == "__main__":
    main()
