"""The page of ``sim serve``: Mesa's SolaraViz with Wijksim's map, totals and chart.

Live mode: a sidebar card picks the scenario (shipped, or a file); SolaraViz's own cards
hold play, step and reset and the capacity sliders and seed (they apply on Reset, as in
any SolaraViz app); the main area shows the map, the running totals against the reference
and the monthly chart. One SolaraViz step is one simulated week of both runs
(:class:`~sim.serve.live.CouncilModel`); SolaraViz steps in a thread, so the page stays
responsive. Meeting mode shows a finished comparison folder. Dutch by default; the app
bar switches to English.
"""

from __future__ import annotations

import io
from pathlib import Path

import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.model.clock import HOURS_PER_DAY
from sim.report.text import tr
from sim.serve.live import CouncilModel, Lever, Message, shipped_scenarios
from sim.serve.meeting import Meeting, try_meeting
from sim.serve.target import target_from_env
from sim.serve.text import t
from sim.serve.views import map_figure, monthly_figure, totals_html

#: Pause between two steps while playing (ms): room for the page's own events; a simulated
#: week then takes about 0.5 s (Mesa's "Play Interval" slider changes it).
PLAY_INTERVAL_MS = 250

#: The page's language; one per browser session (Solara scopes reactive globals so).
lang = solara.reactive("nl")

CSS = """
.wijksim-totals { border-collapse: collapse; font-size: 16px; margin: 4px 0 8px 0; }
.wijksim-totals th, .wijksim-totals td { padding: 4px 10px; text-align: right;
  border-bottom: 1px solid #ddd; }
.wijksim-totals th[scope=row] { text-align: left; font-weight: normal; }
.wijksim-totals td.wijksim-total { font-weight: bold; }
.wijksim-status { font-size: 18px; font-weight: bold; margin-bottom: 6px; }
.wijksim-small { font-size: 12px; color: #555; }
.wijksim-key-table { border-collapse: collapse; font-size: 15px; margin: 8px 0 16px 0; }
.wijksim-key-table th, .wijksim-key-table td { padding: 4px 10px; border: 1px solid #ccc;
  vertical-align: top; text-align: right; }
.wijksim-key-table th:first-child, .wijksim-key-table td:first-child { text-align: left; }
.wijksim-key-table thead th { background: #f0f0f0; }
.wijksim-figure img { max-width: 1100px; width: 100%; }
.wijksim-settings { font-size: 14px; margin: 6px 0; }
/* SolaraViz lays components out in a grid of fixed-height cells: pictures fit their cell */
.wijksim-map img { height: 370px; width: auto !important; max-width: 100%;
  object-fit: contain; }
.wijksim-chart img { height: 300px; width: auto !important; max-width: 100%;
  object-fit: contain; }
"""


def png(fig: Figure) -> bytes:
    """A figure as PNG bytes (white margins trimmed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight", pad_inches=0.05)
    return buf.getvalue()


def toggle_language() -> None:
    """Switch between Dutch and English."""
    lang.value = "en" if lang.value == "nl" else "nl"


@solara.component
def LanguageSwitch():
    """The app-bar button naming the other language."""
    solara.Button(t(lang.value, "language"), on_click=toggle_language, text=True,
                  icon_name="mdi-translate", classes=["wijksim-lang"])


@solara.component
def ErrorBox(message: Message, title: str, hint: str):
    """A message in the page instead of a run."""
    with solara.Column(classes=["wijksim-error"]):
        solara.Error(f"{title}: {message.text}", icon=True)
        solara.Text(hint)


# ---- live mode ------------------------------------------------------------------------------
def _slider(lever: Lever, label: str) -> dict:
    kind = "SliderInt" if lever.integer and float(lever.step).is_integer() else "SliderFloat"
    cast = int if kind == "SliderInt" else float
    return {"type": kind, "label": label, "value": cast(lever.value), "min": cast(lever.lo),
            "max": cast(lever.hi), "step": cast(lever.step)}


def model_params(model: CouncilModel, language: str) -> dict:
    """SolaraViz's model parameters: the scenario (fixed), the sliders, the seed field."""
    params: dict = {"scenario_ref": model.scenario_ref}
    for name, lever in model.levers.items():
        params[name] = _slider(lever, t(language, name))
    params["seed"] = {"type": "InputText", "label": t(language, "seed"),
                      "value": model.seed_text}
    return params


def _no_model(model: CouncilModel, language: str) -> bool:
    """Show why there is no model (a bad scenario) and say so; False when there is one."""
    if model.pair is not None:
        return False
    ErrorBox(model.message or Message("error", "?"), t(language, "error_title"),
             t(language, "error_hint"))
    return True


@solara.component
def MapView(model: CouncilModel):
    """The live map (see :func:`sim.serve.views.map_figure`)."""
    update_counter.get()
    language = lang.value
    if _no_model(model, language):
        return
    with solara.Div(classes=["wijksim-map"]):
        solara.Image(png(map_figure(model.pair, language)), width="100%")


