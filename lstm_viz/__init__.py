"""lstm-viz: see inside a real PyTorch nn.LSTM / nn.GRU / nn.RNN.

Pure Python + torch (no Streamlit): configuration, input batches, the trace of every
gate, packing layouts, shape contracts, claim checks and presets.
"""

from lstm_viz.build import Built, build_module, config_of, seeded_module
from lstm_viz.caps import Caps
from lstm_viz.cells import STEP_NAMES
from lstm_viz.config import CELLS, GATES, ConfigError, RNNConfig, validate
from lstm_viz.devices import available_devices, resolve_device
from lstm_viz.inputs import Batch, InputSpec, make_batch, pack
from lstm_viz.tokens import PAD, Tokenised, tokenise, tokenise_batch
from lstm_viz.trace import TOLERANCE, Trace, trace

__all__ = [
    "CELLS", "GATES", "PAD", "STEP_NAMES", "TOLERANCE",
    "Batch", "Built", "Caps", "ConfigError", "InputSpec", "RNNConfig", "Tokenised", "Trace",
    "available_devices", "build_module", "config_of", "make_batch", "pack", "resolve_device",
    "seeded_module", "tokenise", "tokenise_batch", "trace", "validate",
]
