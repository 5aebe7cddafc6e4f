"""sim serve without a browser: the paired run, the levers, messages instead of exceptions."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest
from conftest import invoke_cli
from matplotlib.backends.backend_agg import FigureCanvasAgg

from sim.core.errors import UserError
from sim.model.scenario import load_scenario
from sim.runs.runner import RunSpec, execute
from sim.serve.council import CouncilModel
from sim.serve.levers import apply_levers, levers_of
from sim.serve.live import (
    HOURS_PER_STEP,
    Message,
    PairedRun,
    Totals,
    choose,
    parse_seed,
    prevented_interval,
    reference_for,
    shipped_scenarios,
)
from sim.serve.target import Target, resolve_target, target_from_env
from sim.serve.views import map_figure, monthly_figure, totals_html

SHORT = {"years": 0.5, "burn_in_years": 1}


def short(name: str, **over):
    return load_scenario(name).with_overrides({**SHORT, **over})


def test_paired_totals_equal_plain_runs_with_the_same_seed():
    sc = short("interventieteam")
    ref = reference_for(sc)
    pair = PairedRun(sc, ref, master_seed=7)
    assert pair.totals().woninginbraken == 0  # the burn-in is not counted
    while not pair.done:
        pair.advance(HOURS_PER_STEP)
    tot = pair.totals()
    plain = execute(RunSpec(sc, 7, 0)).output  # what `sim run --seed 7` runs
    plain_ref = execute(RunSpec(ref, 7, 0)).output
    assert tot.woninginbraken == int(plain.attempts.sum())
    assert tot.completed == int(plain.completed.sum())
    assert tot.arrests == int(plain.arrests.sum() + plain.offender_arrests.sum())
    assert tot.reference_woninginbraken == int(plain_ref.attempts.sum())
    assert tot.reference_arrests == int(plain_ref.arrests.sum() + plain_ref.offender_arrests.sum())
    assert tot.prevented == tot.reference_woninginbraken - tot.woninginbraken
    assert tot.days == plain.days
    months = pair.monthly()
    assert sum(v for v in months["scenario"] if v is not None) == tot.woninginbraken
    # the team's cost over half a year: 4 FTE x 1,406 h x €80, pro rata
    assert tot.cost_eur == pytest.approx(4 * 1406 * 80 * 0.5, rel=1e-3)


def test_the_council_model_steps_a_week_and_matches_sim_run():
    m = CouncilModel(short("baseline"), seed=3)
    assert m.message is None and m.running
    t0 = time.perf_counter()
    m.step()
    assert time.perf_counter() - t0 < 1.0  # a simulated week of both runs
    assert m.pair.hours_done == HOURS_PER_STEP
    while m.running:
        m.step()
    plain = execute(RunSpec(short("baseline"), 3, 0)).output
    assert m.pair.totals().woninginbraken == int(plain.attempts.sum())
    assert m.pair.totals().prevented == 0  # baseline against itself, same seed


@pytest.mark.parametrize("content", [
    "this is = = not toml",
    "[boa]\nburglary_patrol_share = 7\n",
    "[boa]\nburglary_patrol_shares = 0.2\n",
    "extends = \"nonexistent\"\n",
])
def test_a_bad_scenario_file_gives_a_message_not_an_exception(tmp_path, content):
    p = tmp_path / "bad.toml"
    p.write_text(content, encoding="utf-8")
    got = choose(str(p))
    assert isinstance(got, Message) and got.kind == "error"
    assert "bad.toml" in got.text
    m = CouncilModel(got)
    assert m.message == got and m.pair is None and not m.running
    m.step()  # stepping a failed model does nothing
    assert not m.running


def test_missing_binary_and_folder_scenarios_give_messages(tmp_path):
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\x00\x01\x02")
    for ref in (str(tmp_path / "missing.toml"), str(binary), str(tmp_path), "nonexistent",
                "../etc/passwd"):
        got = choose(ref)
        assert isinstance(got, Message), ref
    base = short("baseline")
    assert "geheel getal" in CouncilModel(base, seed="abc").message.say("nl")
    assert "not a whole number" in CouncilModel(base, seed="abc").message.say("en")
    assert "out of range" in CouncilModel(base, seed=-1).message.say("en")


def test_levers_start_at_the_scenario_and_change_it_only_when_moved():
    sc = load_scenario("interventieteam")
    levers = levers_of(sc)
    assert levers["team_fte"].value == 4
    assert levers["team_years"].value == 4
    assert levers["wijkagenten_fte"].value == 14
    assert levers["boa_patrol_hours"].value == 6300  # 30 FTE x 1,406 h x 15%, on a 100 h step
    untouched = {k: lv.value for k, lv in levers.items()}
    assert apply_levers(sc, untouched) is sc  # the scenario's own (unrounded) values stay
    moved = apply_levers(sc, {**untouched, "team_fte": 6, "team_years": 2,
                              "boa_patrol_hours": 8436, "regisseurs_per_gebied": 1,
                              "wijkagenten_fte": 19})
    assert moved.interventieteam.fte == 6
    assert (moved.interventieteam.first_year, moved.interventieteam.last_year) == (2024, 2025)
    assert moved.boa.burglary_patrol_share == pytest.approx(8436 / (30 * 1406))
    assert moved.wijkregisseur.per_gebied == 1 and moved.wijkagenten.fte == 19
    no_boa = sc.with_overrides({"boa.fte": 0})
    with pytest.raises(UserError):
        apply_levers(no_boa, {"boa_patrol_hours": 500})


def test_extra_wijkagenten_cost_what_politienorm_assumes():
    m = CouncilModel(short("baseline"), wijkagenten_fte=19)
    assert m.pair.modified
    while m.running:
        m.step()
    assert m.pair.totals().cost_eur == pytest.approx(5 * 95_000 * 0.5, rel=1e-3)


def test_seed_field():
    assert parse_seed(" 12 ") == 12 and parse_seed("") == 42 and parse_seed(None) == 42
    for bad in ("1.5", "x", str(2**63), "-3"):
        with pytest.raises(UserError):
            parse_seed(bad)


def test_views_render_the_map_chart_and_totals():
    pair = PairedRun(short("interventieteam"), reference_for(short("interventieteam")), 1)
    for _ in range(6):
        pair.advance()
    canvas = FigureCanvasAgg(map_figure(pair, "nl"))
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3].reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 50  # outlines, shades, dots: not blank
    state = pair.map_state()
    assert state.rate_per_1000.shape == (14,) and np.isfinite(state.rate_per_1000).all()
    assert sum(c.size for c in state.visit_cells.values()) > 0
    FigureCanvasAgg(monthly_figure(pair, "en")).draw()
    html_nl = totals_html(pair, "nl", 1)
    assert 'data-key="woninginbraken"' in html_nl and "Voorkomen" in html_nl
    assert "Prevented" in totals_html(pair, "en", 1)


def test_targets_and_shipped_scenarios(tmp_path, monkeypatch):
    assert "baseline" in shipped_scenarios() and "interventieteam" in shipped_scenarios()
    assert resolve_target(None) == Target("live", "interventieteam")  # a real comparison
    assert resolve_target("politienorm") == Target("live", "politienorm")
    monkeypatch.setenv("WIJKSIM_SERVE_TARGET", Target("meeting", "/x").to_env())
    assert target_from_env() == Target("meeting", "/x")
    monkeypatch.setenv("WIJKSIM_SERVE_TARGET", "{not json")
    assert target_from_env() == Target("live", "interventieteam")
    with pytest.raises(UserError, match="comparison.json"):
        resolve_target(str(tmp_path))  # a folder that is not a comparison


def test_cli_refuses_bad_targets_and_ports_in_one_line(tmp_path, capsys, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text("[boa]\nfte = -1\n", encoding="utf-8")
    for args, needle in ((["serve", "nonexistent"], "unknown scenario"),
                         (["serve", str(bad)], "bad.toml"),
                         (["serve", str(tmp_path)], "comparison.json"),
                         (["serve", "--host", "no such host.invalid"], "--host")):
        code, out, err = invoke_cli(args, capsys, monkeypatch)
        assert code == 2, (args, err)
        assert needle in err and "Traceback" not in err
        assert len(err.strip().splitlines()) <= 3  # one line (wrapped by the console at most)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, out, err = invoke_cli(["serve", "--port", str(port)], capsys, monkeypatch)
    assert code == 2 and "in use" in err


def test_the_server_answers_listens_on_localhost_and_stops_on_ctrl_c():
    import signal
    import urllib.request

    from sim.serve.screenshots import ServerProcess

    with ServerProcess() as server:
        print(f"server answered after {server.ready_s:.2f} s")
        with urllib.request.urlopen(server.url, timeout=10) as r:
            assert r.status == 200
        assert "127.0.0.1" in server.output()
        server.proc.send_signal(signal.SIGINT)
        assert server.proc.wait(timeout=15) == 0


def test_prevented_is_shown_only_once_its_paired_interval_excludes_zero():
    """Issue 22.6: the report's rule in the live view ('nog niet aantoonbaar' before)."""
    from sim.serve.views import prevented_text

    noisy = np.array([3, -4, 2, -1, 0, 4, -3, 1])  # mean 0.25: the interval holds zero
    clear = np.array([3, 2, 4, 3, 2, 3, 4, 3])
    assert prevented_interval(noisy[:5]) is None  # too few weeks to judge
    lo, hi = prevented_interval(noisy)
    assert lo < 0 < hi
    lo2, hi2 = prevented_interval(clear)
    assert 0 < lo2 < clear.sum() < hi2
    base = {"days": 56, "completed": 0, "arrests": 0, "reference_arrests": 0,
            "cost_eur": 60_000.0}
    unclear = Totals(woninginbraken=100, reference_woninginbraken=102,
                     prevented_interval=(lo, hi), **base)
    proven = Totals(woninginbraken=100, reference_woninginbraken=124,
                    prevented_interval=(lo2, hi2), **base)
    assert unclear.cost_per_prevented_eur is None and not unclear.proven
    assert prevented_text(unclear, "nl").startswith("nog niet aantoonbaar")
    assert proven.proven and proven.cost_per_prevented_eur == pytest.approx(2500)
    assert prevented_text(proven, "nl").startswith("24 (90%:")


def test_the_live_view_names_the_wijken():
    """Issue 22.1 for the live view: the wijk key shows the city's names (code if none)."""
    from sim.serve.views import wijken_html

    pair = PairedRun(short("interventieteam"), reference_for(short("interventieteam")), 1)
    text = wijken_html(pair, "nl")
    for i, w in enumerate(pair.city.wijken):
        assert f'data-code="{w.code}">{w.name or w.code}:' in text, (i, w.code)


def test_meeting_mode_finds_the_history_figure_where_sim_history_writes_it(tmp_path):
    # `sim history --out FOLDER/history` writes history_nl.png and history_en.png there; the
    # meeting finds it as sim report does (figures/, the folder, or its history/ subfolder)
    from sim.serve.meeting import Meeting

    meeting = Meeting(tmp_path, {})
    assert meeting.history_figure() is None, "no history result, no history figure"
    (tmp_path / "history").mkdir()
    for lang in ("en", "nl"):
        (tmp_path / "history" / f"history_{lang}.png").write_bytes(b"\x89PNG")
    assert meeting.history_figure() == tmp_path / "history" / "history_nl.png", "Dutch first"
