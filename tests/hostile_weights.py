"""Hostile weights files, made here byte by byte, for ``tests/test_weights_file.py``.

Each maker returns ``(data, filename)``; ``HOSTILE`` maps a case name to its maker and the
``WeightsError`` key the loader must answer with. Makers that need a place on disk (the pickle
that would create a marker file) take ``tmp_path``.
"""

from __future__ import annotations

import io
import json
import pickle
import struct
import warnings
import zipfile
from collections import OrderedDict
from pathlib import Path

import torch
from safetensors.torch import save as st_save
from torch._utils import _rebuild_tensor_v2

GOOD = {"weight_ih_l0": torch.ones(8, 3), "weight_hh_l0": torch.ones(8, 2)}


class Exec:
    """Unpickling this runs ``exec(code)``: the classic pickle payload."""

    def __init__(self, code: str):
        self.code = code

    def __reduce__(self):
        return exec, (self.code,)


class Strided:
    """Pickles as a tensor of ``size``/``stride`` over ``base``'s storage (no copy on load)."""

    def __init__(self, base: torch.Tensor, size: tuple, stride: tuple):
        self.base, self.size, self.stride = base, size, stride

    def __reduce_ex__(self, protocol):
        return _rebuild_tensor_v2, (self.base._typed_storage(), 0, self.size, self.stride,
                                    False, OrderedDict())


def marker_code(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').close()"


def torch_bytes(obj, **kwargs) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf, **kwargs)
    return buf.getvalue()


def safetensors_raw(header: dict, body: bytes, header_size: int | None = None) -> bytes:
    """A .safetensors file from a header dict and data bytes; ``header_size`` can lie."""
    text = json.dumps(header).encode()
    size = len(text) if header_size is None else header_size
    return struct.pack("<Q", size) + text + body


def zip_with(members: dict[str, bytes], method=zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload, compress_type=method)
    return out.getvalue()


def pt_exec(tmp_path: Path) -> tuple[bytes, str]:
    """torch.save of a dict holding a code-running object: data.pkl asks for builtins.exec."""
    return torch_bytes({"w": Exec(marker_code(tmp_path / "pwned"))}), "evil.pt"


def pickle_exec(tmp_path: Path) -> tuple[bytes, str]:
    """A bare pickle (no zip) that runs code when unpickled, named .pth."""
    return pickle.dumps(Exec(marker_code(tmp_path / "pwned"))), "evil.pth"


def zip_bomb() -> bytes:
    """A torch.save archive plus one member that inflates to 24 MB from ~24 KB."""
    archive = zipfile.ZipFile(io.BytesIO(torch_bytes(GOOD)))
    members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["archive/data/bomb"] = b"\0" * 24_000_000
    return zip_with(members, zipfile.ZIP_DEFLATED)


def zip_lying_size() -> bytes:
    """GOOD's archive whose second storage inflates to 16 MB but declares its real size (< 100
    bytes): the zip directory is all ``check_zip`` reads, so only the reader can stop it."""
    archive = zipfile.ZipFile(io.BytesIO(torch_bytes(GOOD)))
    members = {info.filename: archive.read(info) for info in archive.infolist()}
    name = next(n for n in members if n.endswith("/data/1"))
    declared = len(members[name])
    members[name] += b"\0" * 16_000_000
    raw = bytearray(zip_with(members, zipfile.ZIP_DEFLATED))
    for signature, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # central, local
        start = raw.find(signature)
        while start >= 0:
            offset = 46 if signature == b"PK\x01\x02" else 30
            length = struct.unpack_from("<H", raw, start + offset - 18)[0]
            if raw[start + offset:start + offset + length] == name.encode():
                struct.pack_into("<I", raw, start + size_at, declared)
            start = raw.find(signature, start + 4)
    return bytes(raw)


def torchscript_bytes() -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():  # torch.jit.script is deprecated: still what users have
        warnings.simplefilter("ignore")
        torch.jit.save(torch.jit.script(torch.nn.LSTM(2, 3)), buf)
    return buf.getvalue()


def header(entries: dict) -> dict:
    return {name: {"dtype": d, "shape": s, "data_offsets": o} for name, (d, s, o) in
            entries.items()}


