"""The facts an answer follows from, and what a misconception believes instead.

``Facts`` holds the module's arguments (``RNNConfig``), the batch's N, L and lengths, and
how the batch was passed (packed, ``total_length``), plus a few *belief* switches that the
real module never has (``states_batch_first``, ``gates`` …): a misconception of
``misconceptions.json`` is a change of facts (``believe``), and its wrong answer is the
answer the same rules give under the changed facts.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from lstm_viz.core.config import RNNConfig

CONFIG_FIELDS = {f.name for f in fields(RNNConfig)}


@dataclass(frozen=True)
class Facts:
    config: RNNConfig
    N: int  # sentences in the batch
    L: int  # time steps of the padded batch (the longest sentence)
    lengths: tuple[int, ...]  # (N,) real tokens per sentence, in the caller's order
    packed: bool = False  # input passed as a PackedSequence
    total_length: int = 0  # pad_packed_sequence(total_length=…); 0 means None
    # Beliefs (the real module: these defaults).
    states_batch_first: bool = False  # h_0/c_0/h_n/c_n thought to follow batch_first
    direction_major: bool = False  # h_n rows thought ordered (direction, layer)
    c_follows_proj: bool = False  # c thought to be proj_size wide
    gates: int = 0  # gate blocks per weight (0: the cell's own: LSTM 4, GRU 3, RNN 1)
    transposed: bool = False  # weights thought stored (in, out)
    layer_input_is_h_in: bool = False  # layers above 0 thought to read H_in features
    output_width: int = 0  # output's last dimension (0: D*H_out)
    batch_sizes_are_lengths: bool = False  # batch_sizes thought to be the lengths
    one_based: bool = False  # time steps and units thought counted from 1
    trigger_kind: str = ""  # the value read for a trigger token ("": the asked one)
    label_from_trigger: bool = False  # the label unit thought to be the trigger unit
    at_trigger: bool = False  # a state thought to flip at the trigger token itself

    @property
    def full_lengths(self) -> tuple[int, ...]:
        """Every sentence as long as the padded batch: what a module reads unpacked."""
        return (self.L,) * self.N

    def value(self, name: str):
        """A fact by name (a Facts field, an RNNConfig field or a property)."""
        if name in CONFIG_FIELDS:
            return getattr(self.config, name)
        return getattr(self, name)


def believe(facts: Facts, belief: dict) -> Facts:
    """``facts`` changed as ``belief`` says: ``{"bidirectional": false}`` sets a value,
    ``{"N": "=L", "L": "=N"}`` copies another fact (read before any change)."""
    values = {k: facts.value(v[1:]) if isinstance(v, str) and v.startswith("=") else v
              for k, v in belief.items()}
    config = {k: v for k, v in values.items() if k in CONFIG_FIELDS}
    rest = {k: v for k, v in values.items() if k not in CONFIG_FIELDS}
    return replace(facts, config=replace(facts.config, **config), **rest)


def holds(facts: Facts, when: dict) -> bool:
    """Whether every fact named in ``when`` has the value given."""
    return all(facts.value(k) == v for k, v in when.items())
