"""Read a user's weights file into a flat ``{name: float32 tensor}`` — safely.

Two formats, no other code path:

- ``.safetensors`` (preferred): the header (8-byte little-endian length, then JSON naming
  each tensor's ``dtype``, ``shape`` and ``data_offsets``) is checked here before the
  ``safetensors`` library allocates anything, so a header that lies about sizes is refused
  without allocating.
- ``.pt`` / ``.pth``: only the zip archive that ``torch.save`` writes. Its member sizes
  (declared in the zip directory) are checked first — a zip bomb is refused before torch reads
  it — then ``torch.load(..., weights_only=True, mmap=False)``: torch's restricted unpickler,
  which builds tensors and plain containers and refuses every other global, so a pickle that
  would run code is refused without running it. Plain ``pickle`` is never used.

Then every value must be a dense floating tensor (float16 / bfloat16 / float32 / float64,
returned as float32), finite, 1- to 4-dimensional, with no more numbers than the largest weight
the classroom caps allow. Every refusal is a ``WeightsError`` carrying an i18n key (catalogs
``i18n/{en,zh}/weights_file.json``), so the app shows it with ``t(err.key, lang, **err.values)``.

Use (``lstm_viz.io.weights_infer`` reads the configuration)::

    sd = load_state_dict(upload.getvalue(), upload.name)  # {name: float32 tensor}
    prefix = rnn_prefixes(sd)[0]          # "" bare nn.LSTM, "lstm." …; ask when several
    config = infer_config(sd, prefix, nonlinearity)  # or check_against(sidebar_config, sd, prefix)
    module = build_module(config.replace(batch_first=..., dropout=...)).module
    module.load_state_dict(module_state(sd, prefix), strict=True)
"""

from __future__ import annotations

import io
import json
import math
import pickle
import re
import struct
import zipfile
from dataclasses import dataclass

import torch
from safetensors import SafetensorError
from safetensors.torch import load

from lstm_viz.core.caps import Caps
from lstm_viz.i18n import t

EXTENSIONS = (".safetensors", ".pt", ".pth")
FLOAT_DTYPES = {"F16": torch.float16, "BF16": torch.bfloat16, "F32": torch.float32,
                "F64": torch.float64}
