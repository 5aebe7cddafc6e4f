"""Property-based attack on the whole CLI (issue 9).

Every ``sim`` subcommand is driven with random arguments and random file contents
(binary, huge, deeply nested, wrong types, unicode, ``..`` paths, devices). Whatever the
input, the command must:

* exit 0 or 2 (never 1, never an internal error), with no traceback on stderr;
* write nothing outside the results folder it was given (``--out``/``--results``) or the
  default one (``results/`` under the working directory);
* leave existing result folders (a finished comparison and a finished sweep) byte-identical.

The examples are derandomised (the same ones on every run, so CI is repeatable); set
``WIJKSIM_FUZZ_EXAMPLES`` to try more, and ``WIJKSIM_FUZZ_RANDOM=1`` to draw new ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("WIJKSIM_FUZZ_EXAMPLES", "120"))
SIM = [sys.executable, "-m", "sim"]


def tree(folder: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file under ``folder`` (not under ``skip``) with the SHA-256 of its bytes."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if any(p == s or s in p.parents for s in skip) or not p.is_file() or p.is_symlink():
            continue
        out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def arena(tmp_path_factory) -> dict[str, Path]:
    """A working folder with two finished result folders that must never change."""
    base = tmp_path_factory.mktemp("fuzz")
    kept = base / "kept"
    cmp_dir, sweep_dir = kept / "council", kept / "sweep"
    for args in (["compare", "baseline", "interventieteam", "--years", "0.03", "-r", "2",
                  "--seed", "5", "--out", str(cmp_dir)],
                 ["sweep", "capaciteit", "--years", "0.003", "-w", "1", "--out",
                  str(sweep_dir)]):
        proc = subprocess.run([*SIM, *args], capture_output=True, text=True, cwd=base)
        assert proc.returncode == 0, proc.stderr
    files = base / "files"
    files.mkdir()
    (base / "work").mkdir()
    (base / "outs").mkdir()
    return {"base": base, "kept": kept, "cmp": cmp_dir, "sweep": sweep_dir, "files": files,
            "work": base / "work", "outs": base / "outs"}


# ---- file contents -----------------------------------------------------------------------------
KEYS = ["name", "city", "extends", "years", "start_year", "use_calibration",
        "offenders.active_offenders", "offenders.outings_per_offender_day",
        "offenders.activity_by_hour", "residents.at_home_weekday", "boa.fte",
        "boa.duty_start_hour", "interventieteam.fte", "interventieteam.first_year",
        "wijkregisseur.per_gebied", "gebied_of_wijk", "near_repeat.enabled", "bogus.key",
        # experiment fields
        "base", "reference", "master_seed", "replications", "outcomes", "design.method",
        "design.n", "constants"]

toml_scalar = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=40),
    st.sampled_from(["../../x", "/dev/zero", "/etc/passwd", "baseline", "amstelveen", "..",
                     "名前", "a" * 300, "", "capaciteit", "sobol", "lhs", "grid"]),
)
toml_value = st.one_of(toml_scalar, st.lists(toml_scalar, max_size=30))


def render(value: object) -> str:
    """A TOML literal (some deliberately odd: NaN, big ints, unicode, empty strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(render(v) for v in value) + "]"  # type: ignore[union-attr]


@st.composite
def toml_document(draw) -> bytes:
    lines, tables = [], {}
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=8, unique=True)):
        value = render(draw(toml_value))
        if "." in key:
            table, leaf = key.split(".", 1)
            tables.setdefault(table, []).append(f"{leaf} = {value}")
        else:
            lines.append(f"{key} = {value}")
    for table, body in tables.items():
        lines.append(f"[{table}]")
        lines.extend(body)
    if draw(st.booleans()):
        lines.insert(0, 'extends = "baseline"')
    if draw(st.booleans()):  # a valid experiment, slightly changed
        src = (ROOT / "experiments" / "capaciteit.toml").read_text(encoding="utf-8")
        return (src + "\n" + "\n".join(x for x in lines if not x.startswith("["))).encode()
    return "\n".join(lines).encode("utf-8", "surrogatepass")


