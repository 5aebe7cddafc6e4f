"""Scenario discovery: in which worlds does a condition on the policies' outcomes hold?

``sim discover DIR --where "EXPR"`` evaluates ``EXPR`` in every world of a robustness folder
(policies' outcomes compared within each world, e.g.
``wijkregisseur.cost_per_prevented_eur < interventieteam.cost_per_prevented_eur``), then:

* PRIM (Friedman & Fisher 1999; Bryant & Lempert 2010) with the EMA Workbench's
  :mod:`ema_workbench.analysis.prim`, not a new implementation: the peeling trajectory
  (coverage against density) and the chosen box, its limit per uncertainty and their
  quasi-p values (a one-sided binomial test of each restriction);
* feature scoring with extra trees (EMA's :mod:`ema_workbench.analysis.feature_scoring`):
  which uncertainties drive the condition.

The box on the trajectory is chosen by the F1 score of coverage and density (their
harmonic mean; ties: fewer restricted dimensions), or, with ``min_density``, as the box of
highest coverage whose density reaches it. The EMA Workbench is an extra
(``pip install 'wijksim[explore]'``) and is imported only here, when it is used.

EXPR grammar: terms ``POLICY.OUTCOME`` and numbers; ``+ - * /`` (with spaces around a
minus, since policy names may contain '-'), comparisons ``< <= > >= == !=``, ``and``,
``or``, ``not`` and parentheses. An undefined outcome (NaN, e.g. the cost per prevented
burglary where nothing was prevented) makes a comparison false.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import hashlib
import json
import operator
import re
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import __version__
from sim.analysis.design import StoredDesign
from sim.core.errors import UserError
from sim.core.jsonable import json_clean

MAX_EXPR = 1_000
TERM_RE = re.compile(r"(?<![\w.-])([a-z0-9][a-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_]*)")
_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv}
_CMP = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
        ast.Eq: operator.eq, ast.NotEq: operator.ne}
ALLOWED_HELP = ("terms POLICY.OUTCOME and numbers; + - * / (spaces around a minus); "
                "< <= > >= == !=; and, or, not; parentheses")
DISCOVERIES = "discoveries"
_ALLOWED_NODES = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub,
                  ast.UAdd, ast.BinOp, ast.Compare, ast.Load, ast.Name, ast.Constant, *_BIN,
                  *_CMP)


def parse_where(expr: str, policies: list[str],
                outcomes: list[str]) -> tuple[ast.Expression, dict[str, tuple[str, str]]]:
    """Parse ``EXPR`` safely: the tree and its terms (placeholder -> (policy, outcome))."""
    if not expr.strip():
        raise UserError("is empty; give a condition such as 'wijkregisseur."
                        "cost_per_prevented_eur < interventieteam.cost_per_prevented_eur'.",
                        field="--where")
    if len(expr) > MAX_EXPR:
        raise UserError(f"is longer than {MAX_EXPR} characters.", field="--where")
    terms: dict[str, tuple[str, str]] = {}

    def term(m: re.Match) -> str:
        policy, outcome = m.group(1), m.group(2)
        if policy not in policies:
            near = difflib.get_close_matches(policy, policies, n=1)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            raise UserError(f"unknown policy '{policy}' in '{expr}'.{hint} Policies in this "
                            f"folder: {', '.join(policies)}.", field="--where")
        if outcome not in outcomes:
            near = difflib.get_close_matches(outcome, outcomes, n=1)
            hint = f" Did you mean '{near[0]}'?" if near else ""
            raise UserError(f"unknown outcome '{outcome}' in '{expr}'.{hint} Outcomes: "
                            f"{', '.join(outcomes)}.", field="--where")
        key = f"_t{len(terms)}"
        terms[key] = (policy, outcome)
        return f" {key} "

    text = TERM_RE.sub(term, expr)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise UserError(f"cannot read '{expr}'; allowed: {ALLOWED_HELP}.",
                        field="--where") from None
    for node in ast.walk(tree):
        ok = isinstance(node, _ALLOWED_NODES)
        if isinstance(node, ast.Name):
            ok = node.id in terms
            if not ok:
                raise UserError(f"'{node.id}' in '{expr}' is not POLICY.OUTCOME; allowed: "
                                f"{ALLOWED_HELP}.", field="--where")
        if isinstance(node, ast.Constant):
            ok = isinstance(node.value, int | float) and not isinstance(node.value, bool)
        if not ok:
            raise UserError(f"'{expr}' uses something not allowed "
                            f"({type(node).__name__}); allowed: {ALLOWED_HELP}.",
                            field="--where")
    if not _is_condition(tree.body):
        raise UserError(f"'{expr}' is not a condition; compare outcomes, e.g. 'a.x < b.x'.",
                        field="--where")
    if not terms:
        raise UserError(f"'{expr}' names no POLICY.OUTCOME.", field="--where")
    return tree, terms


def _is_condition(node: ast.AST) -> bool:
    if isinstance(node, ast.Compare):
        return True
    if isinstance(node, ast.BoolOp):
        return all(_is_condition(v) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _is_condition(node.operand)
    return False


def evaluate_where(tree: ast.Expression, terms: dict[str, tuple[str, str]],
                   table: pd.DataFrame) -> np.ndarray:
    """The condition per world (bool array, worlds in order) on a (world, policy) table."""
    values = {k: table[o].xs(p, level="policy").sort_index().to_numpy(dtype=float)
              for k, (p, o) in terms.items()}

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.BinOp):
            with np.errstate(divide="ignore", invalid="ignore"):
                return _BIN[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp):
            v = ev(node.operand)
            return ~np.asarray(v, bool) if isinstance(node.op, ast.Not) else (
                -v if isinstance(node.op, ast.USub) else v)
        if isinstance(node, ast.BoolOp):
            parts = [np.asarray(ev(v), bool) for v in node.values]
            f = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            out = parts[0]
            for p in parts[1:]:
                out = f(out, p)
            return out
        if isinstance(node, ast.Compare):
            left, out = ev(node.left), None
            for op, comp in zip(node.ops, node.comparators, strict=True):
                right = ev(comp)
                with np.errstate(invalid="ignore"):
                    r = _CMP[type(op)](left, right)
                out = r if out is None else out & r
                left = right
            return out
        raise AssertionError(type(node))  # pragma: no cover - parse_where refuses it

    n = len(next(iter(values.values())))
    return np.broadcast_to(np.asarray(ev(tree), bool), (n,)).copy()


def subject(expr: str) -> dict[str, str] | None:
    """``A.o < B.o`` (or ``>``) as {a, b, outcome, op}; None for any other expression."""
    m = re.fullmatch(r"\s*([a-z0-9][a-z0-9_-]*)\.(\w+)\s*(<|>|<=|>=)\s*"
                     r"([a-z0-9][a-z0-9_-]*)\.(\w+)\s*", expr)
    if not m or m.group(2) != m.group(5):
        return None
    return {"a": m.group(1), "b": m.group(4), "outcome": m.group(2), "op": m.group(3)}


# ---- PRIM and feature scoring (EMA Workbench) -----------------------------------------------
def _ema() -> tuple[Any, Any, Any]:
    """Import the EMA Workbench lazily and quietly (a :class:`UserError` if absent)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import feature_scoring, prim
            from ema_workbench.analysis.scenario_discovery_util import RuleInductionType
    except ImportError:
        raise UserError("sim discover needs the EMA Workbench: pip install "
                        "'wijksim[explore]' (or ema-workbench>=3).") from None
    return prim, feature_scoring, RuleInductionType


