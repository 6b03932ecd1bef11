"""Contacts from an i-Milo export: pseudonymous identifier, date, residence, funnel stage."""

from __future__ import annotations

import pandas as pd

from territory.io._columns import Columns
from territory.io._context import (
    Built,
    Context,
    as_dates,
    checked_date,
    commune_codes,
    good_rows,
    require,
    texts,
)
from territory.io._personal import pseudonymise
from territory.io._problems import Findings
from territory.io._values import as_text, is_blank, shown
from territory.io._vocabulary import stage

__all__ = ["build_contacts"]


def build_contacts(findings: Findings, columns: Columns, ctx: Context, *,
                   keys: list[str]) -> Built:
    """Build the ``contacts`` layer; identifiers are replaced by their keyed hash."""
    require(findings, columns, "contacts", ("contact_id", "date", "code_insee", "stage"))
    ids = texts(findings, columns.get("contact_id"))
    for pos, value in enumerate(ids):
        if columns.get("contact_id") and not value:
            findings.row(pos, "is empty; expected the young person's i-Milo identifier",
                         column=columns.get("contact_id"))
    dates = findings.parse(columns.get("date"), checked_date(ctx.today))
    stages = findings.parse(columns.get("stage"), stage)
    codes, outside = commune_codes(findings, columns, ctx)
    actions = texts(findings, columns.get("action_id"))
    ml = _ml_codes(findings, columns, ctx, actions, codes)
    if findings.file_problems:
        return Built({})
    keep = good_rows(findings)
    frame = pd.DataFrame({
        "contact_id": pseudonymise([ids[i] for i in keep], keys),
        "date": as_dates([dates[i] for i in keep]),
        "ml_code": [ml[i] for i in keep],
        "action_id": [actions[i] for i in keep],
        "code_insee": [codes[i] for i in keep],
        "stage": [stages[i] for i in keep],
    })
    notes = ["identifiants pseudonymisés (HMAC-SHA256) ; la clé est gardée hors de l'espace "
             "de travail (territory key show)"]
    kept_outside = len(outside & set(keep.tolist()))
    if kept_outside:
        notes.append(f"{kept_outside} contact(s) résidant hors région")
    return Built({"contacts": frame}, notes=notes)


def _ml_codes(findings: Findings, columns: Columns, ctx: Context, actions: list[str],
              codes: list[str]) -> list[str]:
    """Return each contact's ML: as given, else its action's, else its commune's."""
    column = columns.get("ml_code")
    given = texts(findings, column)
    by_action = _action_ml(ctx) if any(actions) else {}
    result = [""] * len(given)
    for pos, code in enumerate(given):
        if code and not ctx.ml.known(code):
            findings.row(pos, f"{shown(code)} is not a Mission Locale of the workspace; "
                         f"expected one of {ctx.ml.listed()} (layer catchments)", column=column)
            continue
        result[pos] = (code or by_action.get(actions[pos], "")
                       or ctx.ml.by_commune.get(codes[pos], ""))
        if not result[pos] and pos not in findings.bad_rows and columns.get("code_insee"):
            findings.row(pos, "has no Mission Locale: none given, no known action, and its "
                         "commune is in no catchment of the workspace; give it in a `Code ML` "
                         "column", column=column)
    return result


def _action_ml(ctx: Context) -> dict[str, str]:
    actions = ctx.read("actions")
    return {as_text(a): as_text(m) for a, m in zip(actions["action_id"], actions["ml_code"],
                                                   strict=True) if not is_blank(a)}
