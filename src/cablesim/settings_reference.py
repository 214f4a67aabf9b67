"""The settings reference (``docs/settings.md``), generated from the declarations.

Every table of an experiment, study, simulation or plan file is listed here once, with the
dataclass that declares its keys (:mod:`cablesim.settings`); ``cablesim settings --out
docs/settings.md`` writes the reference and a test checks that the committed file is
current.
"""

from __future__ import annotations

from cablesim.demand import GravityParams
from cablesim.experiment.demand import CsvDemandSettings, DemandModel
from cablesim.experiment.spec import (
    CostSettings,
    ExperimentInfo,
    LinkEdit,
    LinkSettings,
    RoutingSettings,
)
from cablesim.latency import LatencyModel
from cablesim.lit import LitModel
from cablesim.markets import MarketModel
from cablesim.planning.spec import (
    BusinessCase,
    ExtendSpec,
    PlanHeader,
    PlanningSettings,
    SensitivitySpec,
)
from cablesim.settings import settings_markdown
from cablesim.simulation.config import (
    DiurnalCurve,
    FaultRates,
    RepairModel,
    RepairRegion,
    SimulationSettings,
)
from cablesim.study import PriceClaims, StudySettings

__all__ = ["SECTIONS", "settings_reference_markdown"]

SECTIONS: tuple[tuple[str, type, str], ...] = (
    ("`[experiment]`", ExperimentInfo,
     "What the experiment is and which files it reads. Paths are relative to the "
     "experiment file. The file also holds `[demand]`, `[routing]`, `[costs]` and `[links]` "
     "tables shared by its scenarios, and `[[scenario]]` tables (`name`, `description`, "
     "`policy`: a preset of the study or an inline table of rules, and `demand`, `routing`, "
     "`costs`, `links` tables that override the shared ones key by key)."),
    ("`[demand]`", DemandModel, "Which demand model a scenario uses."),
    ("`[demand]` with `model = \"gravity\"`", GravityParams,
     "The calibrated gravity model (`cablesim.demand.gravity_demand`; docs/demand.md)."),
    ("`[demand]` with `model = \"csv\"`", CsvDemandSettings,
     "A demand matrix file (origin, destination, gbps), grown from `base_year` to `year`."),
    ("`[routing]`", RoutingSettings, "How a scenario routes."),
    ("`[costs]`", CostSettings, "Annualisation of the capex of proposed links in service."),
    ("`[links]`", LinkSettings,
     "Which links are in service: existing and planned links ready by the network year, "
     "proposed links only when enabled. The experiment's enable and disable apply first, "
     "then the scenario's; within one level, disable wins."),
    ("`[[links.edit]]`", LinkEdit, "Re-price or re-size the links the selectors match."),
    ("`[study]`", StudySettings,
     "The study file (`study.toml` beside the topology, or `[experiment] study`): what makes "
     "the run a particular study. It also holds `[groups.<key>]` tables (`name`, `members`: "
     "ISO3 codes, `citation`), `[capitals]` (country = node id) and `[policies.<name>]` "
     "exchange-policy presets (`description`, `rules`; the preset `direct` exists in "
     "every study)."),
    ("`[calibration]`", PriceClaims, "The study's claims on delivered transit prices."),
    ("`[latency]`", LatencyModel, "The study's latency model (docs/latency.md): written by "
     "`cablesim calibrate-latency --update-study`; the defaults are plain physics."),
    ("`[lit]`", LitModel, "The study's rule for lit capacity by year (docs/demand.md): "
     "the defaults are design capacity throughout."),
    ("`[markets]`", MarketModel, "The study's local IP transit markets (docs/prices.md)."),
    ("`[simulation]`", SimulationSettings,
     "Faults, repairs and replays (`cablesim simulate`; docs/simulation.md). Replays are "
     "`[[replay]]` tables in the experiment file or in the files listed in `replays`."),
    ("`[simulation.faults]`", FaultRates, "Fault rates by link kind (facts-inputs A5.1)."),
    ("`[simulation.repair]`", RepairModel, "Repair times (facts-inputs A5.2)."),
    ("`[[simulation.repair.region]]`", RepairRegion,
     "A region whose submarine repairs wait for permits and, optionally, a limited fleet."),
    ("`[simulation.diurnal]`", DiurnalCurve, "The daily load shape in local time."),
    ("`[planning]`", PlanHeader,
     "What a plan file plans (`cablesim plan`; docs/planning.md). `[[variant]]` tables "
     "(`name`, `scenario`, `description`) copy a scenario under another name."),
    ("`[planning]`: settings", PlanningSettings, "The planning horizon, costs and solver."),
    ("`[[extend]]`", ExtendSpec, "Links that may be extended, and the cost of doing so."),
    ("`[[sensitivity]]`", SensitivitySpec, "A parameter of the business case and its low and high "
     "values."),
    ("`[business_case]`", BusinessCase, "The hub scenario and the baselines it is compared with."),
)
"""Every settings table: (TOML table, declaring dataclass, introduction)."""


def settings_reference_markdown() -> str:
    """The settings reference as Markdown (the content of ``docs/settings.md``)."""
    return settings_markdown(
        SECTIONS, title="Settings reference",
        preamble="Generated from the declarations in the code (`cablesim.settings`; do not "
        "edit by hand: run `cablesim settings --out docs/settings.md`). Every key has a type, "
        "a unit where it has one, a default and its allowed values; unknown keys and bad "
        "values are reported with the file and the key, and a 'did you mean' hint.")
