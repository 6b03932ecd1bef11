"""Build the director's report of the region or of one Mission Locale.

Pages, in order: title; headline figures and the funnel repérés → mobilisés → accompagnés;
the map of the invisible-zone score; young people in contact per month; the bilan d'impact
(when the workspace has actions and contacts); the ten least-reached
communes and why; the table of Missions Locales; methodology and sources. Every count of
young people derived from contacts is masked below the suppression threshold (11 by
default, digiNEET); "DONNÉES FICTIVES" is on every page made from demo data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from territory.analysis import Parameters, PeriodLike
from territory.analysis.travel import DEFAULT_MODE, ModeName
from territory.report._cover import TITLE, cover_page
from territory.report._data import ReportData, collect
from territory.report._figures import headline_page
from territory.report._impact import impact_page, impact_possible
from territory.report._maps import map_page
from territory.report._method import method_tables
from territory.report._rankings import ml_table, top_zones
from territory.report._style import Frame, decorate, style
from territory.report._tables import flow
from territory.report._timeline import series_page
from territory.report.document import Page, Report

__all__ = ["build_report"]


def build_report(
    layers: Mapping[str, pd.DataFrame],
    *,
    metadata: Mapping[str, Any],
    ml_code: str | None = None,
    period: PeriodLike = None,
    threshold_min: float = 30,
    date: dt.date | None = None,
    mode: ModeName = DEFAULT_MODE,
    window: str | None = None,
) -> Report:
    """Return the director's report of the region, or of one Mission Locale.

    Parameters
    ----------
    layers
        Workspace layers by name, in EPSG:2154: ``communes``, ``catchments`` and
        ``catchment_members`` (required), ``sites``, ``actions``, ``contacts``, ``mairies``
        (travel-time origins), ``departements`` and ``region`` (map outlines, name).
    metadata
        The workspace metadata (:meth:`territory.io.workspace.Workspace.metadata`): sources,
        vintages and the demo flags.
    ml_code
        One Mission Locale's code: its report shows its territory and no other ML's figures.
        None for the region's report.
    period
        ``(start, end)``, both included, e.g. ``("2020-01", "2021-11")``; None for the whole
        record (and the sites open today).
    threshold_min
        Access threshold in minutes (default 30: the France Services standard).
    date
        The date printed on the report; None for today. Pass a date to get the same document
        from the same workspace on another day.
    mode
        How young people travel (:mod:`territory.analysis.travel`; default public transport,
        the young people the report is about being the least likely to have a car).
    window
        The departure window of public transport from the timetables (``weekday_am``,
        ``weekday_pm``, ``saturday``), when the workspace has them; None: the estimate.

    Returns
    -------
    report
        The pages, the tables printed on them, and :meth:`~Report.write` to save it as PDF,
        PNG pages or HTML.

    Examples
    --------
    >>> from territory.io.workspace import Workspace
    >>> workspace = Workspace(demo_path)
    >>> layers = {name: workspace.read(name) for name in workspace.layers()}
    >>> report = build_report(layers, metadata=workspace.metadata(), ml_code="ML28")
    >>> [path.name for path in report.write(tmp_path / "rapport.png")][:2]
    ['rapport-1.png', 'rapport-2.png']
    """
    day = date or dt.date.today()
    params = Parameters(threshold_min=threshold_min, mode=mode, window=window)
    data = collect(layers, metadata=metadata, ml_code=ml_code, period=period, params=params)
    with style():
        pages = [headline_page(data), map_page(data), series_page(data)]
        if impact_possible(data):
            pages.append(impact_page(data))
        pages += _ranking_pages(data)
        pages += flow(method_tables(data), title="Méthodologie et sources",
                      subtitle="Chaque chiffre de ce rapport, d'où il vient et comment il "
                      "est calculé.")
        contents = _contents(pages)
        pages.insert(0, cover_page(data, date=day, contents=contents))
        frame = Frame(data.territory, data.period_label, day, data.demo)
        for number, page in enumerate(pages, start=1):
            decorate(page.figure, frame, number, len(pages))
    return Report(title=f"{TITLE} — {data.territory}", territory=data.territory,
                  period=data.period_label, date=day, demo=data.demo, pages=pages)


def _ranking_pages(data: ReportData) -> list[Page]:
    """Return the least-reached communes' page, then the MLs' (the same page for one ML)."""
    zones, mls = top_zones(data), ml_table(data)
    subtitle = f"{data.territory} · {data.period_label} · pourquoi chaque commune ressort"
    if not data.region:
        return flow((zones, mls), title="Les communes les moins atteintes", subtitle=subtitle)
    return (flow((zones,), title="Les communes les moins atteintes", subtitle=subtitle)
            + flow((mls,), title=mls.title, subtitle=data.period_label))


def _contents(pages: list[Page]) -> list[tuple[str, int]]:
    """Return each distinct page title with its first page number (the cover is page 1)."""
    seen: dict[str, int] = {}
    for number, page in enumerate(pages, start=2):
        seen.setdefault(page.title, number)
    return list(seen.items())
