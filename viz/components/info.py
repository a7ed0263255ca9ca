"""The Info panel: the sections a NetLogo user expects, written for a seminar."""

from __future__ import annotations

import functools
from pathlib import Path

import solara

INFO = Path(__file__).resolve().parent.parent / "info.md"


@functools.cache
def info_text() -> str:
    return INFO.read_text()


@functools.cache
def info_html() -> str:
    """The Info text as HTML, made here: solara.Markdown would fetch KaTeX from a CDN.
    Symbols and terms of the glossary carry tooltips (:mod:`viz.glossary`)."""
    import markdown

    from viz.glossary import gloss_markdown

    return markdown.markdown(gloss_markdown(info_text()), extensions=["tables", "toc"])


@solara.component
def Info():
    with solara.Column(style={"max-width": "900px", "padding": "8px 16px"}):
        solara.HTML(tag="div", unsafe_innerHTML=info_html(), classes=["coalition-info"])
