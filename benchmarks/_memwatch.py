"""Where a live server's memory is (helper of benchmarks/load.py `--memwatch FILE`).

`python benchmarks/_memwatch.py OUT -m streamlit run app.py …` runs the command in this process
with a daemon thread that, every INTERVAL seconds, appends one line to OUT:

    seconds  rss_mb  py_blocks  full_collections  malloc_in_use_mb  malloc_free_mb

- `rss_mb`: what the operating system counts (/proc/self/status VmRSS): what load.py reports;
- `py_blocks`: `sys.getallocatedblocks()`, the Python objects' memory blocks now alive (with
  garbage in reference cycles that the collector has not reached yet);
- `full_collections`: how many times Python's collector has gone through its oldest generation
  (with `runner.postScriptGC = false` that happens only at its own thresholds);
- `malloc_in_use_mb` / `malloc_free_mb`: glibc's heap, from `mallinfo2()` (glibc 2.33+): bytes
  handed out and still in use, and bytes freed but kept by the allocator for reuse.

It tells a leak from an allocator's high-water mark: after a load that is repeated, a leak keeps
raising `py_blocks` and `malloc_in_use_mb`; a high-water mark leaves them flat while `rss_mb`
creeps up through `malloc_free_mb`. On another C library the malloc columns are empty. When the
server stops, a last line gives the same figures after a full `gc.collect()`: what of the Python
memory was garbage waiting for the collector, and what is held.
"""

from __future__ import annotations

import atexit
import ctypes
import gc
import runpy
import signal
import sys
import threading
import time

INTERVAL = 2.0
MB = 2**20


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _mallinfo():
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        return libc.mallinfo2
    except (OSError, AttributeError):  # not glibc, or glibc before 2.33
        return None


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    out = open(sys.argv[1], "w", buffering=1, encoding="utf-8")  # noqa: SIM115 - open until exit
    out.write("seconds rss_mb py_blocks full_collections malloc_in_use_mb malloc_free_mb\n")
    mallinfo = _mallinfo()
    started = time.monotonic()

    def line(note: str = "") -> None:
        heap = ""
        if mallinfo is not None:
            info = mallinfo()
            heap = f" {info.uordblks / MB:.1f} {info.fordblks / MB:.1f}"
        seconds = time.monotonic() - started
        full = gc.get_stats()[2]["collections"]
        out.write(f"{seconds:.1f} {_rss_mb():.1f} {sys.getallocatedblocks()} {full}{heap}{note}\n")

    def watch() -> None:
        while True:
            line()
            time.sleep(INTERVAL)

    def collected() -> None:
        found = gc.collect()
        line(f"  # after gc.collect() at exit: {found} unreachable objects found")

    threading.Thread(target=watch, daemon=True, name="memwatch").start()
    atexit.register(collected)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.argv = sys.argv[2:]
    if sys.argv[0] == "-m":
        sys.argv = [sys.argv[1], *sys.argv[2:]]
        runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
    else:
        runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
