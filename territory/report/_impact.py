"""The "Bilan d'impact" page: the effect of outreach, its method, its assumptions, its limits.

The study is :func:`territory.analysis.impact.impact` with the command line's defaults and
the report's travel mode and threshold, over the whole record; its figures go through
:func:`territory.viz.impact.impact_table` (estimates resting on fewer young people than the
threshold are not printed).
"""

from __future__ import annotations

import pandas as pd

from territory._french import month_year
from territory.analysis.impact import ImpactStudy, impact
from territory.report._data import ReportData
from territory.report._style import (
    MUTED,
    PAGE_IN,
    SMALL_PT,
    content_box,
    fx,
    fy,
    new_page,
    page_title,
    paragraph,
)
from territory.report.document import Page, Table
from territory.viz.impact import draw_event_study, impact_table

__all__ = ["impact_page", "impact_possible", "impact_study"]

TITLE = "Bilan d’impact"
METHOD = (
    "Méthode. Une commune est « touchée » à partir du mois où une action d’aller-vers a lieu à "
    "sa portée : la durée de trajet en deçà de laquelle vivent 8 jeunes sur 10 atteints par ce "
    "type d’action, apprise des contacts (sinon le seuil d’accès). Pour chaque groupe de "
    "communes touchées le même mois et chaque mois, on compare l’évolution du nombre de jeunes "
    "entrés pour la première fois en contact avec une Mission Locale, pour 1 000 jeunes, à "
    "celle des communes pas encore ou jamais touchées (différences de différences échelonnées, "
    "Callaway et Sant’Anna 2021), puis on fait la moyenne. Intervalle : bootstrap par Mission "
    "Locale, 999 tirages, bande simultanée à 95 %.")
ASSUMPTIONS = (
    "Hypothèses. Sans aller-vers, les communes touchées auraient évolué comme celles qui ne "
    "l’étaient pas encore (tendances parallèles) : les mois d’avant, en gris, le vérifient en "
    "partie. L’aller-vers n’a pas d’effet avant d’arriver, et les jeunes touchés vivent dans "
    "les communes à sa portée.")
LIMITS = (
    "Limites. Les jeunes atteints qui vivent hors de la portée comptent dans les communes de "
    "comparaison et réduisent l’effet mesuré ; l’effet d’une Mission Locale seule, calculé par "
    "trimestre sur ses communes, est bien moins précis ; une estimation reposant sur moins de "
    "{threshold} jeunes n’est pas publiée ; ce n’est pas une expérience contrôlée.")


def impact_possible(data: ReportData) -> bool:
    """Whether the workspace holds what the study needs: actions, and contacts to count."""
    layers = data.layers
    counted = [layers.get(n) for n in ("first_contacts", "contacts")]
    return (layers.get("actions") is not None and len(layers["actions"]) > 0
            and "catchment_members" in layers
            and any(frame is not None and len(frame) for frame in counted))


def impact_study(data: ReportData) -> ImpactStudy:
    """Return the study the page shows (whole record, the report's mode and threshold)."""
    return impact(data.layers, params=data.params,
                  by_ml=[data.ml_code] if data.ml_code else False)


def _month(text: str) -> str:
    return month_year(pd.Period(text, "M").start_time.date())


def _fr(value: float) -> str:
    return f"{value:+.2f}".replace(".", ",").replace("-", "−")


def impact_tables(study: ImpactStudy, data: ReportData) -> Table:
    """Return the estimates printed: the region, the consortium, the report's ML."""
    table = impact_table(study)
    keep = table["what"].isin(["ensemble", "consortium"])
    if data.ml_code:
        keep |= (table["what"] == "ml") & (table["key"] == data.ml_code)
    names = {"ensemble": "Région, toutes les communes",
             "consortium": "Consortium IN Système contre les autres ML"}
    rows = []
    for row in table[keep].to_dict(orient="records"):
        name = names.get(str(row["what"]), f"{data.territory} (par trimestre)")
        if pd.isna(row["att"]):
            rows.append((name, "", "", str(row["note"])))
            continue
        rows.append((name, _fr(float(row["att"])),
                     f"{_fr(float(row['low']))} à {_fr(float(row['high']))}",
                     "" if pd.isna(row["zones"]) else f"{int(row['zones'])} zones"))
    return Table("Effet estimé, jeunes de plus en contact par mois pour 1 000 jeunes",
                 ("Comparaison", "Effet", "Intervalle à 95 %", "Remarque"), tuple(rows),
                 (False, True, True, False), widths=(3.2, 1.0, 1.6, 2.6))


def impact_page(data: ReportData) -> Page:
    """Return the "Bilan d'impact" page."""
    study = impact_study(data)
    fig = new_page()
    left, top, width, _ = content_box()
    used = page_title(fig, TITLE, "Là où l’aller-vers a commencé, plus de jeunes sont-ils "
                      "entrés en contact avec les Missions Locales que dans les communes "
                      f"comparables ? Mois relevés : {_month(study.months[0])} à "
                      f"{_month(study.months[1])}, toute la période des données.")
    used += paragraph(fig, study.words(), left=left, top=top + used, width=width,
                      size=10, weight="bold") + 0.1
    chart_h = 2.2
    ax = fig.add_axes((fx(left + 0.55), fy(top + used + chart_h),
                       fx(width - 0.7), chart_h / PAGE_IN[1]))
    draw_event_study(ax, study, size_pt=SMALL_PT)
    used += chart_h + 0.55
    table = impact_tables(study, data)
    for label, value, interval, note in table.rows:
        line = f"{label} : {value} ({interval})" if value else f"{label} : {note}"
        used += paragraph(fig, line, left=left, top=top + used, width=width,
                          size=SMALL_PT + 1) + 0.04
    used += 0.15
    limits = LIMITS.format(threshold=study.threshold)
    for text in (METHOD, ASSUMPTIONS, limits):
        used += paragraph(fig, text, left=left, top=top + used, width=width, size=SMALL_PT,
                          color=MUTED) + 0.1
    return Page(TITLE, fig, tables=(table,), text=(study.words(), METHOD, ASSUMPTIONS,
                                                   limits))
