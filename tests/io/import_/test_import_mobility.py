"""The share of young people without a car, by commune, and the mix mode that reads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from territory._errors import Problem
from territory.analysis import Parameters, access
from territory.io.importing import ImportReport
from territory.io.workspace import Workspace

SHARES = ("Code INSEE;Commune;Part sans voiture\n"
          "33063;Bordeaux;45 %\n"
          "33522;Talence;0,38\n"
          "23096;Guéret;52\n"
          "75056;Paris;60\n")


def test_shares_in_any_notation_and_the_others_keep_the_default(
    workspace: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
) -> None:
    report = imported("mobility", write("mobilite.csv", SHARES), workspace)
    assert (report.rows_read, report.imported, report.skipped) == (4, 3, 1)
    assert "3 commune(s) avec leur part de jeunes sans voiture" in str(report)
    communes = workspace.read("communes").set_index("code_insee")
    assert communes.loc[["33063", "33522", "23096"], "no_car_share"].tolist() == [
        0.45, 0.38, 0.52]
    assert communes["no_car_share"].isna().sum() == len(communes) - 3


def test_a_wrong_share_is_named_by_row_and_column_and_nothing_changes(
    workspace: Workspace, write: Callable[..., Path],
    refused: Callable[..., list[Problem]], problem: Callable[..., Problem],
) -> None:
    path = write("mobilite.csv", "Code INSEE;Part sans voiture\n33063;beaucoup\n"
                                 "33522;140\n33522;20\n")
    problems = refused("mobility", path, workspace)
    problem(problems, "'beaucoup' is not a number", row=2, column="Part sans voiture")
    problem(problems, "between 0 and 100 %", row=3, column="Part sans voiture")
    problem(problems, "already on row 3", row=4, column="Code INSEE")
    missing = write("sans.csv", "Code INSEE;Population\n33063;3\n")
    problem(refused("mobility", missing, workspace), "--map", "no_car_share")


def test_the_mix_reads_each_communes_share(
    workspace: Workspace, write: Callable[..., Path], imported: Callable[..., ImportReport],
) -> None:
    imported("mobility", write("mobilite.csv", SHARES), workspace)
    communes, mairies = workspace.read("communes"), workspace.read("mairies")
    sites = mairies[mairies["code_insee"] == "33318"].assign(sessions_per_month=4.0)
    mix = Parameters(mode="mix")
    got = access(communes, sites, mairies=mairies, params=mix).set_index(
        communes["code_insee"])["site_min"]
    default = access(communes.drop(columns="no_car_share"), sites, mairies=mairies,
                     params=mix).set_index(communes["code_insee"])["site_min"]
    # More young people without a car (45 % > 31 %): a longer average trip; the others as
    # before.
    assert got["33063"] > default["33063"]
    assert got["33522"] > default["33522"]
    others = ~got.index.isin(["33063", "33522", "23096"])
    np.testing.assert_allclose(got[others], default[others])
    # Other modes do not read it.
    by_bus = access(communes, sites, mairies=mairies, params=Parameters())["site_min"]
    by_bus_default = access(communes.drop(columns="no_car_share"), sites, mairies=mairies,
                            params=Parameters())["site_min"]
    np.testing.assert_allclose(by_bus, by_bus_default)


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_a_communes_share_sets_its_mix(share: float) -> None:
    mix = Parameters(mode="mix")
    minutes = mix.travel_min(np.array([8_000.0]), no_car=np.array([share]))
    expected = (share * Parameters(mode="transit").travel_min(8_000.0)
                + (1 - share) * Parameters(mode="car").travel_min(8_000.0))
    assert float(minutes[0]) == pytest.approx(expected)
