"""A one-mission campaign (Earth -> LEO -> LLO, 500 kg of cargo on the Isaji et al. 2022 vehicle) shared by the
campaign tests."""

SMALL = """
epoch_utc: 2031-01-01T00:00:00Z
logistics:
  nodes: [Earth, LEO, LLO]
  arcs:
    - {from: Earth, to: LEO, tof_days: 1, launch: true}
    - {from: LEO, to: LLO, dv_km_per_s: 3.0, tof_days: 3}
  fleet: [{spacecraft: isaji2022-fixed, copies: 1}]
  missions: [{name: m1, depart_day: 0, destination: LLO, deliver: {cargo: 500}}]
  maintenance_fraction_per_flight: 0.0
"""
