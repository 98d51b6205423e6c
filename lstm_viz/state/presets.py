"""Every worked example of the reference articles (``shared/seeds``) as a preset.

Sizes are exactly the articles'. Titles and descriptions live in the i18n catalogs under
``preset.<name>.title`` / ``preset.<name>.description``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_viz.core.config import RNNConfig
from lstm_viz.core.inputs import InputSpec
from lstm_viz.trained import config as trained_config
from lstm_viz.trained import examples
from lstm_viz.trained import info as trained_info


@dataclass(frozen=True)
class Preset:
    name: str
    source: str  # article file in shared/seeds ("" for a trained task of our own)
    config: RNNConfig
    spec: InputSpec
    expected: dict[str, tuple[int, ...]]  # shapes the article states
    weights: str = "random"  # or a trained model of lstm_viz.trained (its config, its input)


PETS = "i like dog\ni love coffee\ni hate milk\ni like music\ni hate you"


def trained(name: str, model: str, expected: dict, source: str = "") -> Preset:
    """A preset running trained model ``model`` on its task's example sentences, packed.

    ``source``: the article whose example it follows, if any ("" for a task of our own).
    """
    meta = trained_info(model)
    spec = InputSpec(mode="sentences", sentences=examples(model),
                     tokens=meta["tokens"], encoding="embedding",
                     embedding_dim=meta["embedding_dim"], packed=True)
    return Preset(name, source, trained_config(model), spec, expected, model)

PRESETS: dict[str, Preset] = {p.name: p for p in [
    Preset("official", "000_e4de1bffa0184104.txt",
           RNNConfig("LSTM", 10, 20, 2),
           InputSpec(mode="randn", seq_len=5, batch=3, h0="randn"),
           {"input": (5, 3, 10), "h_0": (2, 3, 20), "c_0": (2, 3, 20), "output": (5, 3, 20),
            "h_n": (2, 3, 20), "c_n": (2, 3, 20)}),
    Preset("pets", "001_06ac5ecc99ffb046.txt",
           RNNConfig("RNN", 9, 5),
           InputSpec(mode="sentences", sentences=PETS, tokens="word", encoding="onehot"),
           {"input": (3, 5, 9), "output": (3, 5, 5), "h_n": (1, 5, 5)}),
    Preset("rnn-bidirectional", "001_06ac5ecc99ffb046.txt",
           RNNConfig("RNN", 3, 5, 3, batch_first=True, bidirectional=True),
           InputSpec(mode="zeros", seq_len=1, batch=1, h0="randn"),
           {"input": (1, 1, 3), "h_0": (6, 1, 5), "output": (1, 1, 10), "h_n": (6, 1, 5)}),
    Preset("packing", "002_be0e6ad646ede4aa.txt",
           RNNConfig("LSTM", 2, 4, batch_first=True),
           InputSpec(mode="sentences", sentences="1 2 3\n6\n4 5", tokens="ids",
                     encoding="embedding", embedding_dim=2, num_embeddings=20, packed=True),
           {"input": (3, 3, 2), "output": (3, 3, 4), "h_n": (1, 3, 4), "c_n": (1, 3, 4)}),
    Preset("packing-total-length", "002_be0e6ad646ede4aa.txt",
           RNNConfig("LSTM", 2, 4, batch_first=True),
           InputSpec(mode="sentences", sentences="7 8\n9\n10", tokens="ids",
                     encoding="embedding", embedding_dim=2, num_embeddings=20, packed=True,
                     total_length=3),
           {"input": (3, 2, 2), "output": (3, 3, 4), "h_n": (1, 3, 4)}),  # after total_length=3
    Preset("batch-first", "003_bf3363282a6e85e3.txt",
           RNNConfig("LSTM", 2, 3, batch_first=True),
           InputSpec(mode="randn", seq_len=4, batch=5, h0="randn"),
           {"input": (5, 4, 2), "h_0": (1, 5, 3), "c_0": (1, 5, 3), "output": (5, 4, 3),
            "h_n": (1, 5, 3), "c_n": (1, 5, 3)}),
    Preset("stacked", "004_a2ae46874663fb5f.txt",
           RNNConfig("LSTM", 12, 10, 3, batch_first=True),
           InputSpec(mode="rand", seq_len=4, batch=2, h0="rand"),
           {"input": (2, 4, 12), "h_0": (3, 2, 10), "c_0": (3, 2, 10), "output": (2, 4, 10),
            "h_n": (3, 2, 10), "c_n": (3, 2, 10)}),
    trained("trained-sentiment", "sentiment-lstm",  # 6 sentences of at most 5 words, E = 8
            {"input": (5, 6, 8), "output": (5, 6, 8), "h_n": (1, 6, 8), "c_n": (1, 6, 8)},
            "001_06ac5ecc99ffb046.txt"),  # its "i like dog" sentences
    trained("trained-brackets", "brackets-lstm",  # 5 strings of at most 9 characters, E = 4
            {"input": (9, 5, 4), "output": (9, 5, 8), "h_n": (1, 5, 8), "c_n": (1, 5, 8)}),
]}

DEFAULT_PRESET = "official"
