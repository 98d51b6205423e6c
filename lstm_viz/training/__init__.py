"""Training as something the app does: toy models trained live, side by side, shared by a class.

    from lstm_viz.training import TrainSettings, Trainer, repair
    settings, notices = repair(TrainSettings(cells=("RNN", "LSTM"), epochs=3))
    for snapshot in Trainer(settings).run():      # snapshot.cells["LSTM"].test_accuracy …
        ...

``settings`` (what to train, the caps, ``repair``), ``data`` (the task's sentences and the
probes), ``loop`` (the one training loop: ``Trainer``, ``train_cell``), ``snapshot`` (what is
measured, ``Snapshot``), ``workers`` (a thread or a process runs it), ``registry`` (one
training per settings per process: single-flight, a queue, a cap, a grace period). No
Streamlit: ``ui/train_*.py`` is the page's glue.
"""

from lstm_viz.training.loop import Diverged, Trainer, train_cell
from lstm_viz.training.registry import Registry, Run, settings_key, shared
from lstm_viz.training.settings import CELLS, LIMITS, TrainSettings, repair
from lstm_viz.training.snapshot import CellState, Snapshot

__all__ = ["CELLS", "LIMITS", "CellState", "Diverged", "Registry", "Run", "Snapshot",
           "TrainSettings", "Trainer", "repair", "settings_key", "shared", "train_cell"]