"""safetensors dtype codes we accept, and the torch dtype each becomes on load."""
WRAPPERS = ("state_dict", "model_state_dict", "model")
"""Keys of common checkpoint dicts that hold the state_dict: ``{"state_dict": {...}, ...}``."""
NAME = re.compile(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*")
MAX_NAME = 200


class WeightsError(ValueError):
    """A weights file is refused. ``key`` is the i18n key, ``values`` fill its template;
    ``detail`` (English, for logs only) is the library's own message where there was one."""

    def __init__(self, key: str, detail: str = "", **values):
        self.key, self.values, self.detail = f"weights_file.{key}", values, detail
        super().__init__(self.message("en") + (f" [{detail}]" if detail else ""))

    def message(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.values)


@dataclass(frozen=True)
class Limits:
    """What one upload may hold; ``from_caps`` derives it from the classroom caps."""

    max_tensors: int = 256  # tensors in the file (an RNN has ≤ 5 per layer and direction)
    max_elements: int = 524_288  # numbers in one tensor: the largest weight the caps allow
    max_unpacked: int = 8_000_000  # bytes a .pt archive may unpack to, all members together
    max_pickle: int = 262_144  # bytes of the archive's data.pkl (≈ 1 KB per tensor)
    max_total: int = 1_000_000  # numbers in all tensors together (a float16 file of max_bytes)

    @classmethod
    def from_caps(cls, caps: Caps, max_bytes: int) -> Limits:
        # largest weight: weight_ih of layer > 0, bidirectional: (4*H_cell, 2*H_out) — or layer 0's
        widest = max(caps.max_input_size, 2 * caps.max_hidden_size, caps.max_embedding_dim)
        elements = 4 * caps.max_hidden_size * widest
        elements = max(elements, caps.max_vocab * caps.max_embedding_dim)
        return cls(max_elements=elements, max_unpacked=4 * max_bytes,
                   max_total=max(elements, max_bytes // 2))


def shape_text(shape) -> str:
    """``(80, 10)`` / ``(80,)`` / ``()``: a shape as students read it in PyTorch's errors."""
    return str(tuple(int(d) for d in shape))


def load_state_dict(data: bytes, filename: str, max_bytes: int = 2_000_000,
                    caps: Caps | None = None) -> dict[str, torch.Tensor]:
    """The tensors of a ``.safetensors`` / ``.pt`` / ``.pth`` file, as float32 CPU tensors.

    ``{"state_dict": {...}}`` / ``{"model": {...}}`` checkpoints are unwrapped. Raises
    ``WeightsError`` for anything else (see the module docstring).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    ext = next((e for e in EXTENSIONS if str(filename).lower().endswith(e)), None)
    if ext is None:
        raise WeightsError("extension", filename=str(filename)[-80:])
    if not data:
        raise WeightsError("empty")
    if len(data) > max_bytes:
        raise WeightsError("too_big", size=len(data), limit=max_bytes)
    limits = Limits.from_caps(caps or Caps(), max_bytes)
    if ext == ".safetensors":
        tensors = _read_safetensors(data, limits)
    else:
        tensors = _unwrap(_read_torch(data, limits))
    return _clean(tensors, limits)


def _read_safetensors(data: bytes, limits: Limits) -> dict:
    check_safetensors_header(data, limits)
    try:
        return load(data)
    except (SafetensorError, ValueError, RuntimeError) as err:  # checked above; belt and braces
        raise WeightsError("corrupt", detail=str(err)[:200], kind="safetensors") from None


def check_safetensors_header(data: bytes, limits: Limits) -> None:
    """Refuse a header that is not what ``data`` holds, before anything is allocated."""
    if len(data) < 8:
        raise WeightsError("truncated", expected=8, got=len(data))
    (size,) = struct.unpack("<Q", data[:8])
    if size > len(data) - 8:
        raise WeightsError("truncated", expected=8 + size, got=len(data))
    try:
        header = json.loads(data[8:8 + size].decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        if isinstance(err, WeightsError):
            raise
        raise WeightsError("header_json", detail=str(err)[:200]) from None
    if not isinstance(header, dict):
        raise WeightsError("header_json", detail=f"top level is {type(header).__name__}")
    header.pop("__metadata__", None)
    if len(header) > limits.max_tensors:
        raise WeightsError("too_many_tensors", count=len(header), limit=limits.max_tensors)
    spans = sorted(_header_span(name, entry, limits) for name, entry in header.items())
    available, position = len(data) - 8 - size, 0
    if spans and max(end for _, end, _ in spans) > available:
        raise WeightsError("truncated", expected=8 + size + max(e for _, e, _ in spans),
                           got=len(data))
    for begin, end, name in spans:
        if begin != position:
            raise WeightsError("layout", name=_show(name), begin=begin, end=end,
                               available=available)
        position = end
    if position != available:
        raise WeightsError("trailing", extra=available - position)


def _no_duplicates(pairs: list) -> dict:
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            raise WeightsError("duplicate_name", name=_show(name))
        seen.add(name)
    return dict(pairs)


def _header_span(name: str, entry: object, limits: Limits) -> tuple[int, int, str]:
    """``(begin, end, name)`` of one header entry after checking its dtype and shape."""
    _check_name(name)
    ok = isinstance(entry, dict) and isinstance(entry.get("dtype"), str) and _ints(
        entry.get("shape")) and _ints(entry.get("data_offsets")) and len(
        entry["data_offsets"]) == 2
    if not ok:
        raise WeightsError("header_entry", name=_show(name))
    dtype = FLOAT_DTYPES.get(entry["dtype"])
    if dtype is None:
        raise WeightsError("dtype", name=_show(name), dtype=entry["dtype"][:20])
    _check_shape(name, entry["shape"], limits)
    begin, end = entry["data_offsets"]
    needed = math.prod(entry["shape"]) * dtype.itemsize
    if not 0 <= begin <= end or end - begin != needed:
        raise WeightsError("offsets", name=_show(name), begin=begin, end=end,
                           shape=shape_text(entry["shape"]), dtype=entry["dtype"],
                           expected=needed)
    return begin, end, name


def _ints(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value)


def _read_torch(data: bytes, limits: Limits) -> object:
    """``torch.load(weights_only=True)`` of a ``torch.save`` zip, after checking the zip."""
    check_zip(data, limits)
    try:
        return torch.load(io.BytesIO(data), weights_only=True, map_location="cpu", mmap=False)
    except pickle.UnpicklingError as err:
        first = next((ln for ln in str(err).splitlines() if "Unsupported" in ln), "")
        if first:
            raise WeightsError("unsafe_pickle", detail=str(err)[:300],
                               what=first.strip()[:120]) from None
        raise WeightsError("corrupt", detail=str(err)[:300], kind="PyTorch") from None
    except Exception as err:  # torch raises many types for a damaged archive
        raise WeightsError("corrupt", detail=f"{type(err).__name__}: {str(err)[:300]}",
                           kind="PyTorch") from None


def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse anything but a modest ``torch.save`` archive, from the zip directory alone."""
    if not data.startswith(b"PK"):
        key = "pt_not_zip" if data[:1] == b"\x80" else "corrupt"  # \x80: a bare pickle
        raise WeightsError(key, kind="PyTorch")
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
        raise WeightsError("corrupt", detail=str(err)[:200], kind="PyTorch") from None
    if len(members) > limits.max_tensors + 16:
        raise WeightsError("zip_members", count=len(members), limit=limits.max_tensors + 16)
    if any(i.filename.endswith("constants.pkl") or "/code/" in i.filename for i in members):
        raise WeightsError("torchscript")  # torch.jit.save: holds code; torch.load would warn
    for info in members:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WeightsError("zip_method", member=_show(info.filename),
                               method=info.compress_type)
        if info.filename.endswith("data.pkl") and info.file_size > limits.max_pickle:
            raise WeightsError("zip_bomb", size=info.file_size, limit=limits.max_pickle)
    total = sum(info.file_size for info in members)
    if total > limits.max_unpacked:
        raise WeightsError("zip_bomb", size=total, limit=limits.max_unpacked)


def _unwrap(obj: object) -> dict:
    """The flat ``{name: tensor}`` of a ``torch.load`` result, unwrapping checkpoints."""
    if not isinstance(obj, dict):
        raise WeightsError("not_mapping", type=type(obj).__name__)
    if all(isinstance(v, torch.Tensor) for v in obj.values()):
        return obj
    inner = [k for k in WRAPPERS if isinstance(obj.get(k), dict)]
    if len(inner) > 1:
        raise WeightsError("wrapper", keys=", ".join(inner))
    obj = obj[inner[0]] if inner else obj
    for name, value in obj.items():
        if not isinstance(value, torch.Tensor):
            raise WeightsError("not_tensor", name=_show(name), type=type(value).__name__)
    return obj


def _clean(tensors: dict, limits: Limits) -> dict[str, torch.Tensor]:
    """Check every tensor before touching its numbers, then float32 copies, all finite."""
    if not tensors:
        raise WeightsError("no_tensors")
    if len(tensors) > limits.max_tensors:
        raise WeightsError("too_many_tensors", count=len(tensors), limit=limits.max_tensors)
    for name, tensor in tensors.items():
        _check_name(name)
        if (tensor.layout != torch.strided or tensor.is_quantized or tensor.is_meta
                or tensor.is_nested or type(tensor) not in (torch.Tensor, torch.nn.Parameter)):
            kind = ("quantized" if tensor.is_quantized else "nested" if tensor.is_nested
                    else str(tensor.layout).removeprefix("torch."))
            raise WeightsError("tensor_kind", name=_show(name), kind=kind)
        if tensor.dtype not in FLOAT_DTYPES.values():
            raise WeightsError("dtype", name=_show(name), dtype=str(tensor.dtype)[6:])
        _check_shape(name, list(tensor.shape), limits)
    total = sum(tensor.numel() for tensor in tensors.values())  # views may share one storage
    if total > limits.max_total:
        raise WeightsError("too_many_elements_total", count=total, limit=limits.max_total)
    out = {}
    for name, tensor in tensors.items():
        value = tensor.detach().to(device="cpu", dtype=torch.float32, copy=True).contiguous()
        nan, inf = int(value.isnan().sum()), int(value.isinf().sum())
        if nan or inf:
            raise WeightsError("not_finite", name=_show(name), nan=nan, inf=inf)
        out[name] = value
    return out


def _check_name(name: object) -> None:
    if not isinstance(name, str) or len(name) > MAX_NAME or not NAME.fullmatch(name):
        raise WeightsError("name", name=_show(name), limit=MAX_NAME)


def _check_shape(name: str, shape: list[int], limits: Limits) -> None:
    if not 1 <= len(shape) <= 4:
        raise WeightsError("rank", name=_show(name), shape=shape_text(shape[:8]))
    if any(d < 1 for d in shape):
        raise WeightsError("zero_dim", name=_show(name), shape=shape_text(shape))
    if any(d > limits.max_elements for d in shape) or math.prod(shape) > limits.max_elements:
        raise WeightsError("too_many_elements", name=_show(name), shape=shape_text(shape),
                           count=math.prod(shape), limit=limits.max_elements)


def _show(name: object) -> str:
    """A user-supplied name, quoted and cut short, safe to put into a message."""
    text = repr(name) if not isinstance(name, str) or not NAME.fullmatch(name) else name
    return text if len(text) <= 60 else text[:57] + "…"
