"""What the relay tests share: the link equation computed independently of lunarops.ops.functions, the example's
relay budget, a weak trunk, and a small station whose links carry a science load's data."""

from __future__ import annotations

from typing import Any

import numpy as np

from lunarops.ops.inputs import EngineInputs, LightSeries, build_inputs
from lunarops.ops.station import CommLink, ConstantSource, LinkBudget, Load, Station

#: CODATA 2018 Boltzmann constant (exact) [J/K]; the speed of light (exact, SI) [m/s]
K_J_PER_K = 1.380649e-23
C_M_PER_S = 299_792_458.0
#: The example's base-to-relay budget (src/lunarops/examples/ilrs-south-pole.yaml; its comment derives it)
RELAY = LinkBudget(26e9, 53.7, 20.1, 2.5, 3.0, 2.0)
#: A weak trunk that binds: X band (8.45 GHz), 38 dBW EIRP, to a G/T 40 dB/K ground antenna, Eb/N0 2.5 dB, 3 dB
#: margin, 1 dB losses (about 55 Mbps at 384,400 km)
TRUNK = LinkBudget(8.45e9, 38.0, 40.0, 2.5, 3.0, 1.0)


def linear_rate_bps(d_m: Any, f_hz: float, eirp_dbw: float, g_over_t_db: float, losses_db: float) -> Any:
    """The link equation in watts and kelvins, independent of lunarops.ops.functions: free-space loss
    (4 pi d f / c)^2 (ITU-R P.525-4, eq. 1), received C/N0 = EIRP (G/T) / (L_fs L k), R = (C/N0) / (Eb/N0 margin),
    with Eb/N0 2.5 dB and a 3 dB margin as in RELAY and TRUNK. A float for a float distance, else an array."""
    free_space = (4.0 * np.pi * np.asarray(d_m, dtype=float) * f_hz / C_M_PER_S) ** 2
    c_over_n0 = 10.0 ** ((eirp_dbw + g_over_t_db - losses_db) / 10.0) / (free_space * K_J_PER_K)
    rate = c_over_n0 / 10.0 ** ((2.5 + 3.0) / 10.0)
    return float(rate) if np.ndim(rate) == 0 else rate


def relay_light(earth_visible: Any, fields: dict[str, object]) -> LightSeries:
    """A light series of len(earth_visible) steps (a dim Sun, no terrain) with the given relay fields."""
    n = len(earth_visible)
    return LightSeries(
        np.full(n, 0.1),
        np.zeros(n),
        np.ones(n),
        np.full(n, 1.496e11),
        earth_visible,
        source="test",
        **fields,  # type: ignore[arg-type]
    )


def relay_inputs(comm: CommLink, light: LightSeries) -> EngineInputs:
    """Engine inputs of a 20 kW station with a 1 Mbps science load and a comm load on ``comm``."""
    station = Station(
        sources=(ConstantSource("fission", 20e3),),
        loads=(Load("science", 1e3, 5, data_rate_bps=1e6), Load("comm", 0.1e3, 2, "comm_link")),
        comm=comm,
    )
    return build_inputs(station, light, np.datetime64("2030-01-01T00:00"), 3600.0)
