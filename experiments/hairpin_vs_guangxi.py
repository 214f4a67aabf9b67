"""The flagship experiment on the library API (the same as `cablesim run`).

Run from the repository root:  python experiments/hairpin_vs_guangxi.py
"""

from pathlib import Path

import cablesim

HERE = Path(__file__).resolve().parent

experiment = cablesim.load_experiment(HERE / "hairpin_vs_guangxi.toml")
result = cablesim.run_experiment(experiment)
cablesim.write_results(result, Path("results") / experiment.name)

columns = ["scenario", "served_gbps", "unserved_gbps", "cost_usd_per_mbps", "mean_rtt_ms",
           "intra_asean_mean_rtt_ms", "out_of_region_share"]
print(result.scenarios[columns].to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
print("calibration against the seed report:", result.calibration["verdict"])
