"""Reading user files safely: regular files of bounded size, decoded with a clear error.

Every file a user hands to Wijksim (scenarios, experiments, calibration tables, data
exports, comparison JSON) is read through :func:`read_text` or :func:`read_toml`:

* only a regular file is read (not a directory, a device such as ``/dev/zero`` or a pipe);
* at most ``max_bytes`` are read (a file larger than that is refused, never half-read);
* text is UTF-8, with or without a byte-order mark; UTF-16 with a byte-order mark (as
  some spreadsheet programs write) is decoded too; anything else (binary content, another
  encoding) is a :class:`~sim.core.errors.UserError` saying what was found and where;
* TOML nested deeper than the parser can follow is refused with a clear line.
"""

from __future__ import annotations

import codecs
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from sim.core.errors import UserError

#: Largest configuration file read (scenarios, experiments, city tables): 1 MiB.
MAX_CONFIG_BYTES = 1 << 20
#: Largest data export read (police, KWB, comparison.json): 256 MiB.
MAX_DATA_BYTES = 256 << 20

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


def read_bytes(path: str | Path, *, what: str = "file",
               max_bytes: int = MAX_CONFIG_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; a clear error otherwise."""
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise UserError(f"{what} not found.", file=str(p)) from None
    except OSError as exc:
        raise UserError(f"cannot read the {what}: {exc.strerror or exc}.", file=str(p)) from None
    if stat.S_ISDIR(st.st_mode):
        raise UserError(f"is a folder; give the path of a {what}.", file=str(p))
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"is not a regular file (a device, pipe or socket); give the path of "
                        f"a {what}.", file=str(p))
    if st.st_size > max_bytes:
        raise UserError(f"is {_size(st.st_size)}; a {what} may be at most {_size(max_bytes)}.",
                        file=str(p))
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise UserError(f"cannot read the {what}: {exc.strerror or exc}.", file=str(p)) from None
    if len(data) > max_bytes:  # grew while we looked
        raise UserError(f"is larger than {_size(max_bytes)}, the most a {what} may be.",
                        file=str(p))
    return data


def decode_text(data: bytes, *, path: str | Path, what: str = "file") -> str:
    """Decode UTF-8 (byte-order mark allowed) or UTF-16 with a byte-order mark."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc)
            except UnicodeDecodeError as exc:
                raise UserError(f"starts with a {enc.upper()} byte-order mark but is not valid "
                                f"{enc.upper()} (bad bytes at byte {exc.start + len(bom)}); "
                                f"save the {what} as UTF-8 text.", file=str(path)) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        hint = (" It looks like UTF-16 without a byte-order mark;" if _looks_utf16(data)
                else " It looks like a binary file, not text;")
        raise UserError(f"contains a NUL byte at byte {nul}.{hint} a {what} must be UTF-8 "
                        "text.", file=str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line} "
                        f"(byte {exc.start}) cannot be decoded. Save the {what} as UTF-8 "
                        "(most editors: 'Save as' → encoding UTF-8).", file=str(path)) from None


def _looks_utf16(data: bytes) -> bool:
    sample = data[:200]
    return len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4
                                 or sample[0::2].count(0) > len(sample) // 4)


def read_text(path: str | Path, *, what: str = "file", max_bytes: int = MAX_CONFIG_BYTES) -> str:
    """A regular, bounded, decodable text file's content (see module docstring)."""
    return decode_text(read_bytes(path, what=what, max_bytes=max_bytes), path=path, what=what)


def read_toml(path: str | Path, *, what: str = "TOML file",
              max_bytes: int = MAX_CONFIG_BYTES) -> dict[str, Any]:
    """Parse a TOML file read by :func:`read_text`; every failure is a :class:`UserError`."""
    text = read_text(path, what=what, max_bytes=max_bytes)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"malformed TOML: {exc}", file=str(path)) from None
    except RecursionError:
        raise UserError("malformed TOML: tables or arrays nested too deeply to read.",
                        file=str(path)) from None
