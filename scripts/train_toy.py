"""Train the shipped toy models and write them to lstm_viz/trained/ (CPU, fixed seed).

    python scripts/train_toy.py                 # all nine: {sentiment, brackets, memory} x
                                                #           {LSTM, GRU, RNN}
    python scripts/train_toy.py --only brackets-lstm --out /tmp/models

For each model: ``<name>.safetensors`` (the whole state_dict: embedding, rnn, head) and
``<name>.json`` (config, vocabulary, task, accuracy, the outputs on the example sentences,
the readable unit found on the test set). Prints the accuracies. One torch thread, so a
rerun on the same torch version and CPU writes the same bytes. The training is the Train
page's loop (``lstm_viz.training.train_cell`` with ``TrainSettings.shipped(task)``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lstm_viz.core.config import RNNConfig
from lstm_viz.trained import MODELS
from lstm_viz.trained.model import HYPER, accuracy
from lstm_viz.trained.probe import accuracy_by_distance, find_readable, record
from lstm_viz.trained.tasks import TASKS, bracket_strings, make_data
from lstm_viz.training import TrainSettings, train_cell

ROOT = Path(__file__).resolve().parent.parent
SEED = 0


def long_strings(seed: int) -> list:
    """Brackets strings of 15-30 characters: longer than any seen in training."""
    data = bracket_strings(random.Random(seed + 1), 600, 30)
    return [(c, d) for c, d in data if len(c) > 14]


def _rounded(acc: dict) -> dict:
    return {k: _rounded(v) if isinstance(v, dict) else round(v, 4) for k, v in acc.items()}


def train_one(name: str) -> tuple[dict, dict]:
    task_name, cell = name.split("-")
    task, hyper = TASKS[task_name], HYPER[task_name]
    train_data, test_data = make_data(task, SEED)
    model = train_cell(TrainSettings.shipped(task_name), cell.upper())
    acc = {"train": accuracy(model, task, train_data), "test": accuracy(model, task, test_data)}
    if task.per_step:
        acc["test_long"] = accuracy(model, task, long_strings(SEED))
    if task.name == "memory":
        acc["by_distance"] = accuracy_by_distance(model, task, SEED + 2)
    cfg = RNNConfig(cell.upper(), hyper["embedding_dim"], hyper["hidden_size"])
    found = find_readable(model, task, test_data)
    meta = {"name": name, "task": task_name, "tokens": task.tokens, "per_step": task.per_step,
            "classes": list(task.classes), "config": asdict(cfg),
            "embedding_dim": hyper["embedding_dim"], "vocab": list(task.vocab),
            "seed": SEED, "hyper": hyper, "train_size": len(train_data),
            "test_size": len(test_data), "accuracy": _rounded(acc),
            "recorded": record(model, task),
            "readable": {k: f.as_dict() for k, f in found.items()},
            "torch": torch.__version__}
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    return meta, state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=MODELS, default=list(MODELS))
    parser.add_argument("--out", type=Path, default=ROOT / "lstm_viz" / "trained")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{'model':16} {'train':>7} {'test':>7} {'long':>7} {'s':>5}  readable")
    for name in args.only:
        start = time.perf_counter()
        meta, state = train_one(name)
        save_file(state, str(args.out / f"{name}.safetensors"), metadata={"name": name})
        text = json.dumps(meta, indent=1, ensure_ascii=False)
        (args.out / f"{name}.json").write_text(text + "\n", encoding="utf-8")
        acc, found = meta["accuracy"], meta["readable"]
        long = f"{acc['test_long']:7.1%}" if "test_long" in acc else f"{'-':>7}"
        print(f"{name:16} {acc['train']:7.1%} {acc['test']:7.1%} {long} "
              f"{time.perf_counter() - start:5.1f}  " + "; ".join(
                  f"{f['kind']}[{f['unit']}] {f['measure']} {f['score']:+.2f}"
                  for f in found.values()))
        if "by_distance" in acc:
            print(f"{'':16} by distance: " + "  ".join(
                f"{k} {v:.1%}" for k, v in acc["by_distance"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
