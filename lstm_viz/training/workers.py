"""Where a training runs: a thread of the server process, or a worker process of its own.

Both run ``drive``: the ``Trainer`` step by step, reading commands between steps ("pause",
"resume", "step": on to the next snapshot while paused, "stop") and sending messages back
(``("meta", …)``, ``("snapshot", Snapshot)``, ``("end", status, detail)``).

- ``ThreadRunner``: one thread per training, commands through a ``queue.Queue``. Cheapest to
  start; the training shares the server's GIL with every student's page run.
- ``ProcessRunner``: up to ``size`` worker processes (a ``forkserver`` that imported torch
  once forks them), each at a lower CPU priority (``nice``), one training at a time, commands
  and messages over a pipe. The students' page runs keep the GIL and, when they need it, the
  CPU. ``measure/train_bench.py``/``measure/load.py`` compare the two (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import queue
import threading
import time
from collections.abc import Callable

import torch

from lstm_viz.training.loop import Trainer
from lstm_viz.training.settings import TrainSettings

log = logging.getLogger(__name__)
WORKER_NICE = 10  # a worker process yields the CPU to the server's page runs
Emit = Callable[[tuple], None]


def meta(trainer: Trainer) -> tuple:
    d = trainer.data
    return ("meta", {"steps_per_epoch": trainer.steps_per_epoch,
                     "total_steps": trainer.total_steps, "every": trainer.every,
                     "buckets": d.buckets, "probe": tuple(d.probe)})


def drive(settings: TrainSettings, poll: Callable[[bool], str | None], emit: Emit) -> None:
    """Train ``settings`` to the end, a stop or a divergence. ``poll(block)`` returns the next
    command (None: none waiting; ``block``: wait for one)."""
    try:
        trainer = Trainer(settings)
        emit(meta(trainer))
        emit(("snapshot", trainer.snapshot()))
        paused, steps = False, 0
        while not trainer.done:
            command = poll(paused and not steps)
            if command == "stop":
                emit(("end", "stopped", None))
                return
            if command in ("pause", "resume"):
                paused, steps = command == "pause", 0
            elif command == "step" and paused:
                steps += 1
            if paused and not steps:
                continue
            found = trainer.advance()
            if found is not None:
                emit(("snapshot", found))
                steps = max(0, steps - 1)
        if trainer.diverged is not None:
            emit(("end", "diverged", trainer.diverged))
        else:
            emit(("end", "finished", None))
    except Exception as err:  # a bug ends one training, never the server
        log.exception("training failed: %s", settings)
        emit(("end", "failed", f"{type(err).__name__}: {err}"[:300]))


class ThreadRunner:
    """Each training on a daemon thread of this process."""

    kind = "thread"

    def __init__(self, size: int):
        self.size = size
        self._inboxes: dict[int, queue.Queue] = {}

    def launch(self, job: int, settings: TrainSettings, emit: Emit) -> None:
        inbox: queue.Queue = queue.Queue()
        self._inboxes[job] = inbox

        def poll(block: bool) -> str | None:
            try:
                return inbox.get(block=block)
            except queue.Empty:
                return None

        def main() -> None:
            try:
                drive(settings, poll, emit)
            finally:
                self._inboxes.pop(job, None)

        threading.Thread(target=main, name=f"training-{job}", daemon=True).start()

    def send(self, job: int, command: str) -> None:
        inbox = self._inboxes.get(job)
        if inbox is not None:
            inbox.put(command)

    def close(self) -> None:
        for job in list(self._inboxes):
            self.send(job, "stop")


def _worker(conn, threads: int) -> None:
    """A worker process: trainings one after another, as the server sends them."""
    with contextlib.suppress(OSError):  # not allowed here: the server's priority, then
        os.nice(WORKER_NICE)
    torch.set_num_threads(threads)

    def poll(block: bool) -> str | None:
        if block or conn.poll():
            message = conn.recv()
            return message if isinstance(message, str) else None
        return None

    def emit(message: tuple) -> None:  # plain pickle: tensors as bytes, not shared memory
        conn.send_bytes(pickle.dumps(message))

    while True:
        try:
            job = conn.recv()
        except EOFError:  # the server is gone
            return
        if isinstance(job, tuple) and job[0] == "train":  # a command between trainings: none
            drive(job[1], poll, emit)


class _Worker:
    def __init__(self, ctx, threads: int):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, threads), daemon=True,
                                   name="lstm-viz-training")
        self.process.start()
        child.close()
        self.job: int | None = None  # the training it runs (RESERVED: about to)


RESERVED = -1


class ProcessRunner:
    """Trainings in up to ``size`` worker processes, started when first needed."""

    kind = "process"

    def __init__(self, size: int, threads: int | None = None):
        """``threads``: torch's intra-op threads in a worker (default: this process's, so that
        a worker computes the same bytes as a thread here)."""
        self.size, self.threads = size, threads
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["lstm_viz.training.workers"])
        self._workers: list[_Worker] = []
        self._starting = 0
        self._pending: dict[int, list[str]] = {}  # commands sent before a worker took the job
        self._lock = threading.Lock()  # the workers' list, their jobs, and every send

    def _reserve(self, wait: float = 5.0) -> _Worker:
        """An idle worker, or a new one (started outside the lock: it takes a while). The
        registry starts a training only when a place is free; ``wait`` covers a worker that
        is being replaced."""
        deadline = time.monotonic() + wait
        while True:
            with self._lock:
                self._workers = [w for w in self._workers if w.process.is_alive()]
                idle = [w for w in self._workers if w.job is None]
                if idle:
                    idle[0].job = RESERVED
                    return idle[0]
                if len(self._workers) + self._starting < self.size:
                    self._starting += 1
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("no idle training worker")
            time.sleep(0.05)
        try:
            worker = _Worker(self._ctx, self.threads or torch.get_num_threads())
        finally:
            with self._lock:
                self._starting -= 1
        with self._lock:
            worker.job = RESERVED
            self._workers.append(worker)
        return worker

    def launch(self, job: int, settings: TrainSettings, emit: Emit) -> None:
        """Start ``settings`` on a worker, from a thread of its own: the first worker takes
        seconds to start, and the caller holds the registry."""
        threading.Thread(target=self._run, args=(job, settings, emit), daemon=True,
                         name=f"training-{job}-reader").start()

    def _run(self, job: int, settings: TrainSettings, emit: Emit) -> None:
        """Send the training to a worker, then hand its messages to ``emit`` to the end. The
        worker is free again before its end is told: the registry starts the next at once."""
        worker = None
        try:
            worker = self._reserve()
            with self._lock:
                worker.job = job
                worker.conn.send(("train", settings))
                for command in self._pending.pop(job, []):
                    worker.conn.send(command)
            while True:
                message = pickle.loads(worker.conn.recv_bytes())
                if message[0] == "end":
                    self._release(job, worker)
                    emit(message)
                    return
                emit(message)
        except (EOFError, OSError, RuntimeError) as err:
            log.warning("training %s: worker lost: %r", job, err)
            if worker is not None:
                worker.process.kill()
            self._release(job, worker)
            emit(("end", "failed", f"the training worker stopped ({type(err).__name__})"))

    def _release(self, job: int, worker: _Worker | None) -> None:
        with self._lock:
            self._pending.pop(job, None)
            if worker is not None:
                worker.job = None

    def send(self, job: int, command: str) -> None:
        with self._lock:
            worker = next((w for w in self._workers if w.job == job), None)
            if worker is None:
                self._pending.setdefault(job, []).append(command)
            else:
                worker.conn.send(command)

    def close(self) -> None:
        with self._lock:
            for worker in self._workers:
                worker.process.kill()
            self._workers = []


def runner(kind: str, size: int) -> ThreadRunner | ProcessRunner:
    return ProcessRunner(size) if kind == "process" else ThreadRunner(size)
