"""The ten least-reached communes with their reasons, and the table of Missions Locales."""

from __future__ import annotations

from territory.report import _format as fmt
from territory.report._data import ReportData
from territory.report._format import Row
from territory.report.document import Table
from territory.viz.labels import format_number

TOP = 10
_MASKED_REASON = "détail masqué (secret statistique)"
_NO_REASON = "indice élevé sans facteur dominant"


def short_code(code: object) -> str:
    """Return an ML code as printed on the map: ``"ML07"`` → ``"07"``.

    Examples
    --------
    >>> short_code("ML07"), short_code("40123")
    ('07', '40123')
    """
    text = str(code)
    return text[2:] if text.upper().startswith("ML") and len(text) > 2 else text


def _commune(row: Row) -> str:
    dep = row.get("dep_code")
    return f"{row['zone_name']} ({dep})" if isinstance(dep, str) and dep else str(
        row["zone_name"])


def _reasons(row: Row) -> str:
    text = str(row.get("reasons") or "")
    if text:
        return fmt.thousands(text[:1].upper() + text[1:])
    return _MASKED_REASON if fmt.secret(row, "gap_score") else _NO_REASON


def top_zones(data: ReportData) -> Table:
    """Return the ten least-reached communes of the territory, with the reason of each."""
    t = data.params.threshold_min
    top = data.public_communes.sort_values("gap_rank").head(TOP)
    rows = []
    for rank, row in enumerate(top.to_dict("records"), start=1):
        where = (fmt.DASH if data.region else format_number(row["gap_rank"]))
        ml = " / ".join(short_code(c) for c in
                        str(data.ml_of_commune.get(row["zone_id"], fmt.DASH)).split(" / "))
        rows.append((str(rank), _commune(row), ml if data.region else where,
                     fmt.count(row, "youth"), fmt.count(row, "invisible_est"),
                     fmt.count(row, "reached"), fmt.minutes(row, "nearest_min"),
                     fmt.share(row, "covered_share", decimals=0),
                     fmt.number(row, "gap_score"), _reasons(row)))
    third = "N° ML" if data.region else "Rang régional"
    return Table(
        f"Les {TOP} communes les moins atteintes",
        ("Rang", "Commune (dép.)", third, "Jeunes 16–25 ans", "Invisibles estimés",
         "Jeunes atteints", "Accès le plus proche", f"Jeunes à moins de {t:g} min",
         "Indice", "Pourquoi"),
        tuple(rows), (True, False, not data.region, True, True, True, True, True, True, False),
        counts=("Jeunes atteints",), widths=(0.45, 1.55, 0.7, 0.8, 0.85, 0.8, 0.8, 0.85,
                                             0.6, 3.5),
        note=f"Rang 1 : la commune la moins atteinte. Accès : temps jusqu'au site ou lieu "
             f"d'aller-vers le plus proche. {fmt.SECRET_NOTE}")


def _ml_row(data: ReportData, row: Row, *, code: str, name: str,
            sites: int, actions: int) -> tuple[str, ...]:
    return (code, name, fmt.count(row, "youth"), fmt.count(row, "invisible_est"),
            format_number(sites), format_number(actions), fmt.count(row, "reached"),
            fmt.count(row, "accompagne"), fmt.number(row, "contacts_per_1000"),
            fmt.share(row, "covered_share"), fmt.number(row, "gap_score"),
            fmt.DASH if not code else format_number(row["gap_rank"]))


def _short_name(row: Row) -> str:
    name = str(row["zone_name"])
    return "ML " + name[len("Mission Locale "):] if name.startswith("Mission Locale ") else name


def ml_table(data: ReportData) -> Table:
    """Return one row per Mission Locale (or the ML and the region), with a total row."""
    t = data.params.threshold_min
    zones = data.catchments.sort_values("zone_id")
    if not data.region:
        zones = zones[zones["zone_id"] == data.ml_code]
    rows = [_ml_row(data, row, code=short_code(row["zone_id"]), name=_short_name(row),
                    sites=int(data.sites_by_ml.get(str(row["zone_id"]), 0)),
                    actions=int(data.actions_by_ml.get(str(row["zone_id"]), 0)))
            for row in zones.to_dict("records")]
    region = data.region_total.iloc[0].to_dict()
    rows.append(_ml_row(data, region, code="",
                        name=f"Ensemble de la région ({len(data.catchments)} ML)",
                        sites=int(data.sites_by_ml.sum()),
                        actions=int(data.actions_by_ml.sum())))
    title = ("Tableau par Mission Locale" if data.region
             else "La Mission Locale et la région")
    return Table(
        title,
        ("N°", "Mission Locale", "Jeunes 16–25 ans", "Invisibles estimés", "Sites",
         "Actions", "Jeunes atteints", "Accompagnés",
         f"Atteints pour {format_number(1000)} jeunes",
         f"Jeunes à moins de {t:g} min", "Indice", "Rang"),
        tuple(rows), (False, False, *([True] * 10)),
        counts=("Jeunes atteints", "Accompagnés"),
        widths=(0.4, 3.2, 0.79, 0.79, 0.5, 0.59, 0.7, 0.95, 0.85, 0.7, 0.55, 0.47),
        total=True, font_pt=8.0,
        note="ML : Mission Locale. Actions : actions d'aller-vers de la période. Jeunes "
             "atteints et accompagnés : par commune de résidence ; une commune "
             "partagée entre deux Missions Locales compte au prorata de sa part. Indice de "
             "zone invisible de 0 à 100 ; rang 1 = la moins atteinte."
             + (f" {fmt.SECRET_NOTE}" if data.region else ""))