HOSTILE = {
    # name: (maker() -> (bytes, filename), expected key)
    "empty-safetensors": (lambda: (b"", "w.safetensors"), "empty"),
    "empty-pt": (lambda: (b"", "w.pt"), "empty"),
    "too-big": (lambda: (b"\0" * 2_000_001, "w.safetensors"), "too_big"),
    "extension": (lambda: (st_save(GOOD), "w.pkl"), "extension"),
    "no-extension": (lambda: (st_save(GOOD), "weights"), "extension"),
    "legacy-pickle-format": (lambda: (torch_bytes(GOOD, _use_new_zipfile_serialization=False),
                                      "w.pt"), "pt_not_zip"),
    "torchscript": (lambda: (torchscript_bytes(), "w.pt"), "torchscript"),
    "not-a-zip": (lambda: (b"hello, world", "w.pt"), "corrupt"),
    "truncated-pt": (lambda: (torch_bytes(GOOD)[:-100], "w.pt"), "corrupt"),
    "truncated-pt-half": (lambda: ((b := torch_bytes(GOOD))[: len(b) // 2], "w.pt"), "corrupt"),
    "truncated-safetensors-data": (lambda: (st_save(GOOD)[:-10], "w.safetensors"), "truncated"),
    "truncated-safetensors-header": (lambda: (st_save(GOOD)[:20], "w.safetensors"),
                                     "truncated"),
    "seven-bytes": (lambda: (b"\x10" * 7, "w.safetensors"), "truncated"),
    "header-size-2^60": (lambda: (safetensors_raw({}, b"", header_size=2**60), "w.safetensors"),
                         "truncated"),
    "header-not-json": (lambda: (struct.pack("<Q", 5) + b"{oops", "w.safetensors"),
                        "header_json"),
    "header-a-list": (lambda: (safetensors_raw([], b""), "w.safetensors"), "header_json"),
    "header-entry-no-dtype": (lambda: (safetensors_raw(
        {"w": {"shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4), "w.safetensors"),
        "header_entry"),
    "header-huge-shape": (lambda: (safetensors_raw(
        header({"w": ("F32", [100_000, 100_000], [0, 16])}), b"\0" * 16), "w.safetensors"),
        "too_many_elements"),
    "header-offsets-wrong-size": (lambda: (safetensors_raw(
        header({"w": ("F32", [2, 2], [0, 8])}), b"\0" * 8), "w.safetensors"), "offsets"),
    "header-offsets-negative": (lambda: (safetensors_raw(
        header({"w": ("F32", [2], [-8, 0])}), b"\0" * 8), "w.safetensors"), "offsets"),
    "header-offsets-past-end": (lambda: (safetensors_raw(
        header({"w": ("F32", [100, 100], [0, 40_000])}), b"\0" * 16), "w.safetensors"),
        "truncated"),
    "header-overlap": (lambda: (safetensors_raw(
        header({"a": ("F32", [4], [0, 16]), "b": ("F32", [4], [0, 16])}), b"\0" * 16),
        "w.safetensors"), "layout"),
    "header-trailing-bytes": (lambda: (st_save(GOOD) + b"\0" * 12, "w.safetensors"),
                              "trailing"),
    "header-duplicate-name": (lambda: (struct.pack("<Q", len(t := (
        b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
        b'"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}'))) + t + b"\0" * 8,
        "w.safetensors"), "duplicate_name"),
    "header-deep-json": (lambda: (struct.pack("<Q", 200_000) + b"[" * 100_000 + b"]" * 100_000,
                                  "w.safetensors"), "header_json"),
    "zip-bomb": (lambda: (zip_bomb(), "w.pt"), "zip_bomb"),
    "zip-many-members": (lambda: (zip_with({f"archive/data/{i}": b"" for i in range(2000)}),
                                  "w.pt"), "zip_members"),
    "zip-big-pickle": (lambda: (zip_with({"archive/data.pkl": b"N" * 1_000_000}), "w.pt"),
                       "zip_bomb"),
    "pt-expanded-1e9": (lambda: (torch_bytes({"w": Strided(torch.zeros(1), (10**9,), (0,))}),
                                 "w.pt"), "too_many_elements"),
    "pt-expanded-many": (lambda: (torch_bytes({f"w{i}": Strided(torch.zeros(1), (500_000,), (0,))
                                               for i in range(10)}), "w.pt"),
                         "too_many_elements_total"),
    "pt-needs-bigger-storage": (lambda: (torch_bytes({"w": Strided(
        torch.zeros(4), (10**5, 10**5), (10**5, 1))}), "w.pt"), "corrupt"),
    "int64-safetensors": (lambda: (st_save({"w": torch.arange(6)}), "w.safetensors"), "dtype"),
    "int32-pt": (lambda: (torch_bytes({"w": torch.arange(6, dtype=torch.int32)}), "w.pt"),
                 "dtype"),
    "bool-pt": (lambda: (torch_bytes({"w": torch.ones(3, dtype=torch.bool)}), "w.pt"), "dtype"),
    "complex-pt": (lambda: (torch_bytes({"w": torch.ones(3, dtype=torch.complex64)}), "w.pt"),
                   "dtype"),
    "uint8-safetensors": (lambda: (st_save({"w": torch.ones(3, dtype=torch.uint8)}),
                                   "w.safetensors"), "dtype"),
    "nan-safetensors": (lambda: (st_save({"w": torch.tensor([1.0, float("nan")])}),
                                 "w.safetensors"), "not_finite"),
    "inf-pt": (lambda: (torch_bytes({"w": torch.tensor([float("-inf"), 1.0])}), "w.pt"),
               "not_finite"),
    "float64-overflows-float32": (lambda: (st_save({"w": torch.tensor([1e300],
                                                                     dtype=torch.float64)}),
                                           "w.safetensors"), "not_finite"),
    "list-payload": (lambda: (torch_bytes([torch.ones(2)]), "w.pt"), "not_mapping"),
    "str-payload": (lambda: (torch_bytes("hello"), "w.pt"), "not_mapping"),
    "tensor-payload": (lambda: (torch_bytes(torch.ones(2)), "w.pt"), "not_mapping"),
    "nested-dict": (lambda: (torch_bytes({"w": {"inner": torch.ones(2)}}), "w.pt"),
                    "not_tensor"),
    "int-value": (lambda: (torch_bytes({"w": 3}), "w.pt"), "not_tensor"),
    "two-wrappers": (lambda: (torch_bytes({"state_dict": GOOD, "model": GOOD}), "w.pt"),
                     "wrapper"),
    "wrapper-with-junk": (lambda: (torch_bytes({"state_dict": {"w": [1, 2]}}), "w.pt"),
                          "not_tensor"),
    "non-str-name": (lambda: (torch_bytes({1: torch.ones(2)}), "w.pt"), "name"),
    "name-with-space": (lambda: (st_save({"weight ih": torch.ones(2)}), "w.safetensors"),
                        "name"),
    "name-control-char": (lambda: (st_save({"w\x00\u202e": torch.ones(2)}), "w.safetensors"),
                          "name"),
    "name-empty": (lambda: (torch_bytes({"": torch.ones(2)}), "w.pt"), "name"),
    "name-double-dot": (lambda: (torch_bytes({"lstm..weight_ih_l0": torch.ones(2)}), "w.pt"),
                        "name"),
    "name-too-long": (lambda: (st_save({"a" * 300: torch.ones(2)}), "w.safetensors"), "name"),
    "zero-dim-pt": (lambda: (torch_bytes({"w": torch.tensor(1.0)}), "w.pt"), "rank"),
    "zero-dim-safetensors": (lambda: (st_save({"w": torch.tensor(1.0)}), "w.safetensors"),
                             "rank"),
    "five-dims": (lambda: (st_save({"w": torch.ones(1, 1, 1, 1, 2)}), "w.safetensors"), "rank"),
    "zero-size-dim": (lambda: (torch_bytes({"w": torch.ones(0, 3)}), "w.pt"), "zero_dim"),
    "zero-size-dim-safetensors": (lambda: (st_save({"w": torch.ones(3, 0)}), "w.safetensors"),
                                  "zero_dim"),
    "sparse": (lambda: (torch_bytes({"w": torch.eye(3).to_sparse()}), "w.pt"), "tensor_kind"),
    "no-tensors-safetensors": (lambda: (st_save({}), "w.safetensors"), "no_tensors"),
    "no-tensors-pt": (lambda: (torch_bytes({}), "w.pt"), "no_tensors"),
    "too-many-tensors": (lambda: (st_save({f"w{i}": torch.ones(1) for i in range(300)}),
                                  "w.safetensors"), "too_many_tensors"),
    "too-many-tensors-pt": (lambda: (torch_bytes({f"w{i}": torch.ones(1) for i in range(300)}),
                                     "w.pt"), "zip_members"),
}
