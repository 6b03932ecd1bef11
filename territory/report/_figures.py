"""Headline figures and the funnel repérés → mobilisés → accompagnés."""

from __future__ import annotations

from matplotlib.axes import Axes

from territory.analysis import sites_rule
from territory.report import _format as fmt
from territory.report._data import ReportData
from territory.report._style import (
    ACCENT,
    BODY_PT,
    INK,
    MUTED,
    PAGE_IN,
    SECRET_FILL,
    SMALL_PT,
    content_box,
    fx,
    fy,
    new_page,
    page_title,
    paragraph,
    tile,
)
from territory.report.document import Page, Table
from territory.viz.labels import format_number

FUNNEL = (("repere", "repérés", "jeunes trouvés par la Mission Locale ou ses partenaires"),
          ("mobilise", "mobilisés", "revenus vers la Mission Locale"),
          ("accompagne", "accompagnés", "entrés en accompagnement (droit commun)"))


def headline(data: ReportData) -> Table:
    """Return the headline figures as a table (label, value, note)."""
    row = data.total.iloc[0].to_dict()
    t = data.params.threshold_min
    rows = (
        ("Jeunes de 16 à 25 ans", fmt.count(row, "youth"), "estimation par commune"),
        ("NEET estimés", fmt.count(row, "neet_est"),
         f"ni en emploi, ni en études, ni en formation ({fmt.share(row, 'neet_rate')})"),
        ("Jeunes invisibles estimés", fmt.count(row, "invisible_est"),
         "NEET inconnus des Missions Locales"),
        (f"Part des jeunes à moins de {t:g} min", fmt.share(row, "covered_share"),
         f"{(data.params.travel_mode.short or data.params.travel_mode.label).lower()}, "
         "d'un site ou d'un lieu d'aller-vers"),
        ("Sites d'accueil", format_number(len(data.sites)),
         f"sièges, antennes, permanences, partenaires {sites_rule(data.period)}"),
        ("Actions d'aller-vers", format_number(data.actions), "hors les murs, sur la période"),
        ("Jeunes atteints", fmt.count(row, "reached"),
         "jeunes distincts contactés, par commune de résidence"),
        (f"Jeunes atteints pour {format_number(1000)} jeunes",
         fmt.number(row, "contacts_per_1000"), "rapportés aux jeunes de 16 à 25 ans"),
    )
    return Table("Chiffres clés", ("Indicateur", "Valeur", "Précision"), rows,
                 (False, True, False), counts=("Valeur",))


def funnel_table(data: ReportData) -> Table:
    """Return the funnel as a table: count and conversion rate of each stage."""
    row = data.total.iloc[0].to_dict()
    rates = ("", fmt.share(row, "mobilise_rate") + " des repérés",
             fmt.share(row, "accompagne_rate") + " des mobilisés")
    rows = tuple((label, fmt.count(row, col), rate, about)
                 for (col, label, about), rate in zip(FUNNEL, rates, strict=True))
    return Table("Parcours des jeunes atteints", ("Étape", "Jeunes", "Taux", "Définition"),
                 rows, (False, True, True, False), counts=("Jeunes",), note=fmt.SECRET_NOTE)


def _funnel_values(data: ReportData) -> list[float | None]:
    """Each stage's count, None where it is masked."""
    row = data.total.iloc[0].to_dict()
    return [None if fmt.secret(row, col) else float(row[col]) for col, _, _ in FUNNEL]


def _draw_funnel(ax: Axes, table: Table, values: list[float | None]) -> None:
    top = max([v for v in values if v is not None] + [0.0]) or 1.0  # no one reached: 0
    for y, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        width = (value or 0) / top if value is not None else 0.12
        fill = (ACCENT, "#4b86b4", "#8fb8d8")[y] if value is not None else SECRET_FILL
        ax.barh(-y, width, height=0.62, color=fill, hatch=None if value is not None else "//",
                edgecolor="white" if value is not None else MUTED, linewidth=0.6)
        ax.text(-0.015, -y, row[0], ha="right", va="center", fontsize=12, weight="bold",
                color=INK)
        ax.text(width + 0.015, -y + 0.1, row[1], ha="left", va="bottom", fontsize=13,
                weight="bold", color=INK)
        ax.text(width + 0.015, -y - 0.05, row[2] or "point de départ", ha="left", va="top",
                fontsize=BODY_PT - 1, color=MUTED)
    ax.set_xlim(0, 1.32)
    ax.set_ylim(-len(table.rows) + 0.4, 0.5)
    ax.set_axis_off()


def headline_page(data: ReportData) -> Page:
    """Return the page of headline figures and the funnel."""
    fig = new_page()
    left, top, width, height = content_box()
    used = page_title(fig, "Chiffres clés", f"{data.territory} · {data.period_label}")
    figures, funnel = headline(data), funnel_table(data)
    gap, tile_h = 0.18, 1.3
    tile_w = (width - 3 * gap) / 4
    for n, (label, value, note) in enumerate(figures.rows):
        col, line = n % 4, n // 4
        tile(fig, left=left + col * (tile_w + gap), top=top + used + line * (tile_h + gap),
             width=tile_w, height=tile_h, value=value, label=label, note=note)
    y = top + used + 2 * tile_h + gap + 0.35
    fig.text(fx(left), fy(y), funnel.title, fontsize=12, weight="bold", va="top", color=INK)
    bottom = PAGE_IN[1] - (top + height) + 0.35
    ax = fig.add_axes((fx(left + 1.5), bottom / PAGE_IN[1], fx(width - 4.2),
                       (PAGE_IN[1] - y - 0.35 - bottom) / PAGE_IN[1]))
    _draw_funnel(ax, funnel, _funnel_values(data))
    note = (f"{fmt.SECRET_NOTE} Les jeunes sont comptés une fois, à l'étape la plus avancée "
            "atteinte sur la période.")
    paragraph(fig, note, left=left + width - 2.55, top=y + 0.45, width=2.55, size=SMALL_PT,
              color=MUTED)
    return Page("Chiffres clés", fig, tables=(figures, funnel))
