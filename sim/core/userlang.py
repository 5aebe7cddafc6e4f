"""The language of the lines every command may print: errors, interruption, disk full, resume.

The entry point (:func:`sim.cli.main`) sets the language once from ``--lang`` (or the
locale, see :mod:`sim.cli.lang`) with :func:`set_lang`; the words here then follow it.
Each command's own tables and notes have their words in :mod:`sim.cli.lang`; the text of
most input errors (which file, which field, what is allowed) stays English, but its frame
("error:", "field", the usage hint, Typer's usage messages) follows the language.
"""

from __future__ import annotations

import re

LANGS = ("nl", "en")
_lang = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "error": "error",
        "field": "field",
        "internal": "internal error (a bug in Wijksim, please report it): {what}. Set "
                    "WIJKSIM_DEBUG=1 to see the traceback. Finished runs are kept.",
        "interrupted": "interrupted: the finished runs are kept ({n} in {folder}); resume "
                       "with: {command}",
        "interrupted_none": "interrupted: no run had finished, nothing was kept; run the "
                            "command again to start over.",
        "interrupted_plain": "interrupted: finished runs are kept; nothing else was written.",
        "resumed": "resuming: {n} run(s) found done in {folder}; running the rest.",
        "disk_full": "disk full: could not write {what}. The finished runs are kept; free "
                     "some space and run the same command again to continue.",
        "help_hint": "Try '{command} --help' for help.",
        "nan": "{value} is not a number (NaN); give a finite number.",
        "inf": "{value} is infinite; give a finite number.",
    },
    "nl": {
        "error": "fout",
        "field": "veld",
        "internal": "interne fout (een bug in Wijksim, meld die a.u.b.): {what}. Zet "
                    "WIJKSIM_DEBUG=1 voor de traceback. Voltooide runs blijven bewaard.",
        "interrupted": "onderbroken: de voltooide runs blijven bewaard ({n} in {folder}); "
                       "verder met: {command}",
        "interrupted_none": "onderbroken: nog geen run was voltooid, er is niets bewaard; start "
                            "het commando opnieuw.",
        "interrupted_plain": "onderbroken: voltooide runs blijven bewaard; verder is niets "
                             "geschreven.",
        "resumed": "hervat: {n} run(s) al klaar in {folder}; de rest wordt gedraaid.",
        "disk_full": "schijf vol: kon {what} niet schrijven. De voltooide runs blijven "
                     "bewaard; maak ruimte vrij en start hetzelfde commando opnieuw om verder "
                     "te gaan.",
        "help_hint": "Zie '{command} --help' voor hulp.",
        "nan": "{value} is geen getal (NaN); geef een eindig getal.",
        "inf": "{value} is oneindig; geef een eindig getal.",
    },
}

#: Typer's (click's) usage messages in Dutch: pattern → replacement, first match wins.
USAGE_NL: list[tuple[str, str]] = [
    (r"^No such option: (\S+)", r"onbekende optie: \1"),
    (r"^No such command '([^']*)'", r"onbekend commando '\1'"),
    (r"^Missing argument '([^']*)'", r"argument '\1' ontbreekt"),
    (r"^Missing option '([^']*)'", r"optie '\1' ontbreekt"),
    (r"^Option '([^']*)' requires an argument", r"optie '\1' heeft een waarde nodig"),
    (r"^Invalid value for '([^']*)'", r"ongeldige waarde voor '\1'"),
    (r"^Got unexpected extra arguments? \(([^)]*)\)", r"onverwachte extra argumenten (\1)"),
    (r"Did you mean ", "Bedoelde u "),
    (r"is not a valid integer", "is geen geheel getal"),
    (r"is not a valid float", "is geen getal"),
    (r"is not in the range", "ligt niet in het bereik"),
    (r"is not one of", "is niet een van"),
    (r"should be greater than or equal to", "moet minstens"),
    (r"should be less than or equal to", "mag hoogstens"),
]


def set_lang(lang: str) -> None:
    """Choose the language of these lines ('nl' or 'en'; anything else gives English)."""
    global _lang
    _lang = lang if lang in LANGS else "en"


def current_lang() -> str:
    """The language set by :func:`set_lang` ('en' until then)."""
    return _lang


def say(key: str, /, **kw: object) -> str:
    """The message ``key`` in the current language, filled in."""
    return MESSAGES[_lang][key].format(**kw)


def usage_text(message: str) -> str:
    """A usage message of Typer in the current language."""
    if _lang != "nl":
        return message
    for pattern, repl in USAGE_NL:
        message = re.sub(pattern, repl, message)
    return message
