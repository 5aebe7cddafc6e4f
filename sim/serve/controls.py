"""The live page's controls, in the page's language: scenario, upload, sliders, play.

Every slider's label shows its value and unit; the sliders and the seed apply when
"Toepassen" is pressed (the run starts again from 1 January). A scenario is a shipped one
(picked from a list) or the *content* of a file the visitor uploads
(:mod:`sim.serve.upload`): the page never takes a path on the server.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from sim.report.text import num
from sim.serve.levers import Lever
from sim.serve.live import Message
from sim.serve.text import t
from sim.serve.upload import MAX_UPLOAD_BYTES


def lever_label(lang: str, lever: Lever, value: float) -> str:
    """'Interventieteam: 4 fte': the lever's name, its value and unit."""
    decimals = 0 if float(value).is_integer() else 1
    return (f"{t(lang, lever.name)}: {num(value, lang, decimals)} "
            f"{t(lang, 'unit_' + lever.name)}")


@solara.component
def LeverSlider(lang: str, lever: Lever, value: float, on_value: Callable[[float], None]):
    """One slider, its label carrying its value and unit."""
    whole = lever.integer and float(lever.step).is_integer()
    kind = solara.SliderInt if whole else solara.SliderFloat
    cast = int if whole else float
    with solara.Div(classes=["wijksim-lever", f"wijksim-lever-{lever.name}"]):
        kind(lever_label(lang, lever, value), value=cast(value), min=cast(lever.lo),
             max=cast(lever.hi), step=cast(lever.step), on_value=on_value, thumb_label=False)


@solara.component
def ScenarioCard(lang: str, current: str, names: list[str], pick: Callable[[str], None],
                 upload: Callable[[str, bytes], None], error: Message | None):
    """Pick a shipped scenario, or upload a scenario file's content (dropped or pasted)."""
    pasted = solara.use_reactive("")
    options = names if current in names else [*names, current]
    with solara.Card(t(lang, "scenario_card"), classes=["wijksim-scenario"]):
        if error is not None:
            solara.Error(error.say(lang), classes=["wijksim-error"])
        solara.Select(label=t(lang, "scenario_pick"), value=current, values=options,
                      on_value=lambda name: pick(name) if name in names else None,
                      classes=["wijksim-picker"])
        solara.FileDrop(label=t(lang, "upload_drop"), lazy=True,  # read no more than needed
                        on_file=lambda f: upload(f["name"],
                                                 f["file_obj"].read(MAX_UPLOAD_BYTES + 1)))
        with solara.Div(classes=["wijksim-paste"]):
            solara.InputTextArea(t(lang, "upload_paste"), value=pasted, rows=3,
                                 continuous_update=True)
        solara.Button(t(lang, "upload_load"), classes=["wijksim-load"],
                      on_click=lambda: upload("geplakt.toml", pasted.value.encode("utf-8")),
                      disabled=not pasted.value.strip())


@solara.component
def LeverCard(lang: str, levers: dict[str, Lever], values: dict[str, float],
              set_value: Callable[[str, float], None], seed: solara.Reactive[str],
              pending: bool, apply: Callable[[], None]):
    """The capacity sliders, the seed and the apply button."""
    with solara.Card(classes=["wijksim-levers"]):
        for name, lever in levers.items():
            LeverSlider(lang, lever, values.get(name, lever.value),
                        lambda v, name=name: set_value(name, v))
        solara.InputText(t(lang, "seed"), value=seed, continuous_update=True,
                         classes=["wijksim-seed"])
        if pending:
            solara.Text(t(lang, "pending"), classes=["wijksim-pending"])
        solara.Button(t(lang, "apply"), on_click=apply, color="primary",
                      classes=["wijksim-apply"])


@solara.component
def PlayBar(lang: str, playing: solara.Reactive[bool], running: bool,
            step: Callable[[], None]):
    """Play or pause, and one week on."""
    with solara.Row(classes=["wijksim-play-bar"]):
        solara.Button(t(lang, "pause" if playing.value else "play"), color="primary",
                      on_click=lambda: playing.set(not playing.value), disabled=not running,
                      classes=["wijksim-play"])
        solara.Button(t(lang, "step"), on_click=step, disabled=playing.value or not running,
                      classes=["wijksim-step"])
