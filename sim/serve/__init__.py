"""``sim serve``: the model live in the browser (a Mesa SolaraViz app), and meeting mode.

* :mod:`sim.serve.live` — a scenario and its reference run side by side, a week at a time
  (no Solara here: the logic the page shows, tested on its own);
* :mod:`sim.serve.views` — the live map and the monthly chart (matplotlib figures);
* :mod:`sim.serve.meeting` — a finished ``sim compare`` folder: its key table and figures;
* :mod:`sim.serve.text` — the page's words in Dutch and English;
* :mod:`sim.serve.app` — the Solara page (``SolaraViz`` with Wijksim's components);
* :mod:`sim.serve.server` — what the page serves and the web server itself.
"""