file_contents = st.one_of(
    toml_document(),
    st.binary(max_size=3000),
    st.builds(lambda d: ("x = " + "[" * d + "]" * d).encode(), st.integers(50, 6000)),
    st.just(b"# " + b"x" * (2 << 20)),
    st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(max_size=200).map(lambda t: ('name = "x"\n' + t).encode("utf-16")),
    st.builds(lambda t: ("\ufeff" + t).encode(), st.text(max_size=200)),
    st.recursive(st.none() | st.integers() | st.text(max_size=10),
                 lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c,
                                                                     max_size=4),
                 max_leaves=20).map(lambda j: json.dumps(j).encode()),
    st.sampled_from([b"code;name\nWK036201;2.000\n", b"WijkenEnBuurten;Perioden\n",
                     b'{"format": "wijksim-comparison/1", "rows": []}']),
)

NUMBERS = ["0", "-1", "1", "2", "x", "1e9", "nan", "inf", str(2**64), "0.01", "", "3.5"]


@st.composite
def invocation(draw, arena: dict[str, Path]) -> tuple[list[str], list[Path]]:
    """A random ``sim`` command line; returns it with the paths it may write into."""
    files = arena["files"]
    n = draw(st.integers(0, 10**9))
    made = []
    for i in range(draw(st.integers(1, 3))):
        suffix = draw(st.sampled_from([".toml", ".csv", ".json", ""]))
        p = files / f"f{n}-{i}{suffix}"
        p.write_bytes(draw(file_contents))
        made.append(str(p))
    fresh = arena["outs"] / f"o{n}"
    outs = [str(fresh), str(arena["cmp"]), str(arena["sweep"]), made[0], "/dev/null",
            str(arena["kept"]), "", "../outs/escape-" + str(n)]
    refs = made + ["baseline", "interventieteam", "capaciteit", "sobol-onzekerheid",
                   "morris-screening", "../../etc/passwd", "/dev/zero", "nonexistent", "",
                   str(files), "results", "-x", "名前"]
    command = draw(st.sampled_from(["run", "compare", "sweep", "sensitivity", "validate",
                                    "scenarios", "report", "data", "calibrate", "--help",
                                    "bogus"]))
    args = [command]
    pick = lambda xs: draw(st.sampled_from(xs))  # noqa: E731

    def mostly(good: list[str], bad: list[str]) -> str:
        """A good value three times in four: so that commands also get to run and write."""
        return pick(good) if draw(st.integers(0, 3)) else pick(bad)

    if command in ("run", "compare"):
        scenarios = ["baseline", "interventieteam", "wijkregisseur", made[0]]
        count = (1 if command == "run" else 2) if draw(st.integers(0, 3)) else draw(
            st.integers(0, 3))
        args += [mostly(scenarios, refs) for _ in range(count)]
        args += ["--years", mostly(["0.01", "0.02"], ["0", "-1", "x", "nan", "1e9", "60"])]
        args += ["-r", mostly(["1", "2"], ["0", "x", "20000", "-3"])]
        if draw(st.booleans()):
            args += ["--seed", mostly(["0", "7", str(2**63 - 1)], NUMBERS)]
        if draw(st.booleans()):
            args += ["-w", mostly(["0", "1"], ["x", "-1", "999"])]
        if command == "compare" and draw(st.booleans()):
            args += ["--lang", pick(["nl", "en", "xx", ""])]
    elif command in ("sweep", "sensitivity"):
        args += [mostly(["capaciteit", "sobol-onzekerheid", "morris-screening", made[0]], refs)]
        args += ["-w", mostly(["1", "0"], ["x", "-1", "300"])]
        args += ["--years", mostly(["0.002"], ["0", "x", "100", "-1"])]
        good = {"--n": ["2", "4"], "--trajectories": ["2"], "-r": ["1"], "--batch-size": ["3"],
                "--scheduler": ["tcp://127.0.0.1:1"]}
        for opt, values in good.items():
            if draw(st.booleans()):
                args += [opt, mostly(values, NUMBERS + ["tcp://", "slurmx", "host:99999"])]
    elif command == "validate":
        args += [pick(refs)]
    elif command == "report":
        args += [mostly([str(arena["cmp"])], [str(arena["sweep"]), made[0], str(files),
                                               "nonexistent", ""])]
        args += ["--out", mostly([str(fresh / "r.pdf"), str(fresh / "r.html")],
                                 ["/dev/null", str(arena["cmp"]), str(fresh)])]
        if draw(st.booleans()):
            args += ["--format", pick(["pdf", "html", "docx", ""])]
        if draw(st.booleans()):
            args += ["--lang", pick(["nl", "en", "fr"])]
    elif command == "data":
        args += [pick(["show", "bogus"]), pick(made + ["/dev/zero", str(files), ""])]
        if draw(st.booleans()):
            args += ["--gemeente", pick(["GM0362", "x", "", "GM" + "9" * 50])]
        if draw(st.booleans()):
            args += ["--json"]
    elif command == "calibrate":
        args += [pick(made + [str(files), "../x", "nonexistent", "", "/dev"])]
        for opt in ("--police", "--kwb"):
            if draw(st.booleans()):
                args += [opt, pick(made + ["/dev/zero"])]
        args += ["--results", str(fresh), "--out", str(fresh / "calibrated.toml")]
    if command not in ("report", "calibrate") and draw(st.booleans()):
        args += ["--out", mostly([str(fresh)], outs)]
    if draw(st.booleans()) and command in ("run", "compare", "sweep", "sensitivity"):
        args += ["--json"]
    if draw(st.integers(0, 19)) == 0:
        args.insert(draw(st.integers(0, len(args))), pick(["--bogus", "-q", "--", "\x00"]))
    allowed = [fresh]
    return [a.replace("\x00", "") for a in args], allowed