@solara.component
def TotalsView(model: CouncilModel):
    """Date, week and the running totals against the reference."""
    update_counter.get()
    language = lang.value
    if _no_model(model, language):
        return
    solara.HTML(tag="div", unsafe_innerHTML=totals_html(model.pair, language,
                                                        model.pair.master_seed),
                classes=["wijksim-totals-box"])


@solara.component
def MonthlyView(model: CouncilModel):
    """Woninginbraken per month, the scenario against the reference (redrawn monthly)."""
    update_counter.get()
    pair = model.pair
    months = -1 if pair is None else pair.hours_done // (HOURS_PER_DAY * 28)
    data = solara.use_memo(
        lambda: None if pair is None else png(monthly_figure(pair, lang.value)),
        [id(model), months, pair is not None and pair.done, lang.value])
    if data is not None:
        with solara.Div(classes=["wijksim-chart"]):
            solara.Image(data, width="100%")


def _is_file(ref: str) -> bool:
    return ref.endswith(".toml") or "/" in ref or ref.startswith(".")


@solara.component
def LivePage(initial: str):
    """SolaraViz on a :class:`CouncilModel`, with a scenario picker."""
    first = solara.use_memo(lambda: CouncilModel(initial), [])
    model = solara.use_reactive(first)
    generation = solara.use_reactive(0)
    file_text = solara.use_reactive(initial if _is_file(initial) else "")
    language = lang.value
    current = model.value

    def pick(ref: str) -> None:
        ref = (ref or "").strip()
        if not ref:
            return
        model.value = CouncilModel(ref, seed=current.seed_text)
        generation.value += 1  # a new SolaraViz: its sliders start at the scenario's values

    names = shipped_scenarios()
    options = names if current.scenario_ref in names else [*names, current.scenario_ref]
    with solara.AppBar():
        LanguageSwitch()
    with solara.Sidebar(), solara.Card(t(language, "scenario_card"),
                                       classes=["wijksim-scenario"]):
        solara.Select(label=t(language, "scenario_pick"), value=current.scenario_ref,
                      values=options, on_value=pick, classes=["wijksim-picker"])
        with solara.Row():
            solara.InputText(t(language, "scenario_file"), value=file_text,
                             continuous_update=True, classes=["wijksim-file"])
            solara.Button(t(language, "scenario_file_load"),
                          on_click=lambda: pick(file_text.value), classes=["wijksim-load"])
        if current.message is not None:
            solara.Error(current.message.text, classes=["wijksim-scenario-error"])
        solara.Text(t(language, "scenario_hint"), style="font-size: 12px; color: #555")
    SolaraViz(
        model,
        components=[(MapView, 0), (TotalsView, 0), (MonthlyView, 0)],
        model_params=model_params(current, language),
        name=t(language, "title"),
        play_interval=PLAY_INTERVAL_MS,
    ).key(f"wijksim-viz-{generation.value}")


# ---- meeting mode ---------------------------------------------------------------------------
@solara.component
def MeetingPage(folder: str):
    """A finished comparison: its key table and figures; nothing is simulated."""
    meeting = solara.use_memo(lambda: try_meeting(folder), [])
    language = lang.value

    def figures() -> list[tuple[str, bytes]]:  # drawn only for another language: a thread
        return meeting.figures(language) if isinstance(meeting, Meeting) else []

    drawn = solara.use_thread(figures, dependencies=[language])
    with solara.AppBar():
        LanguageSwitch()
    solara.AppBarTitle(t(language, "meeting_title"))
    if isinstance(meeting, Message):
        ErrorBox(meeting, t(language, "meeting_error"), "")
        return
    first, last = meeting.span()
    prov = meeting.comp["provenance"]
    with solara.Column(classes=["wijksim-meeting"], style="max-width: 1200px"):
        solara.Markdown(f"## {tr(language, 'h_table')}")
        solara.Text(t(language, "meeting_intro", command=prov.get("command", "sim compare"),
                      reps=prov["replications"], first=first, last=last))
        solara.HTML(tag="div", unsafe_innerHTML=meeting.table_html(language),
                    classes=["wijksim-table"])
        solara.Markdown(f"## {tr(language, 'h_figures')}")
        if drawn.state == solara.ResultState.FINISHED:
            for name, data in drawn.value or []:
                with solara.Div(classes=["wijksim-figure", f"wijksim-{name}"]):
                    solara.Image(data, width="100%")
        elif drawn.state == solara.ResultState.ERROR:
            solara.Error(f"{drawn.error}")
        else:
            solara.ProgressLinear(True)
        solara.Text(str(Path(folder)), style="font-size: 12px; color: #777")


@solara.component
def Page():
    """The page: live mode, or meeting mode for a comparison folder."""
    target = target_from_env()
    solara.Style(CSS)
    solara.Title(t(lang.value, "meeting_title" if target.kind == "meeting" else "title"))
    if target.kind == "meeting":
        MeetingPage(target.ref)
    else:
        LivePage(target.ref)
