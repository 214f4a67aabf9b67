"""Figures without pyplot (Agg canvas, no display) and atomic saving as PNG or SVG."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cablesim._atomic import atomic_write_bytes
from cablesim._errors import CablesimError, Problem

__all__ = ["new_figure", "save_figure", "figure_bytes", "FORMATS"]

FORMATS = {".png": "png", ".svg": "svg"}

BASE_FONT = {
    "font.size": 8.0,
    "font.family": "DejaVu Sans",
    "svg.fonttype": "path",
    "svg.hashsalt": "cablesim",
    "lines.scale_dashes": False,
}


def new_figure(figsize: tuple[float, float], dpi: float) -> Figure:
    """A matplotlib Figure on an Agg canvas (never a GUI window; no pyplot state)."""
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def figure_bytes(fig: Figure, fmt: str = "png", dpi: float | None = None) -> bytes:
    """The figure encoded as PNG or SVG bytes, at its own size (no cropping)."""
    buffer = io.BytesIO()
    metadata: dict[str, Any] = ({"Software": "cablesim"} if fmt == "png"
                                else {"Creator": "cablesim", "Date": None})
    fig.savefig(buffer, format=fmt, dpi=dpi or fig.dpi, metadata=metadata,
                facecolor=fig.get_facecolor())
    return buffer.getvalue()


def save_figure(fig: Figure, path: str | Path, dpi: float | None = None) -> Path:
    """Write ``fig`` to ``path`` as PNG or SVG (chosen by the suffix), atomically.

    The image is ``figsize x dpi`` pixels exactly (no tight cropping); ``dpi`` defaults to
    the figure's own.

    Raises
    ------
    CablesimError
        When the suffix is neither ``.png`` nor ``.svg``.
    """
    target = Path(path)
    fmt = FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise CablesimError("cannot save the figure", [Problem(
            str(target), None, None, f"unsupported image type {target.suffix or '(none)'!r}",
            "use a .png or .svg file name")])
    return atomic_write_bytes(target, figure_bytes(fig, fmt, dpi))
