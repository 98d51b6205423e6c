"""Give freed memory back to the system after a lesson: ``gc.collect()`` + glibc's
``malloc_trim(0)``, now and then, in one daemon thread per server process.

Without it a server's RSS stays near its peak after every session has closed (measured in
docs/PERFORMANCE.md, "Classroom load": 1.2–1.8 GB after 30 sessions, 435–656 MB once
trimmed): Python frees the runs of closed sessions, but glibc keeps the pages of its heaps.
Where the C library is not glibc (macOS, musl), only the ``gc.collect()`` part runs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading

_lock = threading.Lock()
_thread: threading.Thread | None = None


def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc
        return None


MALLOC_TRIM = _malloc_trim()


def trim() -> bool:
    """Collect reference cycles, then return free heap pages to the system; True if the C
    library could (glibc's ``malloc_trim``), False if only the collection ran."""
    gc.collect()
    if MALLOC_TRIM is None:
        return False
    MALLOC_TRIM(0)
    return True


def _every(seconds: float, stop: threading.Event) -> None:
    while not stop.wait(seconds):
        trim()


def start_trimmer(seconds: float = 60.0) -> threading.Thread:
    """Start (once per process) a daemon thread that calls ``trim()`` every ``seconds``."""
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_every, args=(seconds, threading.Event()),
                                       name="lstm-viz-trim", daemon=True)
            _thread.start()
        return _thread
