"""Text that does not collide: every text of a figure, and labels placed around their points.

:func:`text_boxes` collects the rendered extent of every visible text of a figure — figure
texts, titles, axis labels, tick labels, legend entries and every text or annotation inside
the axes — and :func:`overlaps` lists the pairs that cross. :func:`place_labels` writes
short labels at their points and moves a label that would cover another (or a text already
in the axes) to the nearest free spot around its point, with a thin leader line back to it.
:func:`free_of` tells whether a new text stays clear of the others, so a figure can leave
out a label (and what it labels) rather than draw it over another.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

#: Texts drawn on top of another on purpose (a coloured glyph over its line of a key).
OVERLAY = "overlay"
#: Room kept around a placed label (pixels), so neighbours never read as one ("1402").
GAP_PX = 3.0
#: Pixels two extents may share before they count as overlapping (antialiasing, rounding).
SLACK_PX = 1.0


def _visible_texts(fig: Figure) -> Iterable[Text]:
    # tick labels exist for ticks outside the view too: only the drawn ones count
    drawn, ticks = set(), set()
    for ax in fig.axes:
        for axis in ax._axis_map.values():
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks.update({id(tick.label1), id(tick.label2)})
            if not (ax.axison and axis.get_visible()):
                continue
            for tick in axis._update_ticks():
                if tick.label1.get_visible():
                    drawn.add(id(tick.label1))
                if tick.label2.get_visible():
                    drawn.add(id(tick.label2))
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or t.get_gid() == OVERLAY:
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        if id(t) in ticks and id(t) not in drawn:
            continue
        yield t


def extent(t: Text, renderer) -> Bbox:
    """The rendered extent of the text itself (an annotation's arrow left out)."""
    if isinstance(t, Annotation):
        t.update_positions(renderer)
    return Text.get_window_extent(t, renderer)


def text_boxes(fig: Figure) -> list[tuple[Text, Bbox]]:
    """Every visible, non-empty text of ``fig`` with its rendered extent (display pixels)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    seen, out = set(), []
    for t in _visible_texts(fig):
        if id(t) in seen:
            continue
        seen.add(id(t))
        box = extent(t, renderer)
        if np.all(np.isfinite(box.get_points())) and box.width > 0 and box.height > 0:
            out.append((t, box))
    return out


def _cross(a: Bbox, b: Bbox, slack: float = SLACK_PX) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > slack
            and min(a.y1, b.y1) - max(a.y0, b.y0) > slack)


def overlaps(fig: Figure) -> list[tuple[str, str]]:
    """The pairs of texts of ``fig`` whose rendered extents cross, as their strings."""
    boxes = text_boxes(fig)
    out = []
    for i, (t, a) in enumerate(boxes):
        for u, b in boxes[i + 1:]:
            if _cross(a, b):
                out.append((t.get_text(), u.get_text()))
    return out


def free_of(text: Text, others: Iterable[Text]) -> bool:
    """Whether ``text`` (already added) stays clear of every other visible text given."""
    renderer = text.figure.canvas.get_renderer()
    box = extent(text, renderer)
    return not any(_cross(box, extent(o, renderer)) for o in others
                   if o is not text and o.get_visible() and o.get_text().strip())


#: Directions tried around a point, in order (right, left, up, down, then the diagonals).
_DIRECTIONS = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1)]


def place_labels(ax, points: list[tuple[float, float] | None], labels: list[str],
                 fontsize: float, **style) -> list[Text]:
    """Write ``labels`` at ``points`` (data coordinates) so that no two cover each other.

    Each label goes on its point when that spot is free; otherwise to the nearest free spot
    on rings of growing radius around it, with a thin leader line to the point. Labels are
    placed in order, so earlier ones keep their spot; texts already in the axes count too.
    Returns the texts (one per point that is not None).
    """
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    taken = [extent(t, renderer) for t in ax.texts
             if t.get_visible() and t.get_text().strip()]
    out = []
    for pt, text in zip(points, labels, strict=True):
        if pt is None:
            continue
        t = ax.annotate(text, pt, xytext=(0, 0), textcoords="offset points", ha="center",
                        va="center", fontsize=fontsize, **style)
        box = extent(t, renderer).padded(GAP_PX)
        step = max(box.width, box.height) * 0.75 * 72 / fig.dpi  # in points
        for radius in np.arange(1, 8) * step:
            if not any(_cross(box, b) for b in taken):
                break
            for dx, dy in _DIRECTIONS:
                norm = np.hypot(dx, dy)
                t.xyann = (dx / norm * radius, dy / norm * radius)
                box = extent(t, renderer).padded(GAP_PX)
                if not any(_cross(box, b) for b in taken):
                    break
        offset = tuple(t.xyann)
        if offset != (0, 0):  # moved: the same label again, with a leader line to its point
            t.remove()
            t = ax.annotate(text, pt, xytext=offset, textcoords="offset points", ha="center",
                            va="center", fontsize=fontsize, **style,
                            arrowprops={"arrowstyle": "-", "color": "#333333", "lw": 0.8,
                                        "shrinkA": 0, "shrinkB": 0})
        taken.append(box)
        out.append(t)
    return out