def choose_box(trajectory: pd.DataFrame, min_density: float | None = None) -> int:
    """Index of the chosen box on a peeling trajectory (see the module docstring)."""
    t = trajectory.reset_index(drop=True)
    cov, den = t["coverage"].astype(float), t["density"].astype(float)
    if min_density is not None:
        ok = t[den >= min_density]
        if len(ok):
            best = ok.sort_values(["coverage", "density"], ascending=False)
            return int(best.index[0])
    f1 = (2 * cov * den / (cov + den)).fillna(0.0)
    order = pd.DataFrame({"f1": f1.round(12), "res_dim": t["res_dim"].astype(int)})
    return int(order.sort_values(["f1", "res_dim"], ascending=[False, True]).index[0])


#: A box restriction is kept when one of its restricted sides has a quasi-p value at most
#: this (EMA Workbench's convention for "significant" restrictions).
QUASI_P_MAX = 0.05
#: Without a box of significant restrictions, the best box with at most this many.
MAX_WEAK_DIMS = 3


def _insignificant(qp: dict[str, Any], names: Iterable[str]) -> list[str]:
    """Restricted dimensions whose best side has quasi-p above QUASI_P_MAX, weakest first."""
    out = []
    for name in names:
        sides = [v for v in qp.get(name, [-1, -1]) if v is not None and v >= 0]
        if sides and min(sides) > QUASI_P_MAX:
            out.append((min(sides), name))
    return [name for _, name in sorted(out, reverse=True)]


