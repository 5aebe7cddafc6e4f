"""The report as one self-contained HTML page: figures embedded as base64 PNG."""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from sim.report.document import Block


def figure_png(fig: Any, dpi: int = 110) -> bytes:
    """A matplotlib figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


CSS = """body{font-family:-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;max-width:62em;
margin:2em auto;padding:0 1.2em;line-height:1.5;color:#1a1a1a;font-size:17px}
h1{font-size:1.9em;margin-bottom:.2em}h2{font-size:1.4em;margin-top:1.8em;
border-bottom:2px solid #0072B2;padding-bottom:.2em}h3{font-size:1.15em;margin:1.2em 0 .3em}
.sub{color:#555}table{border-collapse:collapse;margin:1em 0;width:100%;font-size:.92em}
th,td{border-bottom:1px solid #ccc;padding:.45em .6em;text-align:left;vertical-align:top}
th{background:#eef3f8}td small{color:#555}figure{margin:1.5em 0}
img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#333;font-size:.95em}
.note{font-size:.85em;color:#444;margin:.2em 0}
.warn{border-left:6px solid #B2182B;background:#fbeaea;padding:.6em 1em;margin:1em 0}
.warn b{color:#B2182B}"""


def render_html(doc: list[Block], figures: dict[str, Any], lang: str) -> str:
    """A single self-contained HTML page (figures as base64 PNG)."""
    e = html.escape
    out = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
           f"<title>{e(doc[0].text)}</title><style>{CSS}</style></head><body>"]
    for b in doc:
        if b.kind == "title":
            out.append(f"<h1>{e(b.text)}</h1><p class='sub'>{e(b.items[0])}</p>")
        elif b.kind == "h1":
            out.append(f"<h2>{e(b.text)}</h2>")
        elif b.kind == "h2":
            out.append(f"<h3>{e(b.text)}</h3>")
        elif b.kind == "p":
            text = e(b.text).replace("\n", "<br>")
            out.append(f"<p class='note'>{text}</p>" if b.small else f"<p>{text}</p>")
        elif b.kind == "bullets":
            out.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in b.items) + "</ul>")
        elif b.kind == "warning":
            out.append(f"<div class='warn' role='note'><b>{e(b.text)}</b><ul>"
                       + "".join(f"<li>{e(i)}</li>" for i in b.items) + "</ul></div>")
        elif b.kind == "table":
            head = "".join(f"<th>{e(h)}</th>" for h in b.header)
            body = "".join("<tr>" + "".join(_td(c, j) for j, c in enumerate(r)) + "</tr>"
                           for r in b.items)
            out.append(f"<table>{'<tr>' + head + '</tr>' if head else ''}{body}</table>")
        elif b.kind == "figure":
            data = base64.b64encode(figure_png(figures[b.key])).decode("ascii")
            # the alt text states the figure's message (its title), for screen readers
            alt = e(b.alt or b.text, quote=True)
            out.append(f"<figure><img alt=\"{alt}\" src='data:image/png;base64,{data}'>"
                       f"<figcaption>{e(b.text)}</figcaption></figure>")
    out.append("</body></html>")
    return "\n".join(out)


def _td(cell: str, col: int) -> str:
    first, _, rest = html.escape(cell).partition("\n")
    text = f"<b>{first}</b>" if col == 0 else first
    return f"<td>{text}{'<br><small>' + rest + '</small>' if rest else ''}</td>"
