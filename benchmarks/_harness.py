"""Timing helpers shared by the benchmark scripts (not part of the package)."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

__all__ = ["interleaved", "fmt_s"]


def interleaved(contenders: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median seconds of each contender, run round-robin with rotating order, so that a
    noisy machine affects them alike.

    As ``timeit`` does, the cyclic garbage collector is paused while a contender runs, so
    that one contender's garbage is not collected on another's clock. (No collection is
    forced in between: freeing memory then makes the next contender pay page faults to get it
    back, which a program calling cablesim in a loop would not.)
    """
    times: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    was_enabled = gc.isenabled()
    try:
        for r in range(repeats):
            for name in names[r % len(names):] + names[: r % len(names)]:
                gc.disable()
                t = time.perf_counter()
                contenders[name]()
                times[name].append(time.perf_counter() - t)
                if was_enabled:
                    gc.enable()
    finally:
        if was_enabled:
            gc.enable()
    return {name: statistics.median(v) for name, v in times.items()}


def fmt_s(seconds: float) -> str:
    """Seconds as a short human-readable string (s, ms or us)."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} us"
