"""A two-worker local Dask cluster, and a small national sample of real communes.

``data/national_sample.parquet`` holds about 600 communes of the 96 metropolitan
départements (see ``data/make_national_sample.py``); contacts are drawn on it with population
weights.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed", reason="the scale extra is not installed")

from territory import scale

SAMPLE = Path(__file__).with_name("data") / "national_sample.parquet"
STAGES = np.array(["repere", "mobilise", "accompagne", None], dtype=object)


@pytest.fixture(scope="session")
def client() -> Iterator[object]:
    """A local cluster of two single-threaded worker processes, for the whole session."""
    with scale.cluster(n_workers=2, threads_per_worker=1, memory_limit="1GiB") as running:
        yield running


@pytest.fixture(scope="session")
def national() -> dict[str, gpd.GeoDataFrame]:
    """Communes (with youth), town halls and two sites per département of the sample."""
    communes = gpd.read_parquet(SAMPLE)
    communes["youth"] = (communes["population"] * 0.106).round().astype("int64")
    communes["youth_source"] = "test: population × 10,6 %"
    mairies = gpd.GeoDataFrame({"code_insee": communes["code_insee"]},
                               geometry=gpd.points_from_xy(communes["mairie_x"],
                                                           communes["mairie_y"]), crs=2154)
    first = communes.groupby("dep_code").head(1).index
    sites = gpd.GeoDataFrame({"site_id": [f"S{i}" for i in range(len(first))],
                              "sessions_per_month": 8.0},
                             geometry=mairies.geometry.loc[first].to_numpy(), crs=2154)
    return {"communes": communes.drop(columns=["mairie_x", "mairie_y"]), "mairies": mairies,
            "sites": sites}


def draw_contacts(communes: gpd.GeoDataFrame, mairies: gpd.GeoDataFrame, n: int, *,
                  seed: int = 0, people: int | None = None) -> gpd.GeoDataFrame:
    """Contact points around the town halls, weighted by population, with awkward rows.

    About 3 contacts per young person, dates over 2019–2021 (a few missing), stages (a few
    missing), a few points without geometry and some outside every commune.
    """
    rng = np.random.default_rng(seed)
    weight = communes["population"].to_numpy(dtype=float)
    pick = rng.choice(len(mairies), n, p=weight / weight.sum())
    x = mairies.geometry.x.to_numpy()[pick] + rng.normal(0, 2500, n)
    y = mairies.geometry.y.to_numpy()[pick] + rng.normal(0, 2500, n)
    dates = pd.Series(pd.Timestamp("2019-01-01")
                      + pd.to_timedelta(rng.integers(0, 3 * 365, n), unit="D"))
    dates[rng.random(n) < 0.01] = pd.NaT
    geometry = gpd.points_from_xy(x, y)
    geometry[rng.random(n) < 0.01] = None
    return gpd.GeoDataFrame({
        "contact_id": [f"j{i}" for i in rng.integers(0, people or max(1, n // 3), n)],
        "date": dates.to_numpy(),
        "stage": rng.choice(STAGES, n, p=[0.55, 0.3, 0.1, 0.05]),
    }, geometry=geometry, crs=2154)


def write_parts(frame: pd.DataFrame, folder: Path, *, files: int,
                row_group: int) -> Path:
    """Write ``frame`` as ``files`` Parquet files of ``row_group`` rows a row group."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, rows in enumerate(np.array_split(np.arange(len(frame)), files)):
        frame.iloc[rows].to_parquet(folder / f"part-{number:03d}.parquet",
                                    row_group_size=row_group, index=False)
    return folder
