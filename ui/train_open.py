""""Open this model": a cell of a stopped training, at the scrubbed snapshot, in Gates (as the
session's own weights, like an upload: ``upload:<sha256>``, the sidebar's Weights, the verified
badge) or in Memory (the training's cells instead of the three shipped models), or as a
``.safetensors`` file. Weights are kept at every epoch's end and for the newest snapshot
(``lstm_viz.training.snapshot.keeps_weights``): the section takes the latest at or before
the scrubbed one.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from lstm_viz.core.notice import Notice
from lstm_viz.explain import memory as mem
from lstm_viz.i18n import t
from lstm_viz.state.repair import make_valid
from lstm_viz.trained.pin import fixed_values
from lstm_viz.trained.tasks import TASKS
from lstm_viz.training import Run
from lstm_viz.training.export import as_weights, file_bytes, weights_name, with_weights
from ui import memory_page, state


def _label(run: Run, cell: str, epoch: float, lang: str) -> str:
    return t("train.open.label", lang, cell=cell, task=t(f"trained.task.{run.settings.task}",
                                                          lang), epoch=f"{epoch:.2f}")


def to_gates(run: Run, snapshot, cell: str, lang: str) -> None:
    """The cell's weights as the session's own, the sidebar set to read the task's sentences
    with them; then the Gates page."""
    task = TASKS[run.settings.task]
    weights, config = as_weights(cell, snapshot.cells[cell].weights, task)
    held = state.uploads()
    held.clear()  # one set of own weights per session, as for an upload
    held[weights.name] = (weights, config)
    st.session_state.setdefault("upload_names", {})[weights.name] = _label(
        run, cell, snapshot.epoch, lang)
    s = state.settings().set("weights", weights.name).set("mode", "sentences")
    s = s.set("tokens", task.tokens).set("sentences", "\n".join(task.examples))
    fixed = fixed_values(weights.name, "sentences", state.upload_configs(),
                         state.caps().max_embedding_dim) or {}
    for key, value in fixed.items():  # what the weights fix, set here: no notice to read
        s = s.set(key, value)
    notices: list[Notice] = []
    state.replace(make_valid(s, state.caps(), notices, state.upload_configs()), notices)
    st.switch_page("app_pages/gates.py")


def to_memory(run: Run, snapshot, lang: str) -> None:
    """Every cell of the training (memory task) on the Memory page, in place of the shipped."""
    models = tuple(mem.Model.of(weights_name(c.weights), cell, c.weights)
                   for cell, c in snapshot.cells.items())
    label = t("train.open.memory_label", lang, cells="/".join(snapshot.cells),
              epoch=f"{snapshot.epoch:.2f}")
    st.session_state[memory_page.HELD] = (label, models)
    st.switch_page("app_pages/memory.py")


def section(run: Run, snapshots: tuple, at: int, lang: str) -> None:
    """Pick a cell; open it in Gates, the training in Memory, or download it."""
    k = with_weights(snapshots, at)
    if k is None:
        st.caption(t("train.open.none", lang))
        return
    snapshot = snapshots[k]
    st.header(t("train.open.title", lang, epoch=f"{snapshot.epoch:.2f}"))
    if k != at:
        st.caption(t("train.open.earlier", lang, epoch=f"{snapshot.epoch:.2f}"))
    cells = list(snapshot.cells)
    cell = st.radio(t("train.open.cell", lang), cells, index=len(cells) - 1, horizontal=True,
                    key=f"train_open_cell_{run.job}")
    row = st.container(horizontal=True)
    if row.button(t("train.open.gates", lang), icon=":material/tune:", key="train_open_gates"):
        to_gates(run, snapshot, cell, lang)
    if run.settings.task == "memory" and row.button(
            t("train.open.memory", lang), icon=":material/history:", key="train_open_memory"):
        to_memory(run, snapshot, lang)
    row.download_button(
        t("train.open.download", lang), partial(file_bytes, snapshot.cells[cell].weights),
        file_name=f"lstm_viz_{run.settings.task}_{cell.lower()}_epoch{snapshot.epoch:.2f}"
                  ".safetensors", mime="application/octet-stream", on_click="ignore",
        key="train_open_download", icon=":material/download:",
        help=t("train.open.download.help", lang))
