"""Which devices torch can run on here, and a safe choice among them."""

from __future__ import annotations

import functools
from typing import NamedTuple

import torch


class DeviceChoice(NamedTuple):
    device: torch.device
    fallback_reason: str | None  # None when the requested device was used


def available_devices() -> list[str]:
    """Device names torch actually sees: always "cpu", then "cuda"/"cuda:k", then "mps"."""
    return list(_devices())


@functools.cache
def _devices() -> tuple[str, ...]:
    """Asked once per process: the sidebar lists the devices on every rerun, and asking CUDA
    again each time showed in the server's profile."""
    names = ["cpu"]
    if torch.cuda.is_available():
        count = torch.cuda.device_count()
        names += ["cuda"] if count == 1 else [f"cuda:{k}" for k in range(count)]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        names.append("mps")
    return tuple(names)


def resolve_device(name: str | None) -> DeviceChoice:
    """The device called ``name`` if torch sees it, else cpu with the reason why."""
    name = (name or "cpu").strip().lower()
    seen = available_devices()
    if name in seen:
        return DeviceChoice(torch.device(name), None)
    if name == "cuda" and any(s.startswith("cuda:") for s in seen):
        return DeviceChoice(torch.device("cuda:0"), None)
    reason = f"device {name!r} is not available here (torch sees: {', '.join(seen)}); using cpu"
    return DeviceChoice(torch.device("cpu"), reason)
