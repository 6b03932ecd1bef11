"""Build the demo: five fictional user layers on the real communes of the region."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from territory.demo._actions import build_actions
from territory.demo._catchments import build_catchments
from territory.demo._contacts import build_contacts
from territory.demo._first_contacts import build_first_contacts
from territory.demo._reference import region_from_layers
from territory.demo._sites import build_sites
from territory.io.workspace import Workspace

__all__ = ["DEFAULT_SEED", "DEMO_LAYERS", "DemoSummary", "build_demo", "demo_layers"]

DEFAULT_SEED = 2019
DEMO_LAYERS = ("catchments", "catchment_members", "sites", "actions", "contacts",
               "first_contacts")


@dataclass(frozen=True)
class DemoSummary:
    """What the demo generator wrote, in counts; ``str()`` gives a French summary.

    Examples
    --------
    >>> print(DemoSummary(catchments=43, consortium_members=37, sites=812, actions=5230,
    ...                   contacts=18400, young_people=18400, mobilised=11900,
    ...                   accompanied=7100, seed=2019))  # doctest: +NORMALIZE_WHITESPACE
    43 Missions Locales fictives (37 membres du consortium), 812 sites, 5 230 actions
    d'aller-vers, 18 400 jeunes repérés dont 11 900 mobilisés et 7 100 accompagnés (graine
    2019) — données fictives
    """

    catchments: int
    consortium_members: int
    sites: int
    actions: int
    contacts: int
    young_people: int
    mobilised: int
    accompanied: int
    seed: int

    def __str__(self) -> str:
        return (
            f"{self.catchments} Missions Locales fictives "
            f"({self.consortium_members} membres du consortium), {_fr(self.sites)} sites, "
            f"{_fr(self.actions)} actions d'aller-vers, {_fr(self.young_people)} jeunes "
            f"repérés dont {_fr(self.mobilised)} mobilisés et {_fr(self.accompanied)} "
            f"accompagnés (graine {self.seed}) — données fictives"
        )

    @classmethod
    def from_layers(cls, layers: dict[str, pd.DataFrame], *, seed: int) -> DemoSummary:
        """Count what the demo layers hold."""
        contacts = layers["contacts"]
        stage = contacts["stage"]
        return cls(
            catchments=len(layers["catchments"]),
            consortium_members=int(layers["catchments"]["in_consortium"].sum()),
            sites=len(layers["sites"]),
            actions=len(layers["actions"]),
            contacts=len(contacts),
            young_people=int(contacts["contact_id"].nunique()),
            mobilised=int(stage.isin(["mobilise", "accompagne"]).sum()),
            accompanied=int((stage == "accompagne").sum()),
            seed=seed,
        )


def _fr(number: int) -> str:
    """Format a count the French way, with a space between thousands."""
    return f"{number:,}".replace(",", " ")


def demo_layers(
    communes: gpd.GeoDataFrame, mairies: gpd.GeoDataFrame, *, seed: int = DEFAULT_SEED
) -> dict[str, pd.DataFrame]:
    """Generate the five demo layers from the communes and their town halls.

    A pure function: the inputs are not modified, and the same seed gives the same layers.
    Each stage (catchments, sites, actions, contacts) draws from its own random stream.

    Parameters
    ----------
    communes
        The ``communes`` reference layer with its ``youth`` column, in EPSG:2154.
    mairies
        The ``mairies`` reference layer (one town-hall point per commune), in EPSG:2154.
    seed
        The random seed.

    Returns
    -------
    dict
        ``catchments``, ``catchment_members``, ``sites``, ``actions``, ``contacts`` and
        ``first_contacts`` (young people in first contact per commune and month, every
        channel, from December 2017: the impact study's outcome).

    Notes
    -----
    The figures the demo reproduces, and their sources:

    - 43 Missions Locales in the region (ARML Nouvelle-Aquitaine), one covering a whole
      département (Landes) and one a single commune (Bordeaux); a few communes shared by two;
    - 37 of them in the IN Système consortium, which ran from 1 December 2019 to
      30 November 2021 (docs/methodology.md, "IN Système");
    - about 810 sites, about 19 per Mission Locale, mostly part-time permanences in town
      halls (Sénat report r16-575, 2015 figures);
    - the lockdowns of 17 March – 10 May 2020 and 30 October – 14 December 2020
      (décrets n° 2020-260 and n° 2020-1310).

    Everything else (actions per Mission Locale, young people met, funnel rates, distance
    decay) is illustrative and documented beside its constant.
    """
    region = region_from_layers(communes, mairies)
    # A new stage takes the next child seed: the earlier stages draw what they drew before.
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    catchments = build_catchments(region, rng=streams[0])
    sites = build_sites(region, catchments, rng=streams[1])
    actions = build_actions(region, catchments, rng=streams[2])
    contacts = build_contacts(region, catchments, actions, rng=streams[3])
    return {
        "catchments": catchments.layer,
        "catchment_members": catchments.members,
        "sites": sites,
        "actions": actions,
        "contacts": contacts,
        "first_contacts": build_first_contacts(region, sites, contacts, rng=streams[4]),
    }


def build_demo(workspace: Workspace, *, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Fill a workspace with fictional Missions Locales, sites, actions and young people.

    The catchments, sites, outreach actions and contacts are made up, on the real communes,
    population and town halls of the workspace; all six layers are written in one
    transaction and marked as demo data ("données fictives").

    Parameters
    ----------
    workspace
        The workspace to write to; its reference layers are read, not changed.
    seed
        The random seed; the same seed gives the same demo.

    Returns
    -------
    DemoSummary
        The counts of what was written.

    Examples
    --------
    >>> ws = Workspace.create(tmp_path / "territoire.gpkg")
    >>> print(build_demo(ws))  # doctest: +ELLIPSIS
    43 Missions Locales fictives (37 membres du consortium)...
    """
    layers = demo_layers(workspace.read("communes"), workspace.read("mairies"), seed=seed)
    workspace.write(layers, demo=True, source=f"territory demo (seed {seed})")
    return DemoSummary.from_layers(layers, seed=seed)
