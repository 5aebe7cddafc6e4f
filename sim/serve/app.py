"""The page of ``sim serve``: Wijksim's own Dutch projector view of a Mesa model.

Live mode: the map takes the left of the page (the wijken by name beneath it); the right
holds play, the running totals against the reference, the monthly chart and the controls
(:mod:`sim.serve.controls`). One step is one simulated week of both runs
(:class:`~sim.serve.council.CouncilModel`), played in a thread so the page stays
responsive. Each browser session is admitted by :mod:`sim.serve.access` (a cap, an idle
end). Meeting mode shows a finished comparison folder (:mod:`sim.serve.meeting`). Dutch by
default; the app bar switches to English. Mesa's SolaraViz is not used: its controls are
English and its grid leaves the map a third of the width.
"""

from __future__ import annotations

import io
import threading
import time
import uuid

import solara
from matplotlib.figure import Figure

from sim.model.clock import HOURS_PER_DAY
from sim.model.scenario import Scenario
from sim.serve.access import release_memory, sessions
from sim.serve.controls import LeverCard, PlayBar, ScenarioCard
from sim.serve.council import CouncilModel
from sim.serve.live import Message, choose, shipped_scenarios
from sim.serve.meeting import MeetingPage
from sim.serve.target import target_from_env
from sim.serve.text import t
from sim.serve.upload import scenario_from_upload
from sim.serve.views import map_figure, monthly_figure, totals_html, wijken_html

#: Pause between two steps while playing (s): room for the page's own events; a simulated
#: week then takes about 0.5 s.
PLAY_PAUSE_S = 0.25

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
.wijksim-map img { width: 100% !important; height: auto; }
.wijksim-chart img { width: 100% !important; height: auto; }
.wijksim-wijken { columns: 2; font-size: 16px; margin: 4px 0 0 8px; }
.wijksim-wijken li { break-inside: avoid; }
.wijksim-lever .v-label { font-size: 15px; color: #222 !important; }
.wijksim-notice { font-size: 22px; margin: 40px; }
.solara-file-drop { border: 2px dashed #999; padding: 10px; margin: 8px 0; font-size: 14px; }
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


# ---- live mode ------------------------------------------------------------------------------
def _session_key() -> str:
    """This browser session's key: Solara's kernel id (a random one outside a server)."""
    try:
        from solara.server import kernel_context

        return kernel_context.get_current_context().id
    except Exception:  # noqa: BLE001 — rendered outside a server (tests)
        return uuid.uuid4().hex


@solara.component
def Notice(text: str):
    """A page that only says something (a full server, an ended session)."""
    solara.Text(text, classes=["wijksim-notice"])


@solara.component
def LiveSession(initial: str):
    """A live page, if this session is admitted; it ends after the idle timeout."""
    key = solara.use_memo(_session_key, [])
    admitted = solara.use_memo(lambda: sessions().admit(key), [])
    held: dict[str, CouncilModel] = solara.use_memo(dict, [])
    ended = solara.use_reactive(False)
    language = lang.value

    def end() -> None:
        """Free the place and the memory, whatever else still refers to the page's state."""
        sessions().leave(key)
        model = held.pop("model", None)
        if model is not None:
            model.release()
        threading.Timer(1.0, release_memory).start()

    def hold(model: CouncilModel) -> None:
        old = held.get("model")
        if old is not None and old is not model:
            old.release()
        held["model"] = model

    def register() -> None:
        try:
            from solara.server import kernel_context

            kernel_context.get_current_context().on_close(end)
        except Exception:  # noqa: BLE001 — no server (tests)
            pass

    solara.use_effect(register, [])

    def watch(cancel: threading.Event) -> None:
        period = min(5.0, max(sessions().idle_s / 4, 0.2))
        while not cancel.wait(period):
            if sessions().idle(key):
                ended.set(True)  # the page shows why; the model goes
                end()
                return

    solara.use_thread(watch, dependencies=[admitted, ended.value])
    if not admitted:
        Notice(t(language, "full", limit=sessions().limit))
    elif ended.value:
        Notice(t(language, "ended", minutes=f"{sessions().idle_s / 60:g}"))
    else:
        LivePage(initial, touch=lambda: sessions().touch(key), hold=hold)


def _model(source: Scenario | Message, values: dict[str, float], seed: str) -> CouncilModel:
    return CouncilModel(source, seed=seed, **values)


@solara.component
def LivePage(initial: str, touch=lambda: None, hold=lambda model: None):  # noqa: ANN001
    """The live view: map, totals, chart and controls on one page.

    ``touch()`` is called on every use; ``hold(model)`` with every model the page shows (so
    the session can release it when it ends).
    """
    first = solara.use_memo(lambda: choose(initial), [])
    label = solara.use_reactive(initial if isinstance(first, Scenario) else initial)
    source = solara.use_reactive(first)
    seed = solara.use_reactive("42")
    model = solara.use_reactive(solara.use_memo(lambda: _model(first, {}, "42"), []))
    values = solara.use_reactive({k: lv.value for k, lv in model.value.levers.items()})
    error = solara.use_reactive(None)
    playing = solara.use_reactive(False)
    tick = solara.use_reactive(0)
    language = lang.value
    current = model.value
    hold(current)

    def start(new_source: Scenario | Message, new_label: str, lever_values: dict) -> None:
        touch()
        built = _model(new_source, lever_values, seed.value)
        if built.message is not None:
            error.set(built.message)  # shown once, in the controls; the old run stays
            return
        error.set(None)
        playing.set(False)
        source.set(new_source)
        label.set(new_label)
        model.set(built)
        values.set({k: lv.value if k not in lever_values else lever_values[k]
                    for k, lv in built.levers.items()})

    def pick(name: str) -> None:
        start(choose(name), name, {})

    def upload(filename: str, data: bytes) -> None:
        got = scenario_from_upload(filename, data)
        if isinstance(got, Message):
            touch()
            error.set(got)
            return
        start(got, t(language, "uploaded", name=got.name), {})

    def apply() -> None:
        start(source.value, label.value, dict(values.value))

    def set_value(name: str, value: float) -> None:
        touch()
        values.set({**values.value, name: value})

    def one_step() -> None:
        touch()
        model.value.step()
        tick.set(tick.value + 1)

    def play_loop() -> None:
        while playing.value and model.value.running:
            time.sleep(PLAY_PAUSE_S)
            if not playing.value or model.value.pair is None:
                break
            model.value.step()
            touch()
            tick.set(tick.value + 1)
        if playing.value:
            playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value, id(current)],
                        prefer_threaded=True)
    names = shipped_scenarios()
    pending = any(abs(values.value.get(k, lv.value) - lv.value) > 1e-9
                  for k, lv in current.levers.items()) if current.pair else False
    with solara.Columns([7, 5], classes=["wijksim-live"]):
        with solara.Column():
            if current.pair is None:
                solara.Error(f"{t(language, 'error_title')}: "
                             f"{(current.message or Message('error', '?')).say(language)}",
                             classes=["wijksim-error"])
            else:
                MapView(current, tick.value, language)
        with solara.Column():
            if current.pair is not None:
                PlayBar(language, playing, current.running, one_step)
                TotalsView(current, tick.value, language)
                MonthlyView(current, tick.value, language)
            ScenarioCard(language, label.value, names, pick, upload, error.value)
            if current.levers:
                LeverCard(language, current.levers, values.value, set_value, seed,
                          pending, apply)


