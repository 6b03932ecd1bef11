"""HTML fragments of the dashboards: figure cards, the funnel, a commune's explanation.

Every text is French, every number formatted the French way, every value escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from territory.viz.explain import commune_facts
from territory.viz.labels import format_number, html_text

__all__ = ["CSS", "SMALL_TABLE_CSS", "TABLE_CONFIGURATION", "card", "cards", "column_widths",
           "count_text", "explain_commune", "funnel_html", "number_formatters", "pct",
           "public_count", "public_figure", "published", "with_secret_marks"]

CSS = (Path(__file__).parent / "panes.css").read_text(encoding="utf-8")
SECRET_THRESHOLD = 11
# The tables' column titles wrap onto two lines rather than end in "…" ("Invisibles
# estimés", "Sous seuil %"): a director reads every header in full.
TABLE_CONFIGURATION = {"columnDefaults": {"headerWordWrap": True}}


# A table of many columns in a smaller type than the page's, so that all fit across, and the
# empty last cell of each row (Panel's filler) as narrow as its column: padded, it pushes
# the rows past the table's width.
SMALL_TABLE_CSS = (".pnx-tabulator.tabulator { font-size: 13px; }\n"
                   # the theme's small table pads every cell with !important
                   ".tabulator.table-sm .tabulator-tableholder .tabulator-table .tabulator-row "
                   ".tabulator-cell.empty { padding: 0 !important; border: 0; }")


def column_widths(titles: Sequence[str], *, minimum_px: int = 90,
                  char_px: float = 11.0) -> dict[str, int]:
    """Return widths in which each title's longest word fits beside the sort arrow.

    ``char_px`` is the width of a letter of the titles: 11 px in the tables' usual bold
    type, about 7.5 px in :data:`SMALL_TABLE_CSS`'s.

    Examples
    --------
    >>> column_widths(["Jeunes", "Invisibles estimés"])
    {'Jeunes': 106, 'Invisibles estimés': 150}
    """
    return {title: max(minimum_px, round(char_px * max(len(word) for word in title.split()))
                       + 40)
            for title in titles}


COMPONENT_LABELS = (("need_index", "besoin"), ("access_deficit", "manque d’accès"),
                    ("reach_deficit", "peu atteints"))


def pct(share: Any, *, decimals: int = 1) -> str:
    """Return a share as a French percentage, ``"71,2 %"`` (``"n. d."`` when unknown)."""
    if share is None or pd.isna(share):
        return "n. d."
    return f"{format_number(100 * share, decimals=decimals)}\u00a0%"


def count_text(value: Any) -> str:
    """Return a count rounded to a whole number, French style (``"n. d."`` when unknown)."""
    if value is None or pd.isna(value):
        return "n. d."
    return format_number(round(float(value)))


def public_count(value: Any, *, threshold: int = SECRET_THRESHOLD) -> str:
    """Return a count of young people, or ``"< 11"`` when it is from 1 to 10 (secret)."""
    if value is None or pd.isna(value):
        return "n. d."
    if 0 < round(float(value)) < threshold:
        return f"< {threshold}"
    return count_text(value)


def with_secret_marks(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Return columns of a public table with each masked cell shown as its mark.

    A cell that :func:`territory.analysis.suppress` masked shows the mark of its
    ``<column>_secret`` column (« < 11 », or « s » for the secret statistique); any other
    missing value reads "n. d.". The other cells stay numbers, so that a table still sorts
    on them (its number formatters write a mark as it is).

    Examples
    --------
    >>> from territory.analysis import suppress
    >>> t = suppress(pd.DataFrame({"zone_id": ["a", "b", "c"], "reached": [4, 30, 52]}))
    >>> with_secret_marks(t, ["reached"])["reached"].tolist()
    ['< 11', 's', 52.0]
    """
    out = table[list(columns)].copy()
    for column in columns:
        values = out[column]
        if not values.isna().any():
            continue
        secret = table.get(f"{column}_secret")
        marks = (pd.Series("n. d.", index=table.index, dtype=object) if secret is None
                 else secret.astype(object).where(secret.notna(), "n. d."))
        out[column] = values.astype(object).where(values.notna(), marks)
    return out


def number_formatters(columns: dict[str, int]) -> dict[str, dict[str, object]]:
    """Return Tabulator formatters that write numbers the French way (column → decimals)."""
    return {name: {"type": "money", "thousand": "\u202f", "decimal": ",",
                   "precision": decimals} for name, decimals in columns.items()}


def card(title: str, value: str, note: str = "", *, tone: str = "") -> str:
    """Return one figure card: a title, a big value and a note under it."""
    note_html = f'<div class="tc-note">{note}</div>' if note else ""
    return (f'<div class="tc-card {tone}"><div class="tc-title">{html_text(title)}</div>'
            f'<div class="tc-value">{value}</div>{note_html}</div>')


def cards(items: Sequence[str]) -> str:
    """Return cards side by side."""
    return f'<div class="tc-cards">{"".join(items)}</div>'


