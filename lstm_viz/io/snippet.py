"""A self-contained PyTorch script that rebuilds the app's module and input batch exactly.

The app's order of random draws (``lstm_viz.core.build.seeded_module``,
``lstm_viz.core.inputs.make_batch``)::

    torch.manual_seed(seed)        → nn.<cell>(...)                     (the weights)
    torch.manual_seed(seed + 1)    → nn.Embedding (if any) → input → h_0 → c_0

The script repeats it literally, so ``python lstm_viz_reproduce.py`` with only torch
installed prints the same shapes and the same numbers (sums) that the app shows. User text
(sentences, tokens) enters the script only through ``repr()``, so any text stays valid Python.
"""

from __future__ import annotations

from lstm_viz.core.config import RNNConfig, constructor_call
from lstm_viz.core.tokens import script_tokens_line, split_sentences, tokenise_batch
from lstm_viz.state.settings import Settings
from lstm_viz.trained.snippet import load_lines, sentence_lines

FILE_NAME = "lstm_viz_reproduce.py"
TOKENISE = {  # the tokenisation of lstm_viz.core.tokens.tokenise, as one line of the script
    "word": "tokens = [s.split() for s in sentences]",
    "char": "tokens = [[ch for ch in s if not ch.isspace()] for s in sentences]",
    "ids": "tokens = [[int(w) for w in s.split()] for s in sentences]",
}


def _header(settings: Settings, device: str) -> list[str]:
    lines = ['"""lstm-viz: the same module and input batch in plain PyTorch."""',
             "import torch", "from torch import nn"]
    if settings.spec.packed:
        lines.append("from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence")
    lines += ["", f"seed = {settings.spec.seed}"]
    if device != "cpu":
        lines.append(f"# The app ran on {device!r}; on the CPU the numbers agree to about 1e-5.")
    return lines


def _module(config: RNNConfig) -> list[str]:
    return ["torch.manual_seed(seed)  # the weights come from seed",
            f"rnn = {constructor_call(config)}",
            "rnn.eval()  # dropout off, as in the app", "",
            "torch.manual_seed(seed + 1)  # the batch, h_0 and c_0 come from seed + 1"]


def _sentences(settings: Settings) -> list[str]:
    spec = settings.spec
    sentences = split_sentences(spec.sentences)
    tok = tokenise_batch(sentences, spec.tokens, spec.num_embeddings)
    lines = [f"sentences = {sentences!r}",
             script_tokens_line(sentences, spec.tokens) or TOKENISE[spec.tokens]]
    if spec.tokens == "ids":
        lines.append(f"num_embeddings = {len(tok.vocab)}  # ids 0..{len(tok.vocab) - 1}; 0 = pad")
        index = "sentence"
    else:
        lines += [f"vocab = {tok.vocab!r}  # vocab[id]; id 0 is the pad token",
                  "index = {tok: k for k, tok in enumerate(vocab)}",
                  "num_embeddings = len(vocab)"]
        index = "[index[tok] for tok in sentence]"
    lines += ["lengths = torch.tensor([len(s) for s in tokens])  # (N,)",
              "ids = torch.zeros(len(tokens), int(lengths.max()), dtype=torch.int64)  # (N, L)",
              "for n, sentence in enumerate(tokens):",
              f"    ids[n, : len(sentence)] = torch.tensor({index}, dtype=torch.int64)"]
    if spec.encoding == "onehot":
        lines.append("x = nn.functional.one_hot(ids, num_embeddings)[..., 1:].float()"
                     "  # (N, L, V); pad → zero vector")
    else:
        lines += [f"embedding = nn.Embedding(num_embeddings, {spec.embedding_dim}, padding_idx=0)",
                  "with torch.no_grad():",
                  "    x = embedding(ids)  # (N, L, embedding_dim)"]
    return lines


