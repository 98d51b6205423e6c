"""Pure Plotly figure builders for the app's pages (no Streamlit here).

Every builder takes plain data (numpy arrays, token lists, the engine's dataclasses) and
keyword options, checks shapes first (ValueError naming expected vs got), and comes in two
forms: ``gates_grid_spec(...)`` returns the figure as a plain dict (``lstm_viz.figures.spec``:
built without plotly.py's objects, cheap enough to build on every rerun, cached and sent by
``ui.charts``) and ``gates_grid(...)`` the same figure as a validated ``go.Figure``. Every
user-visible string (titles, axis titles, legend entries) is an argument, so pages pass
translated text; user text (tokens, sentences) is escaped with ``plain`` before it reaches
a figure. Arrays go in as float32 (sent base64); NaN marks packed positions past a
sentence's length and shows as a grey "pad" row.
"""

from lstm_viz.figures.bars import diff_bars, diff_bars_spec, vector_bar, vector_bar_spec
from lstm_viz.figures.data import sentence_states, sentence_steps, state_norms
from lstm_viz.figures.gates import gate_heatmap, gate_heatmap_spec, gates_grid, gates_grid_spec
from lstm_viz.figures.packing import (
    packed_strip,
    packed_strip_spec,
    padded_grid,
    padded_grid_spec,
    sentence_colour,
    sorted_order,
    sorted_order_spec,
)
from lstm_viz.figures.spec import frozen, thawed, to_figure, typed_arrays
from lstm_viz.figures.states import (
    hn_source_steps,
    output_assembly,
    output_assembly_spec,
    states_grid,
    states_grid_spec,
)
from lstm_viz.figures.style import KINDS, value_kinds
from lstm_viz.figures.text import plain
from lstm_viz.figures.unrolled import selection_to_cell, unrolled_grid, unrolled_grid_spec

__all__ = [
    "KINDS", "diff_bars", "diff_bars_spec", "frozen", "gate_heatmap", "gate_heatmap_spec",
    "gates_grid", "gates_grid_spec", "hn_source_steps", "output_assembly",
    "output_assembly_spec", "packed_strip", "packed_strip_spec", "padded_grid",
    "padded_grid_spec", "plain", "selection_to_cell", "sentence_colour", "sentence_states",
    "sentence_steps", "sorted_order", "sorted_order_spec", "state_norms", "states_grid",
    "states_grid_spec", "thawed", "to_figure", "typed_arrays", "unrolled_grid",
    "unrolled_grid_spec", "value_kinds", "vector_bar", "vector_bar_spec",
]
