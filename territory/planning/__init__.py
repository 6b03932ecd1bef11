"""Where the next sites should go: coverage models, exact and greedy solvers, what-if.

Pure functions and small objects on GeoDataFrames in Lambert-93: this package never reads or
writes files. :class:`CoverageModel` holds demand, sites and travel times (sparse);
:class:`Instance` a planning question on it; :func:`exact` (HiGHS) and :func:`greedy` answer
it; :class:`Plan` updates the figures live as sites are added, moved or removed.
"""

from territory.planning.candidates import (
    existing_sites,
    hexagon_candidates,
    planning_sites,
    town_hall_candidates,
    user_sites,
)
from territory.planning.compare import Comparison, compare, compare_places
from territory.planning.exact import exact
from territory.planning.figures import Figures, plan_figures
from territory.planning.greedy import greedy
from territory.planning.instance import OBJECTIVES, Instance, Objective
from territory.planning.layers import layer_sites, model_from_layers, outreach_competitors
from territory.planning.model import (
    CANDIDATE,
    CHOSEN,
    COMPETITOR,
    REQUIRED,
    ROLE_LABELS,
    ROLES,
    CoverageModel,
)
from territory.planning.reach import ReachModel, ReachPlan, plan_reach, reach_model
from territory.planning.solution import SHORTFALLS, STATUSES, Solution
from territory.planning.solve import METHODS, chosen_points, solve
from territory.planning.whatif import Plan

__all__ = [
    "CANDIDATE",
    "CHOSEN",
    "COMPETITOR",
    "METHODS",
    "OBJECTIVES",
    "REQUIRED",
    "ROLES",
    "ROLE_LABELS",
    "SHORTFALLS",
    "STATUSES",
    "Comparison",
    "CoverageModel",
    "Figures",
    "Instance",
    "Objective",
    "Plan",
    "ReachModel",
    "ReachPlan",
    "Solution",
    "chosen_points",
    "compare",
    "compare_places",
    "exact",
    "existing_sites",
    "greedy",
    "hexagon_candidates",
    "layer_sites",
    "model_from_layers",
    "outreach_competitors",
    "plan_figures",
    "plan_reach",
    "planning_sites",
    "reach_model",
    "solve",
    "town_hall_candidates",
    "user_sites",
]
