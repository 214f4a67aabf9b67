"""Figures without pyplot (Agg canvas, no display) and atomic saving as PNG or SVG."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cablesim._atomic import atomic_write_bytes
from cablesim._errors import CablesimError, Problem, ScenarioError

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = ["new_figure", "save_figure", "figure_bytes", "figure_size", "FORMATS"]

FORMATS = {".png": "png", ".svg": "svg"}

BASE_FONT: dict[RcKeyType, Any] = {
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


def figure_size(width_px: int | None, height_px: int | None,
                dpi: float) -> tuple[float, float] | None:
    """Figure size in inches for an image of ``width_px`` x ``height_px`` pixels at ``dpi``
    (``None`` when neither is given: the picture takes its natural shape)."""
    if width_px is None and height_px is None:
        return None
    problems = [Problem(name, None, None, f"must be a whole number of pixels from 200 to "
                        f"20000, got {value!r}")
                for name, value in (("width_px", width_px), ("height_px", height_px))
                if value is not None and not (isinstance(value, int) and 200 <= value <= 20000)]
    if width_px is None or height_px is None:
        problems.append(Problem("width_px" if width_px is None else "height_px", None, None,
                                "give both width_px and height_px, or neither"))
    if problems:
        raise ScenarioError("bad image size", problems)
    assert width_px is not None and height_px is not None
    return width_px / dpi, height_px / dpi
