"""Capacity planning: least-cost build-out for demand growth, and the business case.

A plan file (TOML) names an experiment (topology, demand, exchange policies, scenarios),
the links that may be extended and at what cost, and the planning years::

    from cablesim.planning import load_plan, run_plan, write_plan

    plan = load_plan("experiments/guangxi_business_case.toml")
    result = run_plan(plan)            # result.builds, .costs, .business_case, .sensitivity
    write_plan(result, "results/guangxi_business_case")

One planning year is one LP (HiGHS) that chooses capacity additions and routes the demand
at least annualised capex + O&M + lease + transit cost (:mod:`cablesim.planning.model`);
years are planned in sequence with built capacity carried forward, and the hub scenario's
net present value and payback against the baselines come from the plans' cash flows
(:mod:`cablesim.planning.run`). The method, file format and defaults are in
``docs/planning.md``.
"""

from cablesim.planning.model import Expansion, YearProblem, YearSolution, solve_year
from cablesim.planning.report import plan_markdown, tornado_figure, write_plan
from cablesim.planning.run import (
    PlanResult,
    ScenarioPlan,
    annuity_factor,
    business_case,
    cash_flows,
    payback_years,
    run_plan,
)
from cablesim.planning.spec import (
    SENSITIVITY_PARAMETERS,
    BusinessCase,
    ExtendSpec,
    Plan,
    PlanningSettings,
    SensitivitySpec,
    load_plan,
)

__all__ = [
    "load_plan",
    "run_plan",
    "write_plan",
    "plan_markdown",
    "tornado_figure",
    "Plan",
    "PlanningSettings",
    "ExtendSpec",
    "BusinessCase",
    "SensitivitySpec",
    "SENSITIVITY_PARAMETERS",
    "PlanResult",
    "ScenarioPlan",
    "cash_flows",
    "business_case",
    "payback_years",
    "annuity_factor",
    "Expansion",
    "YearProblem",
    "YearSolution",
    "solve_year",
]