def prim_boxes(x: pd.DataFrame, y: np.ndarray, *, boxes: int = 1, peel_alpha: float = 0.05,
               paste_alpha: float = 0.05, mass_min: float = 0.05,
               min_density: float | None = None) -> list[dict[str, Any]]:
    """Run EMA's PRIM on (x, y) and describe up to ``boxes`` boxes (JSON-able dicts)."""
    prim, _, _ = _ema()
    with warnings.catch_warnings():  # EMA 3.0 uses pandas idioms pandas 3.1 deprecates
        warnings.simplefilter("ignore")
        alg = prim.Prim(x.astype(float), np.asarray(y, bool), peel_alpha=peel_alpha,
                        paste_alpha=paste_alpha, mass_min=mass_min)
    out = []
    init = alg.box_init
    for _ in range(boxes):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = alg.find_box()
        if box is None:
            break
        traj = box.peeling_trajectory.copy()
        # Only boxes whose every restriction is significant (EMA's quasi-p of its best side
        # at most QUASI_P_MAX) are candidates: a box of many weak restrictions cannot be
        # said in plain words. Box 0, the whole space, always qualifies.
        # If none beyond the whole space qualifies, the best box of at most MAX_WEAK_DIMS
        # restrictions is described, marked as not significant.
        ok = [k for k in range(1, len(traj))
              if not _insignificant(box.p_values[k], x.columns)]
        significant = bool(ok)
        if not ok:
            ok = [k for k in range(1, len(traj)) if int(traj["res_dim"].iloc[k]) <= MAX_WEAK_DIMS]
        if not ok:
            break
        j = ok[choose_box(traj.iloc[ok], min_density)]
        box.select(j)
        lim = box.box_lims[j]
        qp = box.p_values[j]
        limits, quasi_p, sides = {}, {}, {}
        for name in x.columns:
            lo, hi = float(lim[name].iloc[0]), float(lim[name].iloc[1])
            lo0, hi0 = float(init[name].iloc[0]), float(init[name].iloc[1])
            if lo <= lo0 and hi >= hi0:
                continue
            limits[name] = [lo, hi]
            sides[name] = [lo > lo0, hi < hi0]
            q = qp.get(name, [-1, -1])
            quasi_p[name] = [None if v is None or v < 0 else float(v) for v in q]
        row = box.peeling_trajectory.iloc[j]
        out.append({
            "coverage": float(row["coverage"]), "density": float(row["density"]),
            "mass": float(row["mass"]), "res_dim": int(row["res_dim"]), "index": j,
            "significant": significant,
            "limits": limits, "restricted": sides, "quasi_p": quasi_p,
            "trajectory": [{"coverage": float(r["coverage"]), "density": float(r["density"]),
                            "mass": float(r["mass"]), "res_dim": int(r["res_dim"])}
                           for _, r in traj.iterrows()],
        })
    return out


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> dict[str, float]:
    """Extra-trees feature scores of the uncertainties for the condition (sum to 1)."""
    _, fs, rule = _ema()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores, _ = fs.get_ex_feature_scores(x.astype(float), np.asarray(y, int),
                                             mode=rule.CLASSIFICATION, nr_trees=250,
                                             random_state=seed % 2**32)
    return {str(k): float(v) for k, v in scores.iloc[:, 0].items()}


