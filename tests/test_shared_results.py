"""The cached run is one object for every session (``st.cache_resource``, no copy per hit):
no page may change it. Every page of a few presets runs (AppTest, in this process, so the
same cache) between two looks at the cached run: same object, same contents, bit for bit.

Figures are shared the same way (``ui.charts``) and cannot be changed at all: their specs
are frozen (tests/figures/test_specs.py::test_frozen_specs_refuse_changes_and_thaw_into_copies).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_utils import PAGES, open_app


def _look_at_the_cached_run():
    """An app script: the session's cached run (as every page gets it) → id and digest."""
    import dataclasses
    import hashlib

    import streamlit as st
    import torch

    from ui import run, state

    def feed(h, value) -> None:
        if isinstance(value, torch.Tensor):
            h.update(value.detach().cpu().contiguous().numpy().tobytes())
        elif isinstance(value, dict):
            for k in sorted(value, key=repr):
                h.update(repr(k).encode())
                feed(h, value[k])
        elif isinstance(value, list | tuple):
            for v in value:
                feed(h, v)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                h.update(f.name.encode())
                feed(h, getattr(value, f.name))
        elif hasattr(value, "_fields"):  # NamedTuple: PackedSequence
            feed(h, tuple(value))
        else:
            h.update(repr(value).encode())

    state.init()
    result = run.current_run()
    digest = hashlib.sha256()
    feed(digest, result)
    st.session_state.look = (id(result), digest.hexdigest())


def _look(preset: str) -> tuple[int, str]:
    at = AppTest.from_function(_look_at_the_cached_run, default_timeout=60)
    at.query_params["preset"] = preset
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state.look


@pytest.mark.parametrize("preset", ["official", "packing", "trained-brackets"])
def test_no_page_changes_the_shared_run(preset):
    before = _look(preset)
    for page in PAGES:
        at = open_app({"preset": preset}, page)
        assert not at.exception, (page, [e.value for e in at.exception])
        if page == "gates" and at.select_slider:  # another step: the worked math again
            step = at.select_slider(key="gates_t")
            step.set_value(len(step.options) - 1).run()
            assert not at.exception, [e.value for e in at.exception]
    assert _look(preset) == before
