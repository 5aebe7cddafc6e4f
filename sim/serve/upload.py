"""A scenario uploaded through the browser: its content, never a path on the server.

The live page lets a visitor pick a shipped scenario or upload a scenario file's *content*
(:func:`scenario_from_upload`). Nothing in that content can make the server read a file:

* ``extends`` may only name a shipped scenario (``scenarios/*.toml``), never a path;
* ``city`` may only name a shipped city folder (``calibration/<name>/``), never a path;
* the text is parsed here (``tomllib``), so no loader ever sees a file name.

Problems come back as a :class:`~sim.serve.live.Message` in Dutch and English that quotes at
most the first offending line of the uploaded text itself — never another file's content.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from pydantic import ValidationError

from sim.core.errors import UserError
from sim.core.paths import CALIBRATION
from sim.model.scenario import (
    SLUG_PATTERN,
    Scenario,
    field_bounds,
    field_info,
    inherit,
    known_scenarios,
    raw_scenario,
    scenario_from_data,
    slugify,
)
from sim.serve.live import Message

#: The largest upload read (bytes): a scenario file is a few hundred bytes.
MAX_UPLOAD_BYTES = 64 * 1024
#: The longest piece of the uploaded text a message quotes (characters).
QUOTE_CHARS = 80


def _shown_name(filename: str) -> str:
    """The upload's file name as the page shows it: the last part only, printable, short."""
    name = PureWindowsPath(PurePosixPath(str(filename or "")).name).name
    name = "".join(ch for ch in name if ch.isprintable())[:60]
    return name or "upload.toml"


def _line(text: str, number: int) -> str:
    """Line ``number`` (1-based) of the uploaded text, shortened for a message."""
    lines = text.splitlines()
    if not 1 <= number <= len(lines):
        return ""
    line = lines[number - 1].strip()
    return line if len(line) <= QUOTE_CHARS else line[:QUOTE_CHARS - 1] + "…"


def _line_of_key(text: str, key: str) -> int:
    """The first line that sets ``key`` (``key = ...``) or opens table ``[key]``; 0 if none."""
    pattern = re.compile(rf"^\s*(\[\s*)?[\"']?{re.escape(key)}[\"']?\s*(=|\])")
    for i, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return i
    return 0


def _at(text: str, number: int) -> tuple[str, str]:
    """' (regel 3: key = 7)' and its English, or empty strings."""
    quote = _line(text, number)
    if not quote:
        return "", ""
    return f" (regel {number}: {quote})", f" (line {number}: {quote})"


def _fail(name: str, nl: str, en: str) -> Message:
    return Message("error", f"{name}: {nl}", f"{name}: {en}")


def _range(loc: tuple[Any, ...]) -> tuple[str, str]:
    """'toegestaan: 0 tot 1 aandeel' and its English for a field, or empty strings."""
    info = field_info(loc)
    if info is None:
        return "", ""
    lo, hi, strict = field_bounds(info)
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = f" {extra['unit']}" if extra.get("unit") else ""
    if lo is None and hi is None:
        return "", ""
    if hi is None:
        return (f"; toegestaan: {'boven' if strict else 'minstens'} {lo:g}{unit}",
                f"; allowed: {'above' if strict else 'at least'} {lo:g}{unit}")
    return (f"; toegestaan: {'boven ' if strict else ''}{lo:g} tot {hi:g}{unit}",
            f"; allowed: {'above ' if strict else ''}{lo:g} to {hi:g}{unit}")


def _validation_message(name: str, text: str, exc: ValidationError) -> Message:
    """The first problem pydantic found, in Dutch and English, with its line of the upload."""
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    field = ".".join(str(x) for x in loc) or "scenario"
    at_nl, at_en = _at(text, _line_of_key(text, str(loc[-1])) if loc else 0)
    more = len(exc.errors()) - 1
    more_nl = f" (en nog {more} probleem/problemen)" if more else ""
    more_en = f" (and {more} more)" if more else ""
    if err["type"] == "extra_forbidden":
        return _fail(name, f"onbekend veld '{field}'{at_nl}{more_nl}.",
                     f"unknown field '{field}'{at_en}{more_en}.")
    rng_nl, rng_en = _range(loc)
    return _fail(name, f"veld '{field}' heeft een waarde die niet kan{at_nl}{rng_nl}{more_nl}.",
                 f"field '{field}': {err['msg']}{at_en}{rng_en}{more_en}.")


def _parse(name: str, data: bytes) -> dict[str, Any] | Message:
    if len(data) > MAX_UPLOAD_BYTES:
        return _fail(name, f"te groot ({len(data):,} bytes); een scenariobestand is hooguit "
                           f"{MAX_UPLOAD_BYTES // 1024} kB.",
                     f"too large ({len(data):,} bytes); a scenario file is at most "
                     f"{MAX_UPLOAD_BYTES // 1024} kB.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _fail(name, "geen tekstbestand (UTF-8); upload een .toml-scenario.",
                     "not a text file (UTF-8); upload a .toml scenario.")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        at_nl, at_en = _at(text, int(found.group(1)) if found else 0)
        return _fail(name, f"geen geldige TOML{at_nl}.", f"not valid TOML{at_en}.")


def scenario_from_upload(filename: str, data: bytes) -> Scenario | Message:
    """The scenario in an uploaded file's content, or a Message saying what is wrong.

    Never raises and never reads a path from the content: ``extends`` resolves only to a
    shipped scenario and ``city`` only to a shipped city.
    """
    name = _shown_name(filename)
    parsed = _parse(name, data)
    if isinstance(parsed, Message):
        return parsed
    text = data.decode("utf-8")
    shipped = known_scenarios()
    parent = parsed.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str) or parent not in shipped:
            at_nl, at_en = _at(text, _line_of_key(text, "extends"))
            return _fail(name, f"'extends' mag alleen een meegeleverd scenario noemen "
                               f"({', '.join(shipped)}){at_nl}.",
                         f"'extends' may only name a shipped scenario "
                         f"({', '.join(shipped)}){at_en}.")
        parsed = inherit(raw_scenario(shipped[parent]), parsed)
    city = parsed.get("city", "amstelveen")
    if not (isinstance(city, str) and re.match(SLUG_PATTERN, city)
            and (CALIBRATION / city / "wijken.csv").is_file()):
        at_nl, at_en = _at(text, _line_of_key(text, "city"))
        return _fail(name, f"'city' mag alleen een meegeleverde gemeente noemen{at_nl}.",
                     f"'city' may only name a shipped city{at_en}.")
    default_name = slugify(PurePosixPath(name).stem)
    try:  # the upload's own values first: the first problem, in Dutch, with its line
        Scenario.model_validate({"name": default_name, **parsed})
    except ValidationError as exc:
        return _validation_message(name, text, exc)
    try:
        return scenario_from_data(parsed, name, default_name)
    except UserError as exc:  # with the city's calibration: rare, and about the upload
        return _fail(name, f"kan niet worden gestart ({exc.message[:200]}).",
                     f"cannot be started ({exc.message[:200]}).")
