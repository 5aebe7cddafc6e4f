"""``sim serve``: the model live in the browser (a Dutch projector view), and meeting mode.

* :mod:`sim.serve.live` — a scenario and its reference run side by side, a week at a time
  (no Solara here: the logic the page shows, tested on its own);
* :mod:`sim.serve.levers` — the capacity sliders over a scenario;
* :mod:`sim.serve.council` — the Mesa model the page steps (one step, one week);
* :mod:`sim.serve.upload` — a scenario from an uploaded file's content (never a path);
* :mod:`sim.serve.views` — the live map, the wijk key, the totals and the monthly chart;
* :mod:`sim.serve.controls` — the page's controls (scenario, upload, sliders, play);
* :mod:`sim.serve.meeting` — a finished ``sim compare`` folder: summary first, then tables;
* :mod:`sim.serve.text` — the page's words in Dutch and English;
* :mod:`sim.serve.access` — the access token, the session cap, idle ends;
* :mod:`sim.serve.app` — the Solara page;
* :mod:`sim.serve.server` — what the page serves and the web server itself.
"""
