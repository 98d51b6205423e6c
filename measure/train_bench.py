"""Training: the engine against a bare PyTorch loop, and how long the LSTM takes to learn.

    python measure/train_bench.py                       # the defaults: memory, RNN/GRU/LSTM
    python measure/train_bench.py --epochs 4 --threads 1 2 --save

1. **Time per epoch**, side by side in one process, epoch by epoch in turn: the engine
   (``lstm_viz.training.Trainer``: the cells interleaved step by step, a snapshot every
   third of an epoch, weights copied) against ``BareLoop``, a plain PyTorch loop of the same
   models on the same batches (each cell its epoch alone, nothing measured), at the same
   torch thread count. Medians over ``--epochs`` epochs; target: engine ≤ 1.2× bare.
   Both train to the same bytes (tests/test_training.py checks it; here too, at the end).
   A third, the engine without snapshots, shows what the loop itself costs.
2. **Time until the LSTM is right at every distance** of the memory task (≥ 95 % of the
   held-out sentences in every distance column of a snapshot), training the defaults
   from scratch with snapshots, as the page does. Target: ≤ 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lstm_viz.trained.model import ToyModel
from lstm_viz.training import Trainer, TrainSettings
from lstm_viz.training.data import TaskData
from lstm_viz.training.history import first_learned
from measure import results

TARGET_RATIO, TARGET_LEARN_S = 1.2, 30.0


class BareLoop:
    """The recipe as a plain PyTorch loop, epoch by epoch, each cell alone: ``torch.manual_seed``,
    the model, the LSTM's forget-gate bias, the optimiser, then per epoch a ``randperm`` of the
    generator, words dropped to ``<unk>``, forward, loss, backward, clipping, step."""

    def __init__(self, settings: TrainSettings, data: TaskData | None = None):
        self.s, self.data = settings, data or TaskData.of(settings)
        self.models, self.opts, self.gens = {}, {}, {}
        task, s = self.data.task, settings
        for cell in s.cells:
            torch.manual_seed(s.seed)
            model = ToyModel(cell, len(task.vocab), s.embedding_dim, s.hidden_size,
                             len(task.classes), task.per_step)
            if cell == "LSTM" and s.forget_bias:
                with torch.no_grad():
                    model.rnn.bias_ih_l0[s.hidden_size: 2 * s.hidden_size] += s.forget_bias
            self.models[cell] = model.train()
            optimiser = torch.optim.Adam if s.optimizer == "Adam" else torch.optim.SGD
            self.opts[cell] = optimiser(model.parameters(), lr=s.lr)
            self.gens[cell] = torch.Generator().manual_seed(s.seed)

    def epoch(self) -> None:
        s, train = self.s, self.data.train
        for cell, model in self.models.items():
            gen, opt = self.gens[cell], self.opts[cell]
            for idx in torch.randperm(len(train), generator=gen).split(s.batch_size):
                x = train.ids[idx]
                if s.unk_rate:
                    drop = (torch.rand(x.shape, generator=gen) < s.unk_rate) & (x > 1)
                    x = torch.where(drop, torch.ones_like(x), x)
                logits = model(x, train.lengths[idx])[0]
                loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                                   train.labels[idx].reshape(-1),
                                                   ignore_index=-100)
                opt.zero_grad()
                loss.backward()
                if s.clip:
                    nn.utils.clip_grad_norm_(model.parameters(), s.clip)
                opt.step()


def engine_epoch(trainer: Trainer) -> None:
    end = trainer.step + trainer.steps_per_epoch
    while trainer.step < end and not trainer.done:
        trainer.advance()


def per_epoch(settings: TrainSettings, epochs: int) -> dict:
    """Median seconds per epoch of the engine and of the bare loop, in turn."""
    data = TaskData.of(settings)
    trainer, bare = Trainer(settings, data), BareLoop(settings, data)
    quiet = Trainer(settings, data, snapshots=False)  # the loop alone
    trainer.snapshot()  # the page's snapshot at step 0
    engine_s, bare_s, quiet_s = [], [], []
    for _ in range(epochs):
        for loop, times in ((lambda: engine_epoch(trainer), engine_s), (bare.epoch, bare_s),
                            (lambda: engine_epoch(quiet), quiet_s)):
            start = time.perf_counter()
            loop()
            times.append(time.perf_counter() - start)
    same = all(torch.equal(a, b) for cell, model in trainer.models().items()
               for a, b in zip(model.state_dict().values(),
                               bare.models[cell].state_dict().values(), strict=True))
    engine, plain = statistics.median(engine_s), statistics.median(bare_s)
    alone = statistics.median(quiet_s)
    return {"engine_s": round(engine, 3), "bare_s": round(plain, 3),
            "ratio": round(engine / plain, 3), "loop_s": round(alone, 3),
            "loop_ratio": round(alone / plain, 3), "same_bytes": same, "epochs": epochs,
            "snapshots_per_epoch": -(-trainer.steps_per_epoch // trainer.every)}


def until_learned(settings: TrainSettings, cell: str = "LSTM") -> dict:
    """Seconds (and epochs) from a fresh start until ``cell`` is right at every distance."""
    start = time.perf_counter()
    trainer, seen = Trainer(settings), []
    for snapshot in trainer.run():
        seen.append(snapshot)
        if first_learned(seen[-1:], cell) is not None:
            return {"seconds": round(time.perf_counter() - start, 2),
                    "epoch": round(snapshot.epoch, 2), "step": snapshot.step}
    return {"seconds": None, "epoch": None, "step": None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3, help="epochs timed per loop (default 3)")
    ap.add_argument("--threads", type=int, nargs="+", default=[1],
                    help="torch intra-op threads (default 1: the app's)")
    ap.add_argument("--no-learn", action="store_true", help="skip the time-to-learn run")
    results.add_save_option(ap, "train_bench")
    args = ap.parse_args(argv)
    load0, settings, rows = results.load_average(), TrainSettings(), []
    print(f"{'threads':>7} {'engine s':>9} {'bare s':>8} {'ratio':>6} {'target':>6}  "
          f"{'same bytes':>10}  {'learned at':>10} {'seconds':>8}")
    for threads in args.threads:
        torch.set_num_threads(threads)
        row = {"threads": threads, **per_epoch(settings, args.epochs)}
        if not args.no_learn:
            row["learn"] = until_learned(settings)
        rows.append(row)
        learn = row.get("learn", {})
        print(f"{threads:>7} {row['engine_s']:>9.3f} {row['bare_s']:>8.3f} "
              f"{row['ratio']:>5.2f}x {TARGET_RATIO:>5.1f}x  {row['same_bytes']!s:>10}  "
              f"{learn.get('epoch', '-')!s:>10} {learn.get('seconds', '-')!s:>8}", flush=True)
    if args.save:
        results.save(args.save, {"settings": vars(settings) | {"cells": list(settings.cells)},
                                 "target_ratio": TARGET_RATIO, "target_learn_s": TARGET_LEARN_S,
                                 "rows": rows},
                     results.script_argv(__file__, argv), load_at_start=load0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
