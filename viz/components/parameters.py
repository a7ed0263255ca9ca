"""The Parameters tab: every parameter the settings box takes, with its default, what
is allowed and what it means (``coalition parameters``, in the browser)."""

from __future__ import annotations

import html

import solara

from model.config import NATION_PARAMS, Param, all_params
from viz.glossary import gloss_html


def parameter_rows(query: str = "") -> list[tuple[str, str, str, str]]:
    """(name, default, allowed, meaning) of every parameter and per-nation field whose name
    or meaning contains ``query`` (any case); per-nation fields as ``ISO3.field``."""
    q = query.strip().lower()
    rows = []
    specs: list[tuple[str, Param]] = [(p.name, p) for p in all_params().values()]
    specs += [(f"ISO3.{p.name}", p) for p in NATION_PARAMS]
    for name, p in specs:
        meaning = p.doc + (f" [{p.absorbed}]" if p.absorbed else "")
        if q in name.lower() or q in meaning.lower():
            default = "the nation's own" if name.startswith("ISO3.") else repr(p.default)
            rows.append((name, default, p.allowed(), meaning))
    return rows


def parameters_html(rows: list[tuple[str, str, str, str]]) -> str:
    cells = "".join(
        f"<tr><td><code>{html.escape(n)}</code></td><td>{html.escape(d)}</td>"
        f"<td>{html.escape(a)}</td><td>{gloss_html(m)}</td></tr>" for n, d, a, m in rows)
    return ("<table class='coalition-parameters' style='border-collapse:collapse;font-size:0.85rem'>"
            "<tr><th align='left'>name</th><th align='left'>default</th><th align='left'>allowed"
            "</th><th align='left'>meaning</th></tr>" + cells + "</table>")


@solara.component
def Parameters():
    query = solara.use_reactive("")
    rows = parameter_rows(query.value)
    with solara.Column(style={"max-width": "1100px", "padding": "8px 16px"}):
        solara.HTML(tag="h3", unsafe_innerHTML="Every parameter")
        solara.Text("Any of these can be set in the sidebar's More settings box, one KEY=VALUE "
                    "a line (ISO3.field for one nation, e.g. DEU.us_reliance=1), as on the command "
                    "line (coalition run --set). A setting that would change nothing with the "
                    "others is refused, with the reason.", style={"font-size": "0.85rem"})
        solara.InputText("Find a parameter", value=query, continuous_update=True)
        solara.Text(f"{len(rows)} parameters", style={"font-size": "0.8rem", "color": "#666"})
        solara.HTML(tag="div", unsafe_innerHTML=parameters_html(rows))
