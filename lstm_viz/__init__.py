"""lstm-viz: see inside a real PyTorch nn.LSTM / nn.GRU / nn.RNN.

Pure Python + torch (no Streamlit). The public engine API is re-exported here from
``lstm_viz.core``; the subpackages, from the bottom up (``.importlinter`` keeps the order):

- ``core``: the RNN engine (config, module, input batch, trace, packing, shapes);
- ``i18n``: the en / zh text catalogs;
- ``trained``: the shipped toy models, their tasks and readable units;
- ``explain``: teaching views built from a Trace; ``figures``: Plotly figures of them;
- ``state``: presets, settings, the URL round trip, teacher settings, one run of the app;
- ``io``: weights files, downloads, static images, the reproduce-it script.
"""

from lstm_viz.core.build import Built, build_module, config_of, seeded_module
from lstm_viz.core.caps import Caps
from lstm_viz.core.cells import STEP_NAMES
from lstm_viz.core.config import CELLS, GATES, ConfigError, RNNConfig, validate
from lstm_viz.core.connectivity import connectivity, gradient_flow, gradient_flows
from lstm_viz.core.devices import available_devices, resolve_device
from lstm_viz.core.inputs import Batch, InputSpec, make_batch, pack
from lstm_viz.core.intervene import Clamp, intervene
from lstm_viz.core.tokens import PAD, Tokenised, tokenise, tokenise_batch
from lstm_viz.core.trace import TOLERANCE, Trace, trace

__all__ = [
    "CELLS", "GATES", "PAD", "STEP_NAMES", "TOLERANCE",
    "Batch", "Built", "Caps", "Clamp", "ConfigError", "InputSpec", "RNNConfig", "Tokenised",
    "Trace", "available_devices", "build_module", "config_of", "connectivity", "gradient_flow",
    "gradient_flows", "intervene", "make_batch", "pack", "resolve_device", "seeded_module",
    "tokenise", "tokenise_batch", "trace", "validate",
]