def _random_input(settings: Settings) -> list[str]:
    spec, cfg = settings.spec, settings.config
    shape, layout = ("N, L, H_in", "(N, L, H_in)") if cfg.batch_first else ("L, N, H_in",
                                                                            "(L, N, H_in)")
    return [f"N, L, H_in = {spec.batch}, {spec.seq_len}, {cfg.input_size}",
            f"input = torch.{spec.mode}({shape})  # {layout}, as the articles draw it",
            "lengths = torch.full((N,), L)  # (N,)"]


def _layout_and_state(settings: Settings) -> list[str]:
    cfg, spec = settings.config, settings.spec
    layout = "(N, L, H_in)" if cfg.batch_first else "(L, N, H_in)"
    lines = []
    if spec.mode == "sentences":
        lines.append(f"input = x{'' if cfg.batch_first else '.transpose(0, 1)'}  # {layout}")
    if spec.h0 == "zeros":
        return [*lines, "hx = None  # h_0 (and c_0) are zeros"]
    rows, n = cfg.num_layers * cfg.D, "len(tokens)" if spec.mode == "sentences" else "N"
    lines.append(f"h_0 = torch.{spec.h0}({rows}, {n}, {cfg.H_out})  # (num_layers*D, N, H_out)")
    if cfg.cell != "LSTM":
        return [*lines, "hx = h_0"]
    return [*lines, f"c_0 = torch.{spec.h0}({rows}, {n}, {cfg.hidden_size})"
            "  # (num_layers*D, N, H_cell)", "hx = (h_0, c_0)"]


def _forward(settings: Settings) -> list[str]:
    cfg, spec = settings.config, settings.spec
    bf = cfg.batch_first
    lines = ["", "with torch.no_grad():"]
    if spec.packed:
        lines += [f"    packed = pack_padded_sequence(input, lengths, batch_first={bf}, "
                  f"enforce_sorted={spec.enforce_sorted})",
                  "    packed_output, state = rnn(packed, hx)",
                  f"    output, _ = pad_packed_sequence(packed_output, batch_first={bf}"
                  + (f", total_length={spec.total_length})" if spec.total_length else ")")]
    else:
        lines.append("    output, state = rnn(input, hx)")
    lines.append("h_n, c_n = state" if cfg.cell == "LSTM" else "h_n = state")
    return lines


def _report(settings: Settings) -> list[str]:
    cfg, spec = settings.config, settings.spec
    names = ["input"]
    if spec.h0 != "zeros":
        names += ["h_0", "c_0"] if cfg.cell == "LSTM" else ["h_0"]
    names += ["output", "h_n", "c_n"] if cfg.cell == "LSTM" else ["output", "h_n"]
    lines = ["", "", "def show(name, x):",
             '    print(f"{name:<24} {str(tuple(x.shape)):<16} '
             'sum={x.double().sum().item():+.10f}")', "", ""]
    lines += [f'show("{name}", {name})' for name in names]
    if spec.packed:
        lines.append('show("packed.data", packed.data)')
    lines += ["for name, p in rnn.named_parameters():", "    show(name, p)"]
    return lines


def reproduce_snippet(settings: Settings, device: str = "cpu") -> str:
    """The whole script for ``settings`` (valid Settings, as ``lstm_viz.state.pipeline.run`` takes).

    It prints one line per tensor: name, shape and the float64 sum of its values, for
    input, h_0/c_0 (when given), output (padded back with pad_packed_sequence for packed
    input), h_n, c_n and every parameter in ``named_parameters()`` order.
    """
    body = _sentences(settings) if settings.spec.mode == "sentences" else _random_input(settings)
    if settings.spec.mode == "sentences":  # a trained model reads with its own vocabulary
        body = sentence_lines(settings.weights, settings.spec.sentences) or body
    lines = [*_header(settings, device), *_module(settings.config),
             *load_lines(settings.weights), *body,
             *_layout_and_state(settings), *_forward(settings), *_report(settings)]
    return "\n".join(lines) + "\n"