@solara.component
def MapView(model: CouncilModel, tick: int, language: str):
    """The live map (see :func:`sim.serve.views.map_figure`) and the wijken by name."""
    del tick  # a new value redraws
    with solara.Div(classes=["wijksim-map"]):
        solara.Image(png(map_figure(model.pair, language)), width="100%")
    solara.HTML(tag="div", unsafe_innerHTML=wijken_html(model.pair, language),
                classes=["wijksim-wijken-box"])


@solara.component
def TotalsView(model: CouncilModel, tick: int, language: str):
    """Date, week and the running totals against the reference."""
    del tick
    solara.HTML(tag="div", unsafe_innerHTML=totals_html(model.pair, language,
                                                        model.pair.master_seed),
                classes=["wijksim-totals-box"])


@solara.component
def MonthlyView(model: CouncilModel, tick: int, language: str):
    """Woninginbraken per month, the scenario against the reference (redrawn monthly)."""
    del tick
    pair = model.pair
    months = pair.hours_done // (HOURS_PER_DAY * 28)
    data = solara.use_memo(lambda: png(monthly_figure(pair, language)),
                           [id(model), months, pair.done, language])
    with solara.Div(classes=["wijksim-chart"]):
        solara.Image(data, width="100%")


# ---- meeting mode ---------------------------------------------------------------------------
@solara.component
def Page():
    """The page: live mode, or meeting mode for a comparison folder."""
    target = target_from_env()
    solara.Style(CSS)
    solara.Title(t(lang.value, "meeting_title" if target.kind == "meeting" else "title"))
    with solara.AppBar():
        LanguageSwitch()
    solara.AppBarTitle(t(lang.value, "meeting_title" if target.kind == "meeting" else "title"))
    if target.kind == "meeting":
        MeetingPage(target.ref, lang.value)
    else:
        LiveSession(target.ref)
