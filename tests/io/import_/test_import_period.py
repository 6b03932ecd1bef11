"""Contacts of earlier years are imported, and the workspace keeps the period each layer covers.

The ML information system keeps young people's first contacts from before an outreach
programme: the impact study needs them (docs/methodology.md, "Bilan d'impact").
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from territory.io.workspace import Workspace

HEADER = "identifiant;date;code_insee;etape\n"


def test_contacts_of_earlier_years_are_imported_with_their_period(
        covered: Workspace, write: Callable[..., Path], imported: Callable[..., object]) -> None:
    rows = "".join(f"J{i};{day};33063;repéré\n" for i, day in
                   enumerate(("15/01/2017", "03/06/2018", "28/11/2021", "02/02/2019")))
    imported("contacts", write("contacts.csv", HEADER + rows), covered)
    contacts = covered.read("contacts")
    assert len(contacts) == 4
    assert str(contacts["date"].min().date()) == "2017-01-15"
    assert covered.metadata()["layers"]["contacts"]["period"] == ["2017-01-15", "2021-11-28"]


def test_a_layer_of_months_keeps_its_first_and_last_month(covered: Workspace) -> None:
    import pandas as pd

    counts = pd.DataFrame({"code_insee": ["33063", "33063"], "month": ["2018-03", "2017-12"],
                           "repere": [3, 1], "mobilise": [0, 2], "accompagne": [0, 0]})
    covered.write({"first_contacts": counts})
    assert covered.metadata()["layers"]["first_contacts"]["period"] == ["2017-12", "2018-03"]
    assert "period" not in covered.metadata()["layers"].get("catchments", {})
