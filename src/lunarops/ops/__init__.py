"""lunarops.ops: station operations hour by hour (power, life support, ISRU, comms, failures), Monte Carlo
margins and power sizing. See docs/operations.md."""

from lunarops.ops.inputs import EngineInputs, LightSeries, build_inputs
from lunarops.ops.montecarlo import OpsResult, simulate
from lunarops.ops.sizing import PowerTechnology, SizingResult, size_power
from lunarops.ops.uncertain import Uncertain

__all__ = [
    "EngineInputs",
    "LightSeries",
    "OpsResult",
    "PowerTechnology",
    "SizingResult",
    "Uncertain",
    "build_inputs",
    "simulate",
    "size_power",
]
