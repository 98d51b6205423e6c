"""The framework floor for measure/perf.py: the least a Streamlit page can do to show a chart.

One title and one Plotly heatmap of ``rows`` × ``cols`` cells, ``height`` px tall (query
string; default 8 × 64, 240 px), float32 values computed once per size and cached, drawn the
way lstm-viz draws its charts (``st.plotly_chart(width="stretch")``). A sidebar ``seed``
changes the values (a cheap shift of the cached array), so a sidebar change redraws a chart
of the same size. No torch.

    python -m streamlit run measure/perf_floor_app.py   # then open /?rows=384&cols=256&height=900
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

MAX_CELLS = 2_000_000


@st.cache_data(max_entries=8)
def base(rows: int, cols: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal((rows, cols)).astype(np.float32)


def size(name: str, default: int) -> int:
    raw = st.query_params.get(name, str(default))
    return max(1, int(raw)) if raw.isdigit() else default


st.set_page_config(page_title="floor", layout="wide")
rows, cols, height = size("rows", 8), size("cols", 64), size("height", 240)
rows = min(rows, MAX_CELLS // cols)
seed = st.sidebar.number_input("seed", min_value=0, max_value=10_000, value=0, step=1)
st.title("Framework floor")
z = np.roll(base(rows, cols), int(seed), axis=1)  # (rows, cols)
fig = go.Figure(go.Heatmap(z=z, colorscale="Viridis"))
fig.update_layout(title=f"{rows} × {cols} cells", height=min(height, 4000))
st.plotly_chart(fig, width="stretch", key="floor_chart", config={"displaylogo": False})
