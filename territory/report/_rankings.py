"""The ten least-reached communes with their reasons, and the table of Missions Locales."""

from __future__ import annotations

import numpy as np
import pandas as pd

from territory.analysis import Parameters
from territory.report import _format as fmt
from territory.report._data import ReportData
from territory.report._format import Row
from territory.report.document import Table
from territory.viz.labels import format_number

TOP = 10
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


def least_reached(data: ReportData) -> pd.DataFrame:
    """Return the public rows of the territory's ten least-reached communes, rank 1 first.

    They are ranked by the score computed from published figures (``public_rank``, see
    :func:`territory.report._data.publishable_score`): ranked by the score itself, the order
    of a commune whose count is masked between two whose counts are printed would bound it.
    """
    return data.public_communes.sort_values("public_rank", kind="stable").head(TOP)


def _estimate(row: Row, column: str, public: str, *, decimals: int) -> str:
    """Return a published figure, or ``"~"`` and its estimate from published figures.

    A figure computed from a masked count of young people reached is an estimate.
    """
    if fmt.secret(row, column) is None and fmt.secret(row, "reached") is None:
        return (fmt.count(row, column) if decimals == 0
                else fmt.number(row, column, decimals=decimals))
    return "~" + format_number(float(row[public]), decimals=decimals)


def _reached_top(row: Row, threshold: int) -> float | None:
    """Return the most young people a commune may have reached, as far as the table says."""
    flag = fmt.secret(row, "reached")
    if flag is None:
        return float(row.get("reached") or 0.0)
    return threshold - 1.0 if flag.startswith("<") else None


def public_reasons(row: Row, *, params: Parameters, potential_max: float) -> str:
    """Say why a commune ranks high, from figures a public table may print.

    The words of :func:`territory.analysis.gap_reasons`, which give the same text for a commune
    whose figures are all published. Where the count of young people reached is masked, the
    need is read from the estimate of invisible young people (``public_invisible``) and the
    reach from the top of the mask (« < 11 »: 10): "peu de jeunes atteints" is said only when
    10 would leave it true.
    """
    youth, neet = float(row.get("youth") or 0.0), float(row.get("neet_est") or 0.0)
    invisible = float(row.get("public_invisible") or 0.0)
    reasons = []
    if potential_max > 0 and np.log1p(invisible) / np.log1p(potential_max) >= 0.5:
        reasons.append(f"beaucoup de jeunes ({format_number(youth)}), "
                       f"~{format_number(invisible)} invisibles estimés")
    if float(row.get("neet_rate") or 0.0) > params.neet_rate + 1e-12:
        reasons.append("taux de NEET estimé au-dessus du taux de référence")
    top = _reached_top(row, params.suppression_threshold)
    deficit = 1 - min(1.0, top / neet) if top is not None and neet > 0 else 0.0
    if deficit >= 0.9:
        reasons.append("presque personne atteint")
    elif deficit >= 0.5:
        reasons.append("peu de jeunes atteints")
    elif fmt.secret(row, "reached") is not None and top is not None:
        reasons.append(f"moins de {params.suppression_threshold} jeunes atteints")
    reasons += _access_reasons(row, params.threshold_min)
    text = " ; ".join(reasons) or _NO_REASON
    return text[:1].upper() + text[1:]


def _access_reasons(row: Row, threshold: float) -> list[str]:
    nearest, covered = row.get("nearest_min"), row.get("covered_share")
    if nearest is not None and not pd.isna(nearest) and nearest > threshold:
        return [f"loin de tout lieu d'accueil ({nearest:.0f} min)"]
    if covered is not None and not pd.isna(covered) and covered < 0.5:
        return [f"moins de la moitié des jeunes à moins de {threshold:g} min"]
    return []


def _top_row(data: ReportData, row: Row, rank: int) -> tuple[str, ...]:
    where = (" / ".join(short_code(c) for c in
                        str(data.ml_of_commune.get(row["zone_id"], fmt.DASH)).split(" / "))
             if data.region else format_number(row["public_rank"]))
    return (str(rank), _commune(row), where, fmt.count(row, "youth"),
            _estimate(row, "invisible_est", "public_invisible", decimals=0),
            fmt.count(row, "reached"), fmt.minutes(row, "nearest_min"),
            fmt.share(row, "covered_share", decimals=0),
            _estimate(row, "gap_score", "public_score", decimals=1),
            public_reasons(row, params=data.params, potential_max=data.potential_max))


def top_zones(data: ReportData) -> Table:
    """Return the ten least-reached communes of the territory, with the reason of each.

    Every figure in it can be published: counts below the threshold stay masked, and what
    depends on them (invisible young people, the score) is estimated from published figures
    only, marked "~" (see :func:`least_reached` and :func:`public_reasons`).
    """
    t, half = data.params.threshold_min, data.params.suppression_threshold / 2
    rows = [_top_row(data, row, rank) for rank, row in
            enumerate(least_reached(data).to_dict("records"), start=1)]
    third = "N° ML" if data.region else "Rang régional"
    return Table(
        f"Les {TOP} communes les moins atteintes",
        ("Rang", "Commune (dép.)", third, "Jeunes 16–25 ans", "Invisibles estimés",
         "Jeunes atteints", "Accès le plus proche", f"Jeunes à moins de {t:g} min",
         "Indice", "Pourquoi"),
        tuple(rows), (True, False, not data.region, True, True, True, True, True, True, False),
        counts=("Jeunes atteints",), widths=(0.45, 1.55, 0.7, 0.8, 0.85, 0.8, 0.8, 0.85,
                                             0.6, 3.5),
        note=f"Rang 1 : la commune la moins atteinte. Accès : temps "
             f"{data.params.travel_mode.words} jusqu'au site ou lieu d'aller-vers le plus "
             f"proche. {fmt.SECRET_NOTE} « ~ » : estimé en comptant un "
             f"effectif masqué pour {format_number(half, decimals=1)} (le milieu de 1 à "
             f"{data.params.suppression_threshold - 1}) ; le classement se fait sur ces "
             "estimations, pour que l'ordre des communes ne révèle aucun petit effectif.")


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
