"""The module Solara serves: light to import, so the server answers within a second or two.

The page itself (:mod:`sim.serve.app`: Mesa's SolaraViz, matplotlib, the model) is imported
at the first visit, or sooner by the server's warm-up once it listens.
"""

from __future__ import annotations

import solara


@solara.component
def Page():
    """The page of ``sim serve`` (see :func:`sim.serve.app.Page`)."""
    from sim.serve.app import Page as WijksimPage

    WijksimPage()
