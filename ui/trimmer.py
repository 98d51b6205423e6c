"""Give freed memory back to the system after a lesson: ``gc.collect()`` + glibc's
``malloc_trim(0)``, now and then, in one daemon thread per server process; and keep Python's
full garbage collections short.

When the trimmer starts (the process's first script run), everything alive then — torch,
Streamlit, Plotly, the app's modules: ~255 000 objects — is collected once and frozen
(``gc.freeze()``): no later collection walks them again. A full collection of them took
~160 ms holding the GIL, i.e. a stall for every session of the process whenever Python's
own collector (or this trimmer) ran one. Objects frozen are still freed by reference
counting; only cycles among them would stay (the process's start-up objects: none that
matter).

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


def freeze() -> int:
    """Collect, then move every object alive now out of the collector's way (once per
    process is enough: the start-up objects); how many are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def start_trimmer(seconds: float = 60.0) -> threading.Thread:
    """Start (once per process) a daemon thread that calls ``trim()`` every ``seconds``;
    the first time, ``freeze()`` the start-up objects first."""
    global _thread
    with _lock:
        if _thread is None:
            freeze()
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_every, args=(seconds, threading.Event()),
                                       name="lstm-viz-trim", daemon=True)
            _thread.start()
        return _thread