def discover(design: StoredDesign, table: pd.DataFrame, expr: str, *, boxes: int = 1,
             min_density: float | None = None, peel_alpha: float = 0.05) -> dict[str, Any]:
    """The discovery result (the JSON contract) of ``expr`` over a folder's worlds."""
    outcomes = [c for c in table.columns]
    tree, terms = parse_where(expr, design.policies, outcomes)
    y = evaluate_where(tree, terms, table)
    x = pd.DataFrame(design.X, columns=design.names)
    base_rate = float(y.mean()) if len(y) else float("nan")
    res: dict[str, Any] = {"where": expr, "base_rate": base_rate, "worlds": int(len(y)),
                           "cases": int(y.sum()), "boxes": [], "feature_scores": {},
                           "subject": subject(expr)}
    if 0 < y.sum() < len(y):
        res["boxes"] = prim_boxes(x, y, boxes=boxes, peel_alpha=peel_alpha,
                                  min_density=min_density)
        res["feature_scores"] = feature_scores(x, y, seed=design.master_seed)
        if not all(b.get("significant") for b in res["boxes"]) or not res["boxes"]:
            res["note"] = (f"no PRIM box whose every limit is significant (quasi-p <= "
                           f"{QUASI_P_MAX}): the condition does not follow a simple rule in "
                           "these uncertainties, so the box shown (if any) is a weak hint; "
                           "see the feature scores.")
    else:
        res["note"] = ("the condition holds in every world" if y.all() else
                       "the condition holds in no world") + "; there is nothing to discover."
    res["uncertainties"] = {n: list(b) for n, b in zip(design.names, design.bounds,
                                                        strict=True)}
    res["prim"] = {"peel_alpha": peel_alpha, "paste_alpha": 0.05, "mass_min": 0.05,
                   "box_choice": (f"highest coverage with density >= {min_density}"
                                  if min_density is not None else "max F1 of coverage and "
                                  "density"), "package": "ema_workbench " + _ema_version()}
    return res


def _ema_version() -> str:
    try:
        from importlib.metadata import version

        return version("ema_workbench")
    except Exception:  # noqa: BLE001 — provenance only
        return "unknown"


def discovery_folder(folder: str | Path, expr: str) -> Path:
    """Where the discovery of ``expr`` is written: ``DIR/discoveries/<hash of EXPR>``."""
    key = hashlib.sha256(" ".join(expr.split()).encode()).hexdigest()[:10]
    return Path(folder) / DISCOVERIES / key


def write_discovery(res: dict[str, Any], out: Path, provenance: dict[str, Any],
                    lang: str = "nl") -> list[Path]:
    """``discovery.json`` and the peeling trajectory and feature-score figures."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    res["provenance"] = {"created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                         "package_version": __version__, **provenance}
    path = out / "discovery.json"
    path.write_text(json.dumps(json_clean(res), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    files = [path]
    if res["boxes"]:
        fig = fig_trajectory(res, lang)
        files.append(out / "prim_trajectory.png")
        fig.savefig(files[-1], dpi=120, bbox_inches="tight")
        plt.close(fig)
        fig = fig_feature_scores(res, lang)
        files.append(out / "feature_scores.png")
        fig.savefig(files[-1], dpi=120, bbox_inches="tight")
        plt.close(fig)
    return files


def fig_trajectory(res: dict[str, Any], lang: str = "nl"):  # noqa: ANN201
    """The peeling trajectory of the first box: density against coverage, chosen box marked."""
    import matplotlib.pyplot as plt

    box = res["boxes"][0]
    t = pd.DataFrame(box["trajectory"])
    fig, ax = plt.subplots(figsize=(7, 5))
    sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=22)
    ax.plot(box["coverage"], box["density"], "o", ms=14, mfc="none", mec="#D55E00", mew=2,
            label=("gekozen box" if lang == "nl" else "chosen box"))
    fig.colorbar(sc, ax=ax, label=("beperkte dimensies" if lang == "nl"
                                   else "restricted dimensions"))
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(("PRIM-pelpad: " if lang == "nl" else "PRIM peeling trajectory: ")
                 + res["where"], fontsize=9)
    ax.legend(loc="lower left")
    return fig


def fig_feature_scores(res: dict[str, Any], lang: str = "nl"):  # noqa: ANN201
    """Extra-trees feature scores as horizontal bars."""
    import matplotlib.pyplot as plt

    s = pd.Series(res["feature_scores"]).sort_values()
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(s) + 1.5))
    ax.barh(range(len(s)), s.to_numpy(), color="#0072B2")
    ax.set_yticks(range(len(s)), list(s.index))
    ax.set_xlabel("feature score (extra trees)")
    ax.set_title(("Welke onzekerheden bepalen: " if lang == "nl" else "What drives: ")
                 + res["where"], fontsize=9)
    return fig


def latest_discovery(folder: str | Path) -> dict[str, Any] | None:
    """The most recent ``discovery.json`` under ``DIR/discoveries`` (None if there is none)."""
    found = []
    for p in sorted((Path(folder) / DISCOVERIES).glob("*/discovery.json")):
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(d, dict) and "boxes" in d:
            found.append((d.get("provenance", {}).get("created_at", ""), str(p), d))
    return max(found, key=lambda t: (t[0], t[1]))[2] if found else None
