"""The impact study as it is shown: its table (CSV, JSON) and its event-study chart.

One table, :func:`impact_table`, feeds the CSV and JSON exports, the report and the
dashboard; an estimate that rests on fewer young people than the secrecy threshold has its
figures left blank there and is marked "secret statistique".
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from territory.analysis.impact import Estimate, ImpactStudy
from territory.viz.labels import DEMO_LABEL

__all__ = ["EFFECT_LABEL", "draw_event_study", "event_study_figure", "impact_json",
           "impact_table"]

EFFECT_LABEL = "jeunes de plus en contact par mois pour 1 000 jeunes"
_FIGURES = ("att", "se", "low", "high")
_OUTCOMES = {"reached": "jeunes en premier contact", "mobilise": "jeunes mobilisés",
             "accompagne": "jeunes accompagnés"}


def impact_table(study: ImpactStudy) -> pd.DataFrame:
    """Return one row per published figure: the region, each month since treatment, each ML.

    Columns: ``what`` (``ensemble``, ``mois``, ``ml``, ``consortium``), ``key`` (the month
    since treatment or the ML code), ``att``, ``se``, ``low``, ``high``, ``support``,
    ``zones``, ``note``. Unpublished figures are NaN with the note "secret statistique".
    """
    rows: list[dict[str, Any]] = []
    if study.overall is not None:
        rows.append(_row("ensemble", "région", study.overall))
    if study.consortium is not None:
        rows.append(_row("consortium", "membres / autres", study.consortium))
    for event in study.events.to_dict(orient="records"):
        rows.append(_row("mois", int(event["e"]), _of(event)))
    for ml in study.by_ml.to_dict(orient="records"):
        if isinstance(ml["reason"], str):
            rows.append({"what": "ml", "key": ml["ml_code"], "note": ml["reason"]})
        else:
            rows.append(_row("ml", ml["ml_code"], _of(ml)))
    columns = ["what", "key", *_FIGURES, "support", "zones", "note"]
    return pd.DataFrame(rows).reindex(columns=columns)


def _of(row: Mapping[Hashable, Any]) -> Estimate:
    return Estimate(float(row["att"]), float(row["se"]), float(row["low"]),
                    float(row["high"]), int(row["support"]), int(row["zones"]),
                    bool(row["published"]))


def _row(what: str, key: Any, est: Estimate) -> dict[str, Any]:
    if not est.published:
        return {"what": what, "key": key, "zones": est.zones, "note": "secret statistique"}
    return {"what": what, "key": key, "att": est.att, "se": est.se, "low": est.low,
            "high": est.high, "support": est.support, "zones": est.zones, "note": ""}


def impact_json(study: ImpactStudy, *, demo: bool) -> dict[str, Any]:
    """Return the study as plain values (the JSON export)."""
    table = impact_table(study)
    records = [{k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                for k, v in row.items()} for row in table.to_dict(orient="records")]
    return {"données": DEMO_LABEL if demo else "réelles", "lecture": study.words(),
            "unité": EFFECT_LABEL, "niveau": study.level,
            "résultat": _OUTCOMES.get(study.outcome, study.outcome), "source": study.source,
            "période": list(study.months), "zones_traitées": study.treated_zones,
            "zones_jamais_traitées": study.control_zones, "refus": study.refused,
            "mois_avant_sans_écart": (None if not np.isfinite(study.pretrend_covered)
                                      else study.pretrend_covered),
            "tirages_bootstrap": study.bootstrap, "seuil_secret": study.threshold,
            "estimations": records}


def event_study_figure(study: ImpactStudy, *, demo: bool) -> Figure:
    """Draw the effect by month since treatment, with its band; placebo months in grey."""
    figure = Figure(figsize=(9, 4.6), dpi=110)
    axes = figure.subplots()
    draw_event_study(axes, study)
    title = "Bilan d’impact : jeunes de plus en contact avec la Mission Locale"
    axes.set_title(title + (f" — {DEMO_LABEL}" if demo else ""), fontsize=10)
    figure.text(0.01, 0.01, "Callaway & Sant’Anna (2021), bande simultanée à 95 % "
                f"(bootstrap par ML, {study.bootstrap} tirages)", fontsize=7, color="#555555")
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    return figure


def draw_event_study(axes: Axes, study: ImpactStudy, *, size_pt: float = 8.0) -> None:
    """Draw the published event-study estimates on ``axes`` (or why there are none)."""
    events = study.events
    if study.refused or events.empty:
        axes.text(0.5, 0.5, f"Pas d’estimation : {study.refused or 'aucun mois'}",
                  ha="center", va="center", wrap=True, transform=axes.transAxes,
                  fontsize=size_pt + 1)
        axes.set_axis_off()
        return
    shown = events[events["published"]]
    before = shown["e"] < 0
    axes.axhline(0, color="#555555", linewidth=0.8)
    axes.axvline(-0.5, color="#999999", linewidth=0.8, linestyle="--")
    for mask, colour, label in ((before, "#8c8c8c", "mois avant (contrôle)"),
                                (~before, "#1f5fa8", "mois depuis le début")):
        part = shown[mask]
        axes.fill_between(part["e"], part["low"], part["high"], color=colour, alpha=0.18,
                          linewidth=0)
        axes.plot(part["e"], part["att"], "o-", color=colour, markersize=3.0,
                  linewidth=1.2, label=label)
    axes.set_xlabel("mois depuis le début de l’aller-vers à portée de la zone",
                    fontsize=size_pt)
    axes.set_ylabel("pour 1 000 jeunes, par mois", fontsize=size_pt)
    axes.tick_params(labelsize=size_pt)
    axes.legend(loc="upper left", frameon=False, fontsize=size_pt)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
