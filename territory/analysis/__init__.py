"""Pure coverage analytics: demand, access, contacts, the invisible-zone score, zones, secrecy.

Functions take GeoDataFrames in Lambert-93 (EPSG:2154) and plain DataFrames, never modify
them, and return new frames on the input's index. :func:`indicators` gives the whole indicator
table of a level (docs/architecture.md, "Indicator contract"); :class:`Parameters` holds every
default with its source.
"""

from territory.analysis._checks import check_layers
from territory.analysis.access import (
    access,
    commune_origins,
    nearest_min,
    open_sites,
    outreach_places,
    supply_points,
)
from territory.analysis.contacts import (
    FUNNEL,
    contact_series,
    counts_of_period,
    funnel,
    funnel_rates,
    period_key,
    reached,
    stage_counts,
    young_people,
)
from territory.analysis.demand import demand, neet_rates
from territory.analysis.fca import TravelPairs, decay_weights, e2sfca
from territory.analysis.headline import (
    HEADLINE_SUMS,
    headline,
    public_headline,
    selection_weights,
)
from territory.analysis.hexagons import (
    by_hexagons,
    hexagon_crosswalk,
    hexagon_polygons,
    hexagon_weights,
)
from territory.analysis.indicators import (
    COMPONENT_COLUMNS,
    INDICATOR_COLUMNS,
    commune_table,
    indicators,
    public_tables,
)
from territory.analysis.params import Parameters
from territory.analysis.period import (
    Period,
    PeriodLike,
    as_period,
    in_period,
    parse_period,
    period_label,
    period_text,
    sites_in_service,
    sites_rule,
)
from territory.analysis.points import count_points, locate
from territory.analysis.score import (
    COMPONENTS,
    Classes,
    component_words,
    gap_reasons,
    gap_score,
    score_classes,
)
from territory.analysis.suppression import as_text, publish, suppress
from territory.analysis.zones import (
    LEVELS,
    Crosswalk,
    aggregate,
    by_code,
    by_members,
    ml_shares,
    rates,
)

__all__ = [
    "COMPONENTS",
    "COMPONENT_COLUMNS",
    "FUNNEL",
    "HEADLINE_SUMS",
    "INDICATOR_COLUMNS",
    "LEVELS",
    "Classes",
    "Crosswalk",
    "Parameters",
    "Period",
    "PeriodLike",
    "TravelPairs",
    "access",
    "aggregate",
    "as_period",
    "as_text",
    "by_code",
    "by_hexagons",
    "by_members",
    "check_layers",
    "commune_origins",
    "commune_table",
    "component_words",
    "contact_series",
    "count_points",
    "counts_of_period",
    "decay_weights",
    "demand",
    "e2sfca",
    "funnel",
    "funnel_rates",
    "gap_reasons",
    "gap_score",
    "headline",
    "hexagon_crosswalk",
    "hexagon_polygons",
    "hexagon_weights",
    "in_period",
    "indicators",
    "locate",
    "ml_shares",
    "nearest_min",
    "neet_rates",
    "open_sites",
    "outreach_places",
    "parse_period",
    "period_key",
    "period_label",
    "period_text",
    "public_headline",
    "public_tables",
    "publish",
    "rates",
    "reached",
    "score_classes",
    "selection_weights",
    "sites_in_service",
    "sites_rule",
    "stage_counts",
    "supply_points",
    "suppress",
    "young_people",
]
