"""The Mesa model the live page steps: one step is a simulated week of a :class:`PairedRun`."""

from __future__ import annotations

from mesa import Model

from sim.core.errors import UserError
from sim.model.scenario import Scenario
from sim.runs.seeds import MAX_SEED
from sim.serve.levers import Lever, apply_levers, levers_of
from sim.serve.live import (
    DEFAULT_SEED,
    HOURS_PER_STEP,
    WIJKAGENT_EUR_PER_FTE_YEAR,
    Message,
    PairedRun,
    parse_seed,
    reference_for,
)


class CouncilModel(Model):
    """The live page's model: one step is one simulated week of the scenario and its reference.

    Lever arguments left None keep the scenario's own values. A scenario that is a
    :class:`Message` (it could not be loaded), or a lever or seed the scenario refuses, gives
    a model that does not run and carries the message.

    Args:
        scenario: the scenario (loaded by the page: a shipped one, an upload, or the command
            line's), or the Message saying why there is none.
        boa_patrol_hours: boa hours per year on burglary patrol.
        team_fte: interventieteam FTE.
        team_years: years the interventieteam works, from its first year.
        regisseurs_per_gebied: wijkregisseurs per gebied.
        wijkagenten_fte: wijkagenten FTE.
        seed: the master seed (as ``sim run --seed``), a number or the text of the seed field.
    """

    def __init__(self, scenario: Scenario | Message, boa_patrol_hours: float | None = None,
                 team_fte: float | None = None, team_years: float | None = None,
                 regisseurs_per_gebied: float | None = None,
                 wijkagenten_fte: float | None = None, seed: int | str = DEFAULT_SEED):
        super().__init__(rng=0)
        self.message: Message | None = None
        self.pair: PairedRun | None = None
        self.levers: dict[str, Lever] = {}
        self.seed_text = str(seed)
        if isinstance(scenario, Message):
            self._fail(scenario)
            return
        self.levers = levers_of(scenario)
        try:
            master = parse_seed(seed)
        except UserError as exc:
            self._fail(Message("error", f"Seed: '{str(seed)[:40]}' kan niet; toegestaan: een "
                                        f"geheel getal van 0 tot {MAX_SEED:,}."
                               .replace(",", "."), f"Seed: {exc.message}"))
            return
        try:
            values = {"boa_patrol_hours": boa_patrol_hours, "team_fte": team_fte,
                      "team_years": team_years, "regisseurs_per_gebied": regisseurs_per_gebied,
                      "wijkagenten_fte": wijkagenten_fte}
            sc = apply_levers(scenario, values)
            extra = (sc.wijkagenten.fte - scenario.wijkagenten.fte) * WIJKAGENT_EUR_PER_FTE_YEAR
            self.pair = PairedRun(sc, reference_for(sc), master, extra,
                                  modified=sc is not scenario)
        except UserError as exc:
            self._fail(Message("error", f"Deze instelling kan niet: {exc}", str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 — the page says so; the server keeps running
            self._fail(Message("error", f"Interne fout (een fout in Wijksim; meld hem): "
                                        f"{type(exc).__name__}",
                               f"internal error (a bug in Wijksim, please report it): "
                               f"{type(exc).__name__}: {exc}"))
            return
        self.running = True

    def release(self) -> None:
        """Drop the runs (their arrays are nearly all of a session's memory); stop running."""
        self.pair = None
        self.running = False

    def _fail(self, message: Message) -> None:
        self.message = message
        self.running = False

    def step(self) -> None:
        """Advance one simulated week (the last step may be shorter)."""
        if self.pair is None:
            self.running = False
            return
        self.pair.advance(HOURS_PER_STEP)
        self.running = not self.pair.done
