"""Small counts: what a public table may show (statistical secrecy).

Rules, applied by :func:`suppress`:

1. **Primary**: a count of young people derived from contacts (``reached``, ``repere``,
   ``mobilise``, ``accompagne``) strictly between 0 and the threshold (default 11: counts 1–10,
   digiNEET barometer, docs/methodology.md, "Statistical secrecy") is masked and shown as
   "< 11".
   **Zeros are published**: "nobody was reached here" identifies no one, and hiding zeros would
   hide exactly the zones a coverage map is for.
2. **Complementary**: within each group of zones whose total may be published (the whole
   table; the zones of a département or an EPCI when those columns are present; the communes
   of each ML catchment when memberships are given), a column may not have exactly one masked
   cell, or the total minus the other cells would give it back.
   The smallest published non-zero cell of the group is masked too (a zero only when no other
   cell is left), and this repeats until every group holds no masked cell or at least two.
3. **Derived**: a figure computed from a masked count is masked with it: ``contacts_per_1000``,
   ``invisible_est`` (= NEET estimate × share − reached), the conversion rates, and the score's
   ``reach_deficit``, ``need_index`` and ``gap_score``.
4. **Score and rank from published figures** (:func:`publish`): a public table's
   ``gap_score`` and ``gap_rank`` are those of :func:`publishable_score`, where a masked count
   of young people reached counts as half the threshold. The true rank would give the count
   back: the score falls as the count grows and every other input is published, so a zone's
   place between two zones whose scores are printed bounds its count (with the rank of the
   true score, 2,133 of the 2,191 masked communes of the demo are recovered exactly; see
   :mod:`territory.analysis.disclosure`). The map's classes follow the published rank.

Masked cells become NA; a ``<column>_secret`` column beside each protected column says
"< 11" (primary) or "s" (secret statistique: complementary or derived), else NA.
:func:`as_text` renders a table of strings for publication.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from territory._errors import InputError
from territory.analysis.params import DEFAULTS, Parameters
from territory.analysis.score import gap_score

__all__ = ["COUNT_COLUMNS", "DERIVED_COLUMNS", "SCORE_INPUTS", "SECRET", "apply_masks",
           "as_text", "least_values", "publish", "publishable_score", "suppress",
           "with_public_score"]

COUNT_COLUMNS = ("reached", "repere", "mobilise", "accompagne")
DERIVED_COLUMNS: dict[str, tuple[str, ...]] = {
    "contacts_per_1000": ("reached",),
    "invisible_est": ("reached",),
    "mobilise_rate": ("repere", "mobilise"),
    "accompagne_rate": ("mobilise", "accompagne"),
    "reach_deficit": ("reached",),
    "need_index": ("reached",),
    "gap_score": ("reached",),
}
SECRET = "s"
# What the score is computed from (analysis.score); all published, but ``reached``.
SCORE_INPUTS = ("youth", "neet_est", "reached", "covered_share", "nearest_min")
GROUP_COLUMNS = ("dep_code", "epci_code")


Groups = list[tuple[NDArray[np.intp], NDArray[np.intp]]]


def _primary(values: pd.Series, threshold: float) -> NDArray[np.bool_]:
    v = values.astype("float64").to_numpy()
    return np.asarray((v > 0) & (v < threshold), dtype=bool)


def _complete(values: NDArray[np.float64], mask: NDArray[np.bool_],
              rows: NDArray[np.intp], groups: NDArray[np.intp]) -> NDArray[np.bool_]:
    """Mask one more cell in each group that has exactly one masked cell.

    ``rows`` and ``groups`` pair each row with each group it belongs to (a row may belong to
    several groups, e.g. a commune shared by two MLs).
    """
    n_groups = int(groups.max(initial=-1)) + 1
    masked = np.bincount(groups, weights=mask[rows], minlength=n_groups)
    size = np.bincount(groups, minlength=n_groups)
    candidate = ((masked == 1) & (size > 1))[groups] & ~mask[rows]
    if not candidate.any():
        return mask
    row, group = rows[candidate], groups[candidate]
    value = values[row]
    order = np.lexsort((row, value, value <= 0, group))
    group = group[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = group[1:] != group[:-1]
    out = mask.copy()
    out[row[order][first]] = True
    return out


def _groups(frame: pd.DataFrame, columns: Sequence[str] | None,
            memberships: pd.DataFrame | None) -> Groups:
    """Return the groups: the whole table, each column's groups, the memberships."""
    names = [g for g in GROUP_COLUMNS if g in frame] if columns is None else list(columns)
    missing = [g for g in names if g not in frame]
    if missing:
        raise InputError(f"suppress: group column(s) {missing} not in the table; it has "
                         f"{list(frame.columns)}")
    every = np.arange(len(frame), dtype=np.intp)
    found: Groups = [(every, np.zeros(len(frame), dtype=np.intp))]
    found += [(every, pd.factorize(frame[g].astype("object").fillna(""))[0].astype(np.intp))
              for g in names]
    if memberships is not None and len(memberships):
        ids = pd.Index(frame.get("zone_id", frame.index))
        rows = ids.get_indexer(pd.Index(memberships["zone_id"]))
        group = pd.factorize(memberships["group"])[0]
        found.append((rows[rows >= 0].astype(np.intp), group[rows >= 0].astype(np.intp)))
    return found


