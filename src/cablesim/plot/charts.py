"""Charts of experiment results (placeholder, filled below)."""
def plot_latency_cdf(*a, **k): raise NotImplementedError
def plot_country_costs(*a, **k): raise NotImplementedError
def plot_utilisation_histogram(*a, **k): raise NotImplementedError
def plot_transit_prices(*a, **k): raise NotImplementedError
