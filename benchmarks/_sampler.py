"""A sampling profiler for a live server (helper of benchmarks/load.py `--profile`).

`python benchmarks/_sampler.py OUT -m streamlit run app.py …` runs the command in this process
with a daemon thread that, every INTERVAL seconds, takes every other thread's Python stack
(`sys._current_frames`). At exit (SIGTERM included) it writes OUT: one line per distinct stack,
"frame;frame;… count", the collapsed format flame-graph tools read, and OUT.top.txt: the
functions with the most samples, on CPU-doing threads only (a thread whose innermost frame is a
wait — a lock, a selector, a queue, a sleep — is idle, not busy). Sampling needs the interpreter
lock, so a thread holding it for long (a C call) shows as one long sample: read shares, not ms.
"""

from __future__ import annotations

import atexit
import collections
import os
import runpy
import signal
import sys
import threading
import time

INTERVAL = 0.005
IDLE = {"wait", "select", "poll", "_worker", "get", "sleep", "acquire", "_run_once", "epoll"}
IDLE_FILES = ("selectors.py", "threading.py", "queue.py")


def _frame_name(frame) -> str:
    code = frame.f_code
    return f"{os.path.basename(code.co_filename)}:{code.co_name}"


def _stack(frame) -> list[str]:
    names = []
    while frame is not None:
        names.append(_frame_name(frame))
        frame = frame.f_back
    return names[::-1]


def _idle(stack: list[str]) -> bool:
    leaf = stack[-1]
    file, _, func = leaf.partition(":")
    return func in IDLE and (file in IDLE_FILES or func in ("select", "poll", "sleep"))


def _write(out: str, stacks: collections.Counter[tuple[str, ...]]) -> None:
    busy = {s: n for s, n in stacks.items() if s and not _idle(list(s))}
    with open(out, "w", encoding="utf-8") as f:
        for s, n in sorted(busy.items(), key=lambda kv: -kv[1]):
            f.write(";".join(s) + f" {n}\n")
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    for s, n in busy.items():
        for name in set(s):
            inclusive[name] += n
        own[s[-1]] += n
    total = sum(busy.values()) or 1
    with open(out + ".top.txt", "w", encoding="utf-8") as f:
        f.write(f"busy samples: {total}\n\n-- inclusive --\n")
        for name, n in inclusive.most_common(70):
            f.write(f"{100 * n / total:6.1f}%  {name}\n")
        f.write("\n-- own --\n")
        for name, n in own.most_common(40):
            f.write(f"{100 * n / total:6.1f}%  {name}\n")


def main() -> None:
    out = sys.argv[1]
    stacks: collections.Counter[tuple[str, ...]] = collections.Counter()
    me = threading.get_ident()
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(INTERVAL):
            for ident, frame in sys._current_frames().items():
                if ident != me:
                    stacks[tuple(_stack(frame))] += 1

    def dump() -> None:
        stop.set()
        _write(out, stacks)

    threading.Thread(target=sample, daemon=True, name="sampler").start()
    atexit.register(dump)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    started = time.monotonic()
    sys.argv = sys.argv[2:]
    if sys.argv[0] == "-m":
        module = sys.argv[1]
        sys.argv = [module, *sys.argv[2:]]
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        finally:
            print(f"sampled {time.monotonic() - started:.0f} s", file=sys.stderr)
    else:
        runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
