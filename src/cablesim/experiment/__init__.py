"""Experiments: settings read once, scenarios prepared once, run into tidy tables.

Shaped like :mod:`cablesim.simulation` and :mod:`cablesim.planning`:

- :mod:`~cablesim.experiment.spec`: the experiment file read into typed settings;
- :mod:`~cablesim.experiment.demand`: a scenario's demand settings and the table they give;
- :mod:`~cablesim.experiment.prepare`: the one step from a scenario to what routing needs
  (used by ``run``, ``path``, the simulation, the planner and the maps);
- :mod:`~cablesim.experiment.tables`: the result arithmetic (costs, RTT, utilisation);
- :mod:`~cablesim.experiment.run`: every scenario routed and tabulated;
- :mod:`~cablesim.experiment.calibration`: the seed's price claims checked on the results;
- :mod:`~cablesim.experiment.path`: one pair's path, described;
- :mod:`~cablesim.experiment.write`: result folders written atomically.
"""

from cablesim.experiment.demand import DemandSpec
from cablesim.experiment.path import path_between
from cablesim.experiment.prepare import PreparedScenario, network_for_scenario, prepare_scenario
from cablesim.experiment.run import ExperimentResult, run_experiment
from cablesim.experiment.spec import (
    CostSettings,
    Experiment,
    LinkEdit,
    RoutingSettings,
    ScenarioSpec,
    experiment_inputs,
    load_experiment,
)
from cablesim.experiment.write import summary_markdown, write_results

__all__ = [
    "CostSettings",
    "DemandSpec",
    "Experiment",
    "ExperimentResult",
    "LinkEdit",
    "PreparedScenario",
    "RoutingSettings",
    "ScenarioSpec",
    "experiment_inputs",
    "load_experiment",
    "network_for_scenario",
    "path_between",
    "prepare_scenario",
    "run_experiment",
    "summary_markdown",
    "write_results",
]
