"""Weighted draws over long weight vectors, in blocks: one draw costs far less than a cumsum.

An outing picks its target among thousands of home cells in proportion to their weights.
A full cumulative sum (``np.cumsum``) is sequential and costs about 3.5 ns a cell; it was
the largest cost of a large city. Here the weights are summed per block of
:data:`BLOCK` cells (``np.add.reduceat``, vectorised), the block is drawn from the short
cumulative sum of block totals, and the cell from the cumulative sum within the block.
The draw is the same inverse-CDF draw from the same uniform number: it picks the same cell
as ``searchsorted(cumsum(w), u * sum(w), side="right")`` except when ``u * sum(w)`` lies
within rounding (about 1e-16 of the total) of a cell boundary.
"""

from __future__ import annotations

import numpy as np

#: Cells per block (a few hundred: the within-block cumsum stays short).
BLOCK = 256


class WeightedDraw:
    """Draws of an index with probability ``weights[i] / weights.sum()``, one uniform each."""

    def __init__(self, weights: np.ndarray):
        self.weights = weights
        n = weights.size
        if n <= BLOCK:
            self.starts = None
            self.cum = np.cumsum(weights)
        else:
            self.starts = np.arange(0, n, BLOCK)
            self.cum = np.cumsum(np.add.reduceat(weights, self.starts))

    def draw(self, u: float) -> int:
        """The index drawn by the uniform number ``u`` in [0, 1)."""
        cum = self.cum
        r = u * cum[-1]
        k = min(int(np.searchsorted(cum, r, side="right")), cum.size - 1)
        if self.starts is None:
            return k
        if k:
            r -= cum[k - 1]
        a = int(self.starts[k])
        inner = np.cumsum(self.weights[a:a + BLOCK])
        return a + min(int(np.searchsorted(inner, r, side="right")), inner.size - 1)
