"""Pure Plotly figure builders for the app's pages (no Streamlit here).

Every builder takes plain data (numpy arrays, token lists, the engine's dataclasses) and
keyword options, checks shapes first (ValueError naming expected vs got), and returns a
``go.Figure``. Every user-visible string (titles, axis titles, legend entries) is an
argument, so pages pass translated text; user text (tokens, sentences) is escaped with
``plain`` before it reaches a figure. Arrays go in as float32 (sent base64 by Streamlit);
NaN marks packed positions past a sentence's length and shows as a grey "pad" row.
"""

from lstm_viz.figures.bars import diff_bars, vector_bar
from lstm_viz.figures.data import sentence_states, sentence_steps, state_norms
from lstm_viz.figures.gates import gate_heatmap, gates_grid
from lstm_viz.figures.packing import packed_strip, padded_grid, sentence_colour, sorted_order
from lstm_viz.figures.states import hn_source_steps, output_assembly, states_grid
from lstm_viz.figures.style import KINDS, value_kinds
from lstm_viz.figures.text import plain
from lstm_viz.figures.unrolled import selection_to_cell, unrolled_grid

__all__ = [
    "KINDS", "diff_bars", "gate_heatmap", "gates_grid", "hn_source_steps", "output_assembly",
    "packed_strip", "padded_grid", "plain", "selection_to_cell", "sentence_colour",
    "sentence_states", "sentence_steps", "sorted_order", "state_norms", "states_grid",
    "unrolled_grid", "value_kinds", "vector_bar",
]
