"""How a ``PackedSequence`` lays a batch out, straight from torch's own utilities.

PyTorch's docstring example: sequences ``abc`` and ``x`` pack to ``data = axbc`` with
``batch_sizes = [2, 1, 1]``: step 0 holds the first token of every sentence still running
(longest first), step 1 the second token of those still running, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


@dataclass(frozen=True)
class PackedRow:
    """One row of ``packed.data``."""

    row: int  # index into packed.data
    t: int  # time step (token position)
    slot: int  # position in the length-sorted batch at this step
    sentence: int  # n: the sentence's index in the caller's batch
    token: str


@dataclass
class PackingLayout:
    """Everything needed to draw a PackedSequence and its round trip."""

    lengths: list[int]  # (N,) in the caller's order
    batch_sizes: list[int]  # (L,) sentences still running at each step
    sorted_indices: list[int]  # slot → sentence n (longest first)
    unsorted_indices: list[int]  # sentence n → slot
    rows: list[PackedRow]  # one per row of data: sum(lengths) rows
    data: torch.Tensor  # (sum(lengths), H_in)
    total_length: int | None  # what pad_packed_sequence was given
    roundtrip: torch.Tensor  # pad_packed_sequence(...)[0], (N, T, H_in) batch-major
    roundtrip_lengths: list[int]
    roundtrip_matches: bool  # round trip == padded input where tokens are real, 0 elsewhere


def _rows(batch_sizes: list[int], sorted_indices: list[int], tokens: list[list[str]]):
    rows, r = [], 0
    for t, size in enumerate(batch_sizes):
        for slot in range(size):
            n = sorted_indices[slot]
            rows.append(PackedRow(r, t, slot, n, tokens[n][t]))
            r += 1
    return rows


def packing_layout(padded: torch.Tensor, lengths: torch.Tensor, tokens: list[list[str]],
                   batch_first: bool, total_length: int | None = None) -> PackingLayout:
    """Pack ``padded`` ((L, N, H_in), or (N, L, H_in) if batch_first) and unpack it again.

    Uses ``pack_padded_sequence(enforce_sorted=False)``, so any order works; torch sorts
    by length and records ``sorted_indices`` / ``unsorted_indices``. ``total_length`` is
    passed to ``pad_packed_sequence`` (needed when a batch's longest sentence is shorter
    than the length the rest of the pipeline expects).
    """
    packed = pack_padded_sequence(padded.cpu(), lengths.cpu(), batch_first=batch_first,
                                  enforce_sorted=False)
    sizes = packed.batch_sizes.tolist()
    sorted_idx = packed.sorted_indices.tolist()
    back, back_lengths = pad_packed_sequence(packed, batch_first=True, total_length=total_length)
    x = padded.cpu() if batch_first else padded.cpu().transpose(0, 1)  # (N, L, H_in)
    real = torch.arange(x.shape[1])[None, :] < lengths.cpu()[:, None]  # (N, L)
    expected = torch.where(real[..., None], x, torch.zeros_like(x))
    width = min(expected.shape[1], back.shape[1])
    matches = bool(torch.equal(back[:, :width], expected[:, :width])) and bool(
        (back[:, width:] == 0).all())
    return PackingLayout(
        lengths=lengths.tolist(), batch_sizes=sizes, sorted_indices=sorted_idx,
        unsorted_indices=packed.unsorted_indices.tolist(),
        rows=_rows(sizes, sorted_idx, tokens), data=packed.data, total_length=total_length,
        roundtrip=back, roundtrip_lengths=back_lengths.tolist(), roundtrip_matches=matches,
    )


def enforce_sorted_error(padded: torch.Tensor, lengths: torch.Tensor,
                         batch_first: bool) -> str | None:
    """torch's own error for ``enforce_sorted=True`` on this batch, or None if it packs."""
    try:
        pack_padded_sequence(padded.cpu(), lengths.cpu(), batch_first=batch_first,
                             enforce_sorted=True)
    except RuntimeError as err:
        return str(err)
    return None
