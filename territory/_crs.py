"""The two coordinate reference systems of the package, named once.

Everything measured is in Lambert-93 (metres); web maps alone convert to WGS84.
"""

from __future__ import annotations

__all__ = ["LAMBERT93", "WGS84"]

LAMBERT93 = "EPSG:2154"
WGS84 = "EPSG:4326"
