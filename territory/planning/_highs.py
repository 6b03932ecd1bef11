"""HiGHS (Huangfu & Hall 2018) on sparse models: pass arrays, read back the true status.

A model is given in minimisation form with a column-wise sparse matrix. The status comes from
HiGHS's model status, never from the presence of a solution: a run the time limit cut short
is ``time_limit`` with its proven bound, whatever the incumbent's quality.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
_STATUS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kModelEmpty: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time_limit",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kInterrupt: "interrupted",
    highspy.HighsModelStatus.kIterationLimit: "iteration_limit",
}
_banner_shown = False


class Clock:
    """Wall-clock budget shared by the stages of a solve."""

    def __init__(self, limit_s: float):
        self.started, self.limit_s = time.perf_counter(), limit_s

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.started

    def left(self) -> float:
        """Seconds left (0 when the budget is spent)."""
        return max(self.limit_s - self.elapsed(), 0.0)


@dataclass(frozen=True)
class Model:
    """``min cost·x + offset`` s.t. ``row_lower ≤ matrix·x ≤ row_upper``, bounds, integers."""

    cost: FloatArray
    lower: FloatArray
    upper: FloatArray
    matrix: sp.csc_array
    row_lower: FloatArray
    row_upper: FloatArray
    integer: NDArray[np.bool_]
    offset: float = 0.0


@dataclass(frozen=True)
class Result:
    """What HiGHS proved: status, best solution, its objective and the dual bound."""

    status: str
    x: FloatArray | None
    objective: float
    bound: float
    seconds: float
    nodes: int
    row_dual: FloatArray | None = None


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence the banner HiGHS prints on stdout when the first instance is made."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _highs(*, time_limit_s: float, threads: int | None) -> highspy.Highs:
    global _banner_shown  # noqa: PLW0603 - HiGHS prints its banner once per process
    if _banner_shown:
        solver = highspy.Highs()
    else:
        with _quiet_stdout():
            solver = highspy.Highs()
        _banner_shown = True
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("time_limit", float(max(time_limit_s, 0.01)))
    if threads:
        solver.setOptionValue("threads", int(threads))
    return solver


def _lp(model: Model, *, relax: bool) -> highspy.HighsLp:
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(model.cost), len(model.row_lower)
    lp.col_cost_, lp.offset_ = model.cost, model.offset
    lp.col_lower_, lp.col_upper_ = model.lower, model.upper
    lp.row_lower_, lp.row_upper_ = model.row_lower, model.row_upper
    matrix = sp.csc_array(model.matrix)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    if not relax and model.integer.any():
        integer, continuous = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
        lp.integrality_ = [integer if flag else continuous for flag in model.integer]
    return lp


def solve_mip(model: Model, *, time_limit_s: float, rel_gap: float,
              start: FloatArray | None = None, threads: int | None = None) -> Result:
    """Solve the mixed-integer model.

    ``start`` is a feasible point: every column, or only the integer ones (HiGHS then
    completes the others by solving a sub-problem).
    """
    solver = _highs(time_limit_s=time_limit_s, threads=threads)
    solver.setOptionValue("mip_rel_gap", float(rel_gap))
    solver.setOptionValue("mip_abs_gap", 1e-9)
    solver.passModel(_lp(model, relax=False))
    if start is not None and len(start) == len(model.cost):
        solution = highspy.HighsSolution()
        solution.col_value = np.asarray(start, dtype=np.float64)
        solution.value_valid = True
        solver.setSolution(solution)
    elif start is not None:
        columns = np.flatnonzero(model.integer).astype(np.int32)
        solver.setSolution(len(columns), columns,
                           np.asarray(start, dtype=np.float64)[: len(columns)])
    began = time.perf_counter()
    solver.run()
    info = solver.getInfo()
    status = _STATUS.get(solver.getModelStatus(), "error")
    has_x = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    x = np.asarray(solver.getSolution().col_value, dtype=np.float64) if has_x else None
    bound = float(info.mip_dual_bound)
    return Result(status, x, float(info.objective_function_value) if has_x else np.inf,
                  bound if np.isfinite(bound) else -np.inf, time.perf_counter() - began,
                  int(info.mip_node_count))


def solve_lp(model: Model, *, time_limit_s: float, solver_name: str = "ipm",
             threads: int | None = None) -> Result:
    """Solve the LP relaxation (interior point by default, no crossover); keep the duals."""
    solver = _highs(time_limit_s=time_limit_s, threads=threads)
    solver.setOptionValue("solver", solver_name)
    if solver_name == "ipm":
        solver.setOptionValue("run_crossover", "off")
    solver.passModel(_lp(model, relax=True))
    began = time.perf_counter()
    solver.run()
    status = _STATUS.get(solver.getModelStatus(), "error")
    solution = solver.getSolution()
    x = np.asarray(solution.col_value, dtype=np.float64)
    duals = np.asarray(solution.row_dual, dtype=np.float64)
    value = float(solver.getInfo().objective_function_value)
    return Result(status, x, value, value, time.perf_counter() - began, 0, duals)