def test_no_input_gives_a_traceback_or_writes_where_it_should_not(arena, capsys, monkeypatch):
    from sim.cli import main

    work = arena["work"]
    project = {d: tree(ROOT / d) for d in ("calibration", "scenarios", "experiments")}
    skip = (arena["files"], arena["outs"], work / "results")
    before = tree(arena["base"], skip)
    kept = tree(arena["kept"])
    seen: dict[str, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get(
        "WIJKSIM_FUZZ_RANDOM"), suppress_health_check=list(HealthCheck), database=None)
    @given(st.data())
    def attack(data) -> None:
        args, allowed = data.draw(invocation(arena))
        with monkeypatch.context() as m:
            m.chdir(work)
            m.setattr(sys, "argv", ["sim", *args])
            capsys.readouterr()
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            out = capsys.readouterr()
        seen[f"{args[0]} exit {code}"] = seen.get(f"{args[0]} exit {code}", 0) + 1
        if os.environ.get("WIJKSIM_FUZZ_SHOW"):
            sys.__stderr__.write(f"{code} {args} {out.err.strip()[-300:]}\n")
        shown = f"sim {' '.join(args)!r}\nstderr: {out.err[-2000:]}"
        assert code in (0, 2), f"exit {code}: {shown}"
        assert "Traceback" not in out.err and "Traceback" not in out.out, shown
        assert tree(arena["kept"]) == kept, f"a finished result folder changed: {shown}"
        now = tree(arena["base"], skip)
        assert now == before, (f"written outside the results folder: "
                               f"{sorted(set(now.items()) ^ set(before.items()))[:5]}: {shown}")

    attack()
    print("outcomes:", dict(sorted(seen.items())))
    for d, files in project.items():
        assert tree(ROOT / d) == files, f"the project's {d}/ was changed"
    assert not (arena["base"].parent / "escape").exists()


def test_fuzz_harness_detects_a_traceback(arena):
    """The harness itself: a command that crashes must be caught as a failure."""
    proc = subprocess.run([*SIM, "validate", str(arena["files"])], capture_output=True,
                          text=True, cwd=arena["work"],
                          env={**os.environ, "WIJKSIM_DEBUG": "1"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    code = textwrap.dedent("""
        import sys
        from sim.cli import app
        @app.command()
        def crash() -> None:
            raise RuntimeError("boom")
        from sim.cli import main
        sys.argv = ["sim", "crash"]
        main()
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 70 and "internal error" in proc.stderr
    assert "Traceback" not in proc.stderr, "even a bug is one line (the detail: WIJKSIM_DEBUG)"
