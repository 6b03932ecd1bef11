"""Young people counted per commune code, read as the communes of the workspace.

Imports read each row's commune code against the reference base, the code of a commune
déléguée or associée, or of a municipal arrondissement, giving the commune it is part of (the
base's table ``codes_rattaches``). Contacts counted on Dask (``territory import contacts
FILE.parquet``) reach the workspace as counts per code and period: :func:`attach_counted_codes`
reads their codes the same way.
"""

from __future__ import annotations

import pandas as pd

from territory.io._places import Attached, Reference, attached_note, resolve_code
from territory.io._values import BadValue
from territory.io.workspace import Workspace

__all__ = ["attach_counted_codes"]

# The columns of counts that count young people (``contact_counts``), and the one that counts
# every young person reached.
COUNTED = ("repere", "mobilise", "accompagne")
REACHED = "repere"


def attach_counted_codes(counts: pd.DataFrame,
                         workspace: Workspace) -> tuple[pd.DataFrame, str | None]:
    """Count the young people of an attached code in the commune it is part of.

    Each young person is counted once per period, in one commune: adding the counts of the
    codes of one commune counts each of them once.

    Parameters
    ----------
    counts
        ``code_insee``, ``period`` and the counts ``repere``, ``mobilise``, ``accompagne``.
    workspace
        The workspace whose reference base tells which codes are attached to which commune.

    Returns
    -------
    counts, note
        The counts with every attached code replaced by its commune's (the same frame when
        none is), and the French note listing each code with its commune and the most young
        people it counted in one period (None when no code was attached). A code that is no
        commune at all is left as it is: it is counted outside the workspace's communes.
    """
    ref = Reference.load(workspace.read)
    attached: dict[str, Attached] = {}
    for code in pd.unique(counts["code_insee"].astype(str)):
        if code in ref.communes.index:
            continue
        try:
            found = resolve_code(code, ref).attached
        except BadValue:
            continue
        if found is not None:
            attached[code] = found
    if not attached:
        return counts, None
    codes = counts["code_insee"].astype(str)
    young = counts[REACHED].where(codes.isin(list(attached)), 0)
    most = young.groupby([codes, counts["period"]]).sum().groupby(level=0).max()
    note = attached_note({found: int(most[code]) for code, found in attached.items()}, ref,
                         unit=("jeune", "jeunes"))
    order = {period: i for i, period in enumerate(dict.fromkeys(counts["period"]))}
    mapped = counts.assign(code_insee=codes.map(lambda c: attached[c].parent
                                                if c in attached else c))
    summed = (mapped.groupby(["period", "code_insee"], sort=False)[list(COUNTED)].sum()
              .reset_index())
    summed = summed.sort_values(["period", "code_insee"],
                                key=lambda s: s.map(order) if s.name == "period" else s,
                                ignore_index=True)
    return summed[list(counts.columns)], note