def _masks(frame: pd.DataFrame, threshold: float,
           groups: Groups) -> tuple[dict[str, NDArray[np.bool_]], dict[str, NDArray[np.bool_]]]:
    counts = [c for c in COUNT_COLUMNS if c in frame]
    primary = {c: _primary(frame[c], threshold) for c in counts}
    values = {c: frame[c].to_numpy(dtype=np.float64) for c in counts}
    masks = dict(primary)
    changed = True
    while changed:
        changed = False
        if "reached" in masks and "repere" in masks:  # the same people, counted twice
            masks["reached"] = masks["repere"] = masks["reached"] | masks["repere"]
        for col in counts:
            for rows, group in groups:
                grown = _complete(values[col], masks[col], rows, group)
                changed |= bool((grown != masks[col]).any())
                masks[col] = grown
    return primary, masks


def suppress(indicators: pd.DataFrame, *, threshold: int = 11,
             groups: Sequence[str] | None = None,
             memberships: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return a copy safe to publish: small contact counts and what reveals them masked.

    Parameters
    ----------
    indicators
        An indicator table (any level).
    threshold
        Counts from 1 to ``threshold − 1`` are masked (default 11: counts of 10 or fewer,
        digiNEET barometer, docs/methodology.md, "Statistical secrecy").
    groups
        Columns whose groups of zones may have a published total, besides the whole table
        (default: ``dep_code`` and ``epci_code`` where present).
    memberships
        Further groups that may overlap, as rows ``zone_id``, ``group``: e.g. the communes of
        each ML catchment, a shared commune belonging to two.

    Returns
    -------
    public
        The table on the same index, masked cells NA, with a ``<column>_secret`` column
        ("< 11", "s" or NA) beside each protected column.

    Examples
    --------
    >>> table = pd.DataFrame({"zone_id": ["a", "b", "c"], "reached": [4, 30, 52]})
    >>> suppress(table)[["reached", "reached_secret"]]
       reached reached_secret
    0      NaN           < 11
    1      NaN              s
    2     52.0            NaN
    """
    found = _groups(indicators, groups, memberships)
    primary, masks = _masks(indicators, threshold, found)
    out = apply_masks(indicators, primary, masks, threshold=threshold)
    out.attrs["suppression"] = {"threshold": threshold, "groups": len(found)}
    return out


def least_values(threshold: int) -> int:
    """Return how many counts a masked small count must keep possible, whatever is read.

    Half those its mark « < t » allows (1 to t − 1), rounded up: 5 for the threshold of 11.
    A reader of every public figure may know a masked count better than its mark says (an
    EPCI of fourteen masked communes and 20 young people in all leaves each at most 7), but
    never within fewer than these values (docs/methodology.md, "Statistical secrecy").

    Examples
    --------
    >>> least_values(11)
    5
    """
    return max(1, min(threshold - 1, threshold // 2))


def apply_masks(indicators: pd.DataFrame, primary: Mapping[str, NDArray[np.bool_]],
                masks: Mapping[str, NDArray[np.bool_]], *, threshold: int) -> pd.DataFrame:
    """Mask a table's counts (``masks``, of which ``primary`` are the small counts).

    Masked cells become NA with their mark beside them, and so does every figure derived
    from a masked count (:data:`DERIVED_COLUMNS`).
    """
    out = indicators.copy()
    label = f"< {threshold}"
    for col, mask in masks.items():
        flag = pd.Series(np.where(primary[col], label, SECRET), index=out.index,
                         dtype="object").where(mask)
        out[col] = out[col].astype("float64").mask(mask)
        out.insert(list(out.columns).index(col) + 1, f"{col}_secret", flag)
    for col, bases in DERIVED_COLUMNS.items():
        hidden = [masks[b] for b in bases if b in masks]
        if col not in out or not hidden:
            continue
        mask = np.logical_or.reduce(hidden)
        out[col] = out[col].astype("float64").mask(mask)
        out.insert(list(out.columns).index(col) + 1, f"{col}_secret",
                   pd.Series(SECRET, index=out.index, dtype="object").where(mask))
    return out


def publishable_score(public: pd.DataFrame, *, params: Parameters = DEFAULTS) -> pd.DataFrame:
    """Return each zone's score, rank and invisible young people from published figures only.

    A masked count of young people reached (« < 11 » or « s ») counts as half the threshold
    (5.5: the middle of 1 to 10); a published one as itself, so that a zone whose figures are
    all published keeps its score. Ranking zones by this score says nothing of a masked count,
    where ranking them by the score itself would: a zone's place between two whose counts are
    printed bounds its own count (the score falls as the count grows).

    Parameters
    ----------
    public
        A masked indicator table (:func:`territory.analysis.suppress`) of the whole region
        (the score's need is relative to its largest zone).
    params
        Weights, rates, threshold and the suppression threshold.

    Returns
    -------
    publishable
        ``public_score``, ``public_rank`` (1 = least reached) and ``public_invisible``, on the
        table's index.

    Examples
    --------
    >>> zones = pd.DataFrame({"youth": [1000.0, 400.0], "neet_est": [129.0, 51.6],
    ...     "reached": [30.0, None], "reached_secret": [None, "< 11"],
    ...     "covered_share": [1.0, 0.0], "nearest_min": [5.0, 60.0]})
    >>> publishable_score(zones).round(2)
       public_score  public_rank  public_invisible
    0         50.97            2             17.73
    1         80.58            1             13.59
    """
    masked = (public["reached_secret"].notna() if "reached_secret" in public
              else pd.Series(False, index=public.index))
    reached = public["reached"].astype("float64").where(
        ~masked, params.suppression_threshold / 2)
    invisible = (public["neet_est"] * params.invisible_share - reached).clip(lower=0.0)
    frame = public.assign(reached=reached, invisible_est=invisible)
    score = gap_score(frame, params=params)
    return pd.DataFrame({"public_score": score["gap_score"], "public_rank": score["gap_rank"],
                         "public_invisible": invisible}, index=public.index)


def publish(indicators: pd.DataFrame, *, params: Parameters = DEFAULTS,
            groups: Sequence[str] | None = None,
            memberships: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return an indicator table as every public output shows it.

    Small counts and what reveals them are masked (:func:`suppress`, threshold
    ``params.suppression_threshold``); the score and the rank are then those of
    :func:`publishable_score`, computed from the published figures alone, so that neither
    bounds a masked count. Where no count is masked they are the indicators' own.

    Parameters
    ----------
    indicators
        An indicator table of every zone of its level (the score's need is relative to the
        largest zone).
    params
        Weights, rates, threshold and the suppression threshold.
    groups, memberships
        Groups of zones whose totals may be published (see :func:`suppress`).

    Examples
    --------
    >>> zones = pd.DataFrame({"youth": [1000.0, 400.0, 900.0],
    ...     "neet_est": [129.0, 51.6, 116.1], "reached": [30.0, 4.0, 12.0],
    ...     "covered_share": [1.0, 0.0, 0.5], "nearest_min": [5.0, 60.0, 20.0]})
    >>> zones = zones.assign(invisible_est=zones["neet_est"] * 0.37 - zones["reached"])
    >>> zones = zones.join(gap_score(zones)[["gap_score", "gap_rank"]])
    >>> public = publish(zones)
    >>> public[["reached_secret", "gap_score", "gap_rank"]].round(1)
      reached_secret  gap_score  gap_rank
    0            NaN       51.0         3
    1           < 11       80.6         1
    2              s       76.5         2
    """
    public = suppress(indicators, threshold=params.suppression_threshold, groups=groups,
                      memberships=memberships)
    return with_public_score(public, params=params)


def with_public_score(public: pd.DataFrame, *, params: Parameters = DEFAULTS) -> pd.DataFrame:
    """Set a masked table's score and rank to those computed from its published figures."""
    if "gap_score" not in public or not all(c in public for c in SCORE_INPUTS):
        return public
    score = publishable_score(public, params=params)
    public["gap_score"] = score["public_score"]
    public = public.drop(columns=["gap_score_secret"], errors="ignore")
    if "gap_rank" in public:
        public["gap_rank"] = score["public_rank"]
    public.attrs["suppression"] = {**public.attrs.get("suppression", {}),
                                   "score": "published figures"}
    return public


def as_text(public: pd.DataFrame, *, decimals: int = 1) -> pd.DataFrame:
    """Render a suppressed table as strings: numbers in French, masked cells as flagged.

    Examples
    --------
    >>> table = suppress(pd.DataFrame({"reached": [4, 30, 52], "youth": [80.0, 95.5, 400.0]}))
    >>> as_text(table)
      reached  youth
    0    < 11   80,0
    1       s   95,5
    2      52  400,0
    """
    out = pd.DataFrame(index=public.index)
    for col in public.columns:
        if col.endswith("_secret"):
            continue
        values = public[col]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            whole = col in COUNT_COLUMNS or pd.api.types.is_integer_dtype(values)
            text = values.map(lambda v, whole=whole: _number(v, decimals, integer=whole))
        else:
            text = values.astype("object").where(values.notna(), "")
        secret = public.get(f"{col}_secret")
        out[col] = text if secret is None else secret.where(secret.notna(), text)
    return out


def _number(value: float, decimals: int, *, integer: bool) -> str:
    if pd.isna(value):
        return ""
    if integer and float(value).is_integer():
        return f"{int(value):d}"
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",")