def published(row: Mapping[str, Any], column: str) -> str | None:
    """Return the mark of a masked cell of a public row (« < 11 », « s »), None if published."""
    mark = row.get(f"{column}_secret")
    return None if mark is None or pd.isna(mark) else str(mark)


def public_figure(row: Mapping[str, Any], column: str, *, share: bool = False) -> str:
    """Return a figure of a public row (territory.analysis.public_headline): its mark if masked."""
    mark = published(row, column)
    if mark is not None:
        return html_text(mark)
    return pct(row.get(column)) if share else count_text(row.get(column))


def funnel_html(row: Mapping[str, Any]) -> str:
    """Return the funnel repérés → mobilisés → accompagnés as bars with their rates.

    ``row`` is a public row (:func:`territory.analysis.public_headline`): a masked stage
    shows its mark over a hatched bar of fixed length, and no rate is computed from it, so
    that neither the bars nor the rates give a masked count back.
    """
    steps = (("repere", "repérés", None), ("mobilise", "mobilisés", "mobilise_rate"),
             ("accompagne", "accompagnés (orientés vers le droit commun)", "accompagne_rate"))
    shown = [float(row.get(k) or 0) for k, _, _ in steps if published(row, k) is None]
    top = max([*shown, 1.0])
    rows = []
    for key, label, rate_key in steps:
        mark = published(row, key)
        rate = ""
        if rate_key is not None and published(row, rate_key) is None \
                and not pd.isna(row.get(rate_key, float("nan"))):
            rate = (f'<span class="tc-rate">{pct(row[rate_key], decimals=0)} de l’étape '
                    "précédente</span>")
        if mark is None:
            width = max(2.0, 100 * float(row.get(key) or 0) / top)
            bar = f'<span style="width:{width:.1f}%"></span>'
        else:
            bar = '<span class="tc-masked" style="width:12%"></span>'
        rows.append(f'<div class="tc-step"><div class="tc-step-label">{html_text(label)}</div>'
                    f'<div class="tc-step-bar">{bar}</div>'
                    f'<div class="tc-step-value">{public_figure(row, key)}{rate}</div></div>')
    return f'<div class="tc-funnel">{"".join(rows)}</div>'


def _bar(label: str, value: float) -> str:
    width = 0.0 if pd.isna(value) else max(0.0, min(100.0, 100 * float(value)))
    shown = "n. d." if pd.isna(value) else f"{round(100 * float(value))}"
    return (f'<div class="tm-bar"><span class="tm-bar-label">{label}</span>'
            f'<span class="tm-bar-track"><span class="tm-bar-fill" style="width:{width:.0f}%">'
            f'</span></span><span class="tm-bar-value">{shown}</span></div>')


def explain_commune(row: Mapping[str, Any], *, rank: int, of: int, reasons: str,
                    threshold_min: float, can_add: bool, whatif: str = "",
                    components: Sequence[str] = ()) -> str:
    """Return the popup that explains a commune's invisible-zone score.

    Parameters
    ----------
    row
        The commune's indicators (one row of territory.analysis.indicators).
    rank, of
        Its rank among the selected communes (1 = least reached) and their number.
    reasons
        territory.analysis.gap_reasons for the row (French, separated by " ; ").
    threshold_min
        The access threshold, in minutes.
    can_add
        Offer the button that adds a candidate site at its town hall.
    whatif
        What an outreach action at its town hall would reach, in French (optional).
    components
        Each component in young people (territory.analysis.component_words), shown under
        its bar.
    """
    score = row.get("gap_score")
    parts = [f"<h4>{html_text(str(row['zone_name']))}</h4>",
             f'<div class="tm-muted">code INSEE {html_text(str(row["zone_id"]))} · '
             f"rang {format_number(rank)} sur {format_number(of)} (1 = la moins atteinte)</div>",
             f"<div><b>Indice de zone invisible : "
             f"{'n. d.' if pd.isna(score) else format_number(float(score), decimals=1)}"
             "</b> / 100</div>"]
    words = list(components) or [""] * len(COMPONENT_LABELS)
    for (key, label), said in zip(COMPONENT_LABELS, words, strict=True):
        parts.append(_bar(label, row.get(key, float("nan"))))
        if said:
            parts.append(f'<div class="tm-muted tm-said">{html_text(said)}</div>')
    parts.append(f'<div class="tm-muted">{html_text(commune_facts(row))}</div>')
    if reasons:
        items = "".join(f"<li>{html_text(r)}</li>" for r in reasons.split(" ; "))
        parts.append(f'<ul class="tm-reasons">{items}</ul>')
    if whatif:
        parts.append(f'<div class="tm-whatif">{html_text(whatif)}</div>')
    if can_add:
        parts.append(f'<button class="tm-action" data-action="add_mairie" '
                     f'data-code="{html_text(str(row["zone_id"]))}">'
                     f"Ajouter un lieu à la mairie (seuil {threshold_min:g} min)</button>")
    return "".join(parts)
