"""Pure, vectorized orbit functions on SI floats (layer 1): no I/O, no globals, no pydantic.

Conventions: position vectors are arrays of shape (3, ...) with the components on the first axis; angles in
radians unless the name says otherwise; gravitational parameters in [m^3/s^2].
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lunarops.checks import is_real_number
from lunarops.errors import InputError

FloatArray = NDArray[np.float64]


# ----------------------------------------------------------------------------------------------------
# Argument checks of the public API (types only; each caller checks its own range)
# ----------------------------------------------------------------------------------------------------
def require_real(name: str, value: object, example: str = "") -> None:
    """InputError naming ``name`` unless ``value`` is one real number (int, float, numpy scalar or 0-d array).

    Strings, None, booleans, sequences and arrays with more than one element are refused; ``example`` is
    appended to the message as the fix (e.g. "e.g. 60").
    """
    if is_real_number(value):
        return
    fix = f"; give a number, {example}" if example else "; give a number"
    raise InputError(f"{name} must be a real number, got {value!r} ({type(value).__name__}){fix}")


def require_int(name: str, value: object, example: str = "") -> None:
    """InputError naming ``name`` unless ``value`` is one integer (int or numpy integer, not a bool)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        return
    fix = f"; give a whole number, {example}" if example else "; give a whole number"
    raise InputError(f"{name} must be an integer, got {value!r} ({type(value).__name__}){fix}")


# ----------------------------------------------------------------------------------------------------
# Two-body (Keplerian) relations
# ----------------------------------------------------------------------------------------------------
def kepler_period_s(semi_major_axis_m: ArrayLike, gm_m3_per_s2: float) -> FloatArray:
    """Period of a Keplerian ellipse, T = 2 pi sqrt(a^3 / GM) [s]."""
    a = np.asarray(semi_major_axis_m, dtype=float)
    return np.asarray(2.0 * np.pi * np.sqrt(a**3 / gm_m3_per_s2))


def vis_viva_speed_m_per_s(
    radius_m: ArrayLike, semi_major_axis_m: ArrayLike, gm_m3_per_s2: float
) -> FloatArray:
    """Speed on a conic from the vis-viva equation, v = sqrt(GM (2/r - 1/a)) [m/s]."""
    r = np.asarray(radius_m, dtype=float)
    a = np.asarray(semi_major_axis_m, dtype=float)
    return np.asarray(np.sqrt(gm_m3_per_s2 * (2.0 / r - 1.0 / a)))


def solve_kepler_eccentric_anomaly(mean_anomaly_rad: ArrayLike, eccentricity: ArrayLike) -> FloatArray:
    """Eccentric anomaly E from M = E - e sin E (Newton, 50 iterations max, |dE| < 1e-15) [rad]."""
    m = np.mod(np.asarray(mean_anomaly_rad, dtype=float), 2.0 * np.pi)
    e = np.asarray(eccentricity, dtype=float)
    big_e = np.where(e < 0.8, m, np.pi)
    for _ in range(50):
        delta = (big_e - e * np.sin(big_e) - m) / (1.0 - e * np.cos(big_e))
        big_e = big_e - delta
        if np.all(np.abs(delta) < 1e-15):
            break
    return np.asarray(big_e)


def elements_to_state(
    semi_major_axis_m: float,
    eccentricity: float,
    inclination_rad: float,
    raan_rad: float,
    argp_rad: float,
    true_anomaly_rad: float,
    gm_m3_per_s2: float,
) -> FloatArray:
    """Cartesian state (x, y, z, vx, vy, vz) [m, m/s] of classical elements, in the elements' frame."""
    a, e = semi_major_axis_m, eccentricity
    p = a * (1.0 - e * e)
    nu = true_anomaly_rad
    r = p / (1.0 + e * np.cos(nu))
    r_pf = np.array([r * np.cos(nu), r * np.sin(nu), 0.0])
    v_pf = np.sqrt(gm_m3_per_s2 / p) * np.array([-np.sin(nu), e + np.cos(nu), 0.0])
    rot = perifocal_to_inertial(inclination_rad, raan_rad, argp_rad)
    return np.concatenate([rot @ r_pf, rot @ v_pf])


def perifocal_to_inertial(inclination_rad: float, raan_rad: float, argp_rad: float) -> FloatArray:
    """Rotation matrix R3(-raan) R1(-i) R3(-argp) from the perifocal frame to the reference frame."""
    co, so = np.cos(raan_rad), np.sin(raan_rad)
    ci, si = np.cos(inclination_rad), np.sin(inclination_rad)
    cw, sw = np.cos(argp_rad), np.sin(argp_rad)
    return np.array(
        [
            [co * cw - so * sw * ci, -co * sw - so * cw * ci, so * si],
            [so * cw + co * sw * ci, -so * sw + co * cw * ci, -co * si],
            [sw * si, cw * si, ci],
        ]
    )


def state_to_elements(state: ArrayLike, gm_m3_per_s2: float) -> dict[str, float]:
    """Classical elements of one Cartesian state [m, m/s]: a [m], e, i, raan, argp, nu [rad]."""
    s = np.asarray(state, dtype=float)
    r, v = s[:3], s[3:]
    rn, vn = float(np.linalg.norm(r)), float(np.linalg.norm(v))
    h = np.cross(r, v)
    hn = float(np.linalg.norm(h))
    n = np.cross([0.0, 0.0, 1.0], h)
    nn = float(np.linalg.norm(n))
    e_vec = ((vn**2 - gm_m3_per_s2 / rn) * r - float(np.dot(r, v)) * v) / gm_m3_per_s2
    e = float(np.linalg.norm(e_vec))
    energy = vn**2 / 2.0 - gm_m3_per_s2 / rn
    a = -gm_m3_per_s2 / (2.0 * energy)
    inc = float(np.arctan2(np.hypot(h[0], h[1]), h[2]))
    raan = float(np.arctan2(n[1], n[0])) % (2 * np.pi) if nn > 0 else 0.0
    h_unit = h / hn
    # atan2 forms keep full precision near 0 and pi (arccos loses half the digits there)
    if nn > 0 and e > 0:
        argp = float(np.arctan2(np.dot(np.cross(n, e_vec), h_unit), np.dot(n, e_vec))) % (2 * np.pi)
    else:
        argp = 0.0
    if e > 0:
        nu = float(np.arctan2(np.dot(np.cross(e_vec, r), h_unit), np.dot(e_vec, r))) % (2 * np.pi)
    else:
        nu = 0.0
    return {"a_m": a, "e": e, "i_rad": inc, "raan_rad": raan, "argp_rad": argp, "nu_rad": nu}


def kepler_propagate(
    state0: ArrayLike, dt_s: ArrayLike, gm_m3_per_s2: float
) -> FloatArray:
    """Two-body positions and velocities of an elliptic orbit at times dt after ``state0``: shape (6, N)."""
    el = state_to_elements(state0, gm_m3_per_s2)
    a, e = el["a_m"], el["e"]
    nu0 = el["nu_rad"]
    e_anom0 = 2.0 * np.arctan2(np.sqrt(1 - e) * np.sin(nu0 / 2), np.sqrt(1 + e) * np.cos(nu0 / 2))
    m0 = e_anom0 - e * np.sin(e_anom0)
    n = np.sqrt(gm_m3_per_s2 / a**3)
    m = m0 + n * np.asarray(dt_s, dtype=float)
    big_e = solve_kepler_eccentric_anomaly(m, e)
    nu = 2.0 * np.arctan2(np.sqrt(1 + e) * np.sin(big_e / 2), np.sqrt(1 - e) * np.cos(big_e / 2))
    p = a * (1 - e * e)
    r = p / (1 + e * np.cos(nu))
    rot = perifocal_to_inertial(el["i_rad"], el["raan_rad"], el["argp_rad"])
    r_pf = np.stack([r * np.cos(nu), r * np.sin(nu), np.zeros_like(r)])
    v_pf = np.sqrt(gm_m3_per_s2 / p) * np.stack([-np.sin(nu), e + np.cos(nu), np.zeros_like(r)])
    return np.concatenate([rot @ r_pf, rot @ v_pf])


# ----------------------------------------------------------------------------------------------------
# Impulsive transfers and the rocket equation
# ----------------------------------------------------------------------------------------------------
def hohmann_dv_m_per_s(r1_m: ArrayLike, r2_m: ArrayLike, gm_m3_per_s2: float) -> FloatArray:
    """Total delta-v of a Hohmann transfer between coplanar circular orbits of radii r1, r2 [m/s]."""
    r1 = np.asarray(r1_m, dtype=float)
    r2 = np.asarray(r2_m, dtype=float)
    at = (r1 + r2) / 2.0
    dv1 = np.abs(vis_viva_speed_m_per_s(r1, at, gm_m3_per_s2) - np.sqrt(gm_m3_per_s2 / r1))
    dv2 = np.abs(np.sqrt(gm_m3_per_s2 / r2) - vis_viva_speed_m_per_s(r2, at, gm_m3_per_s2))
    return np.asarray(dv1 + dv2)


def bielliptic_dv_m_per_s(
    r1_m: ArrayLike, r2_m: ArrayLike, rb_m: ArrayLike, gm_m3_per_s2: float
) -> FloatArray:
    """Total delta-v of a bi-elliptic transfer r1 -> rb -> r2 between circular orbits [m/s]."""
    r1 = np.asarray(r1_m, dtype=float)
    r2 = np.asarray(r2_m, dtype=float)
    rb = np.asarray(rb_m, dtype=float)
    a1 = (r1 + rb) / 2.0
    a2 = (r2 + rb) / 2.0
    dv1 = vis_viva_speed_m_per_s(r1, a1, gm_m3_per_s2) - np.sqrt(gm_m3_per_s2 / r1)
    dv2 = np.abs(vis_viva_speed_m_per_s(rb, a2, gm_m3_per_s2) - vis_viva_speed_m_per_s(rb, a1, gm_m3_per_s2))
    dv3 = np.abs(vis_viva_speed_m_per_s(r2, a2, gm_m3_per_s2) - np.sqrt(gm_m3_per_s2 / r2))
    return np.asarray(np.abs(dv1) + dv2 + dv3)


def apse_to_circular_dv_m_per_s(
    r_apse_m: float, speed_at_apse_m_per_s: float, r_circular_m: float, gm_m3_per_s2: float
) -> tuple[float, float]:
    """Two impulses from a state at an apse (speed v, radius r_apse) to a circular orbit of radius r_c.

    Burn 1 at the apse onto the ellipse r_apse x r_c, burn 2 at the far apse to circularize. [m/s]
    """
    a_t = (r_apse_m + r_circular_m) / 2.0
    v_t1 = float(vis_viva_speed_m_per_s(r_apse_m, a_t, gm_m3_per_s2))
    v_t2 = float(vis_viva_speed_m_per_s(r_circular_m, a_t, gm_m3_per_s2))
    v_c = float(np.sqrt(gm_m3_per_s2 / r_circular_m))
    return abs(speed_at_apse_m_per_s - v_t1), abs(v_t2 - v_c)


def propellant_mass_kg(
    final_mass_kg: ArrayLike, dv_m_per_s: ArrayLike, isp_s: ArrayLike, g0_m_per_s2: float
) -> FloatArray:
    """Propellant to give ``dv`` to a vehicle that ends with ``final_mass`` (Tsiolkovsky) [kg]."""
    mf = np.asarray(final_mass_kg, dtype=float)
    return np.asarray(mf * np.expm1(np.asarray(dv_m_per_s, dtype=float) / (np.asarray(isp_s) * g0_m_per_s2)))


# ----------------------------------------------------------------------------------------------------
# Circular restricted three-body problem (non-dimensional, barycentric rotating frame)
# ----------------------------------------------------------------------------------------------------
def cr3bp_acceleration(state: ArrayLike, mu: float) -> FloatArray:
    """Time derivative of CR3BP states (6, ...), barycentric rotating frame (Earth -mu, Moon 1-mu)."""
    s = np.asarray(state, dtype=float)
    x, y, z, vx, vy, vz = s
    r1 = np.sqrt((x + mu) ** 2 + y**2 + z**2)
    r2 = np.sqrt((x - 1 + mu) ** 2 + y**2 + z**2)
    c1 = (1 - mu) / r1**3
    c2 = mu / r2**3
    ax = 2 * vy + x - c1 * (x + mu) - c2 * (x - 1 + mu)
    ay = -2 * vx + y - c1 * y - c2 * y
    az = -c1 * z - c2 * z
    return np.stack([vx, vy, vz, ax, ay, az])


def jacobi_constant(state: ArrayLike, mu: float) -> FloatArray:
    """Jacobi constant C = 2 U - v^2 of CR3BP states (6, ...)."""
    s = np.asarray(state, dtype=float)
    x, y, z, vx, vy, vz = s
    r1 = np.sqrt((x + mu) ** 2 + y**2 + z**2)
    r2 = np.sqrt((x - 1 + mu) ** 2 + y**2 + z**2)
    u = 0.5 * (x**2 + y**2) + (1 - mu) / r1 + mu / r2
    return np.asarray(2 * u - (vx**2 + vy**2 + vz**2))


def collinear_point_x(mu: float, point: int) -> float:
    """x coordinate of the collinear Lagrange point L1, L2 or L3 (Newton on the quintic) [non-dimensional]."""
    if point == 1:
        x = 1 - mu - (mu / 3) ** (1 / 3)
    elif point == 2:
        x = 1 - mu + (mu / 3) ** (1 / 3)
    elif point == 3:
        x = -1.0 - 5 * mu / 12
    else:
        raise ValueError(f"point must be 1, 2 or 3, got {point}")
    for _ in range(100):
        r1 = x + mu
        r2 = x - 1 + mu
        f = x - (1 - mu) * r1 / abs(r1) ** 3 - mu * r2 / abs(r2) ** 3
        df = 1 + 2 * (1 - mu) / abs(r1) ** 3 + 2 * mu / abs(r2) ** 3
        step = f / df
        x -= step
        if abs(step) < 1e-15:
            break
    return float(x)


def rotating_to_moon_inertial(
    states: ArrayLike, mu: float, length_m: float, time_s: float, t_nd: ArrayLike
) -> FloatArray:
    """CR3BP rotating states (6, N) -> Moon-centred inertial states [m, m/s] of the idealized CR3BP frame.

    The inertial frame coincides with the rotating one at t_nd = 0; the primaries circle in its x-y plane.
    """
    s = np.asarray(states, dtype=float)
    t = np.asarray(t_nd, dtype=float)
    x, y, z, vx, vy, vz = s
    xm = x - (1 - mu)
    vxi = vx - y
    vyi = vy + xm
    c, sn = np.cos(t), np.sin(t)
    rx, ry = c * xm - sn * y, sn * xm + c * y
    ux, uy = c * vxi - sn * vyi, sn * vxi + c * vyi
    v_scale = length_m / time_s
    return np.stack([rx * length_m, ry * length_m, z * length_m, ux * v_scale, uy * v_scale, vz * v_scale])


def rotating_frame_basis(
    moon_to_earth_m: ArrayLike, moon_to_earth_velocity_m_per_s: ArrayLike
) -> FloatArray:
    """Axes (3, 3, N) of the instantaneous Earth-Moon rotating frame in the inertial frame.

    Columns: x from the Earth to the Moon, z along the Moon's orbital angular momentum about the Earth,
    y completing the triad. Inputs are the Earth's position and velocity relative to the Moon (3, N).
    """
    r = -np.asarray(moon_to_earth_m, dtype=float)  # Earth -> Moon
    v = -np.asarray(moon_to_earth_velocity_m_per_s, dtype=float)
    ex = r / np.linalg.norm(r, axis=0)
    h = np.cross(r, v, axis=0)
    ez = h / np.linalg.norm(h, axis=0)
    ey = np.cross(ez, ex, axis=0)
    return np.stack([ex, ey, ez], axis=1)


def rotating_to_moon_ephemeris_frame(
    positions_nd: ArrayLike,
    mu: float,
    moon_to_earth_m: ArrayLike,
    moon_to_earth_velocity_m_per_s: ArrayLike,
) -> FloatArray:
    """Map CR3BP rotating positions (3, N) to Moon-centred inertial positions [m] on the real Earth-Moon line.

    The rotating frame is the instantaneous one of the ephemeris (x Earth->Moon, z along the orbit normal) and
    the length unit is the instantaneous Earth-Moon distance (the usual pulsating-frame transformation).
    """
    p = np.asarray(positions_nd, dtype=float)
    basis = rotating_frame_basis(moon_to_earth_m, moon_to_earth_velocity_m_per_s)
    distance = np.linalg.norm(np.asarray(moon_to_earth_m, dtype=float), axis=0)
    rel = np.stack([p[0] - (1 - mu), p[1], p[2]]) * distance
    return np.asarray(np.einsum("ijn,jn->in", basis, rel))


# ----------------------------------------------------------------------------------------------------
# Shadows and lines of sight
# ----------------------------------------------------------------------------------------------------
def disk_overlap_fraction(
    sun_radius_rad: ArrayLike, body_radius_rad: ArrayLike, separation_rad: ArrayLike
) -> FloatArray:
    """Fraction of the solar disk hidden by a body disk (flat circular disks, uniform brightness), 0..1.

    Montenbruck & Gill, Satellite Orbits (2000), sec. 3.4.2: the area of the lens where two circles of angular
    radii a (Sun) and b (body) with centre separation c overlap, over pi a^2.
    """
    a = np.asarray(sun_radius_rad, dtype=float)
    b = np.asarray(body_radius_rad, dtype=float)
    c = np.asarray(separation_rad, dtype=float)
    a, b, c = np.broadcast_arrays(a, b, c)
    hidden = np.zeros(a.shape)
    total = c <= (b - a)  # the body covers the whole Sun
    hidden[total] = 1.0
    annular = c <= (a - b)  # the body is inside the Sun's disk
    hidden[annular] = (b[annular] / a[annular]) ** 2
    partial = (c < a + b) & ~total & ~annular
    if partial.any():
        ap, bp, cp = a[partial], b[partial], c[partial]
        x = (cp**2 + ap**2 - bp**2) / (2 * cp)
        y = np.sqrt(np.maximum(ap**2 - x**2, 0.0))
        area = (
            ap**2 * np.arccos(np.clip(x / ap, -1, 1))
            + bp**2 * np.arccos(np.clip((cp - x) / bp, -1, 1))
            - cp * y
        )
        hidden[partial] = area / (np.pi * ap**2)
    return hidden


def shadow_by_body(
    spacecraft_m: ArrayLike,
    sun_m: ArrayLike,
    body_m: ArrayLike,
    sun_radius_m: float,
    body_radius_m: float,
) -> tuple[FloatArray, NDArray[np.int8]]:
    """Eclipse of the Sun seen from spacecraft positions (3, N) by one spherical body (conical shadow).

    All positions in one frame and origin [m]. Returns (hidden fraction of the solar disk 0..1, kind) where
    kind is 0 sunlit, 1 penumbra (partial), 2 umbra (total), 3 antumbra (annular).
    """
    r = np.asarray(spacecraft_m, dtype=float)
    to_sun = np.asarray(sun_m, dtype=float) - r
    to_body = np.asarray(body_m, dtype=float) - r
    d_sun = np.linalg.norm(to_sun, axis=0)
    d_body = np.linalg.norm(to_body, axis=0)
    a = np.arcsin(np.clip(sun_radius_m / d_sun, -1, 1))
    b = np.arcsin(np.clip(body_radius_m / d_body, -1, 1))
    cos_c = np.sum(to_sun * to_body, axis=0) / (d_sun * d_body)
    c = np.arccos(np.clip(cos_c, -1.0, 1.0))
    fraction = disk_overlap_fraction(a, b, c)
    kind = np.zeros(fraction.shape, dtype=np.int8)
    kind[(c < a + b)] = 1
    kind[c <= b - a] = 2
    kind[c <= a - b] = 3
    return fraction, kind


def sphere_horizon_dip_rad(radius_m: float, height_m: ArrayLike) -> FloatArray:
    """Elevation of the geometric horizon of a sphere seen from ``height`` above it (<= 0) [rad]."""
    h = np.asarray(height_m, dtype=float)
    return np.asarray(-np.arccos(radius_m / (radius_m + np.maximum(h, 0.0))))


def segment_clears_sphere(
    point_a_m: ArrayLike, point_b_m: ArrayLike, radius_m: float
) -> NDArray[np.bool_]:
    """True where the straight segment from A (3, N) to B (3, N) does not enter a sphere at the origin."""
    a = np.asarray(point_a_m, dtype=float)
    b = np.asarray(point_b_m, dtype=float)
    d = b - a
    dd = np.sum(d * d, axis=0)
    s = np.clip(-np.sum(a * d, axis=0) / dd, 0.0, 1.0)
    closest = a + s * d
    return np.asarray(np.sum(closest * closest, axis=0) > radius_m**2)


def intervals_from_mask(mask: ArrayLike, times_s: ArrayLike) -> FloatArray:
    """Start and end times (K, 2) of the runs where ``mask`` is True (first to last sample of each)."""
    m = np.asarray(mask, dtype=bool)
    t = np.asarray(times_s, dtype=float)
    if m.size == 0:
        return np.zeros((0, 2))
    padded = np.concatenate([[False], m, [False]]).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return np.stack([t[starts], t[ends]], axis=1) if starts.size else np.zeros((0, 2))


def coverage_statistics(mask: ArrayLike, times_s: ArrayLike, end_s: float | None = None) -> dict[str, float]:
    """Fraction visible, longest gap and window counts of a visibility mask on a uniform grid [s].

    Convention: every sample stands for the step that starts at it, so a gap (run of False samples) or a window
    (run of True samples) lasts (number of its samples) x step [s]. Example, step 60 s, samples visible at 60 s and
    300 s and not at 120, 180, 240 s: the gap is 3 x 60 = 180 s, not the 240 s between the visible samples.
    ``end_s``: the end of the period [s on the grid's clock]; the last sample's step is clipped to it (a 1-day
    period sampled every 7000 s has 13 samples, the last standing for 2400 s, not 7000 s), so no window, gap or
    fraction reaches past the period. None: the grid's last sample + one step.
    Keys: fraction_visible, longest_gap_s, mean_gap_s, n_windows, mean_window_s.
    """
    m = np.asarray(mask, dtype=bool)
    t = np.asarray(times_s, dtype=float)
    if t.size > 1:
        step = float(t[1] - t[0])
    else:
        step = float(end_s - t[0]) if end_s is not None and t.size else 0.0
    end = float(t[-1] + step) if end_s is None or not t.size else float(end_s)
    windows = intervals_from_mask(m, t)
    gaps = intervals_from_mask(~m, t)
    gap_lengths = np.minimum(gaps[:, 1] + step, end) - gaps[:, 0] if gaps.size else np.zeros(0)
    window_lengths = np.minimum(windows[:, 1] + step, end) - windows[:, 0] if windows.size else np.zeros(0)
    weights = np.clip(np.minimum(t + step, end) - t, 0.0, None)
    total = float(weights.sum())
    if total > 0 and not np.all(weights == weights[0]):  # a clipped last step: weigh the samples by their time
        fraction = float(weights[m].sum() / total)
    else:
        fraction = float(m.mean()) if m.size else 0.0
    return {
        "fraction_visible": fraction,
        "longest_gap_s": float(gap_lengths.max()) if gap_lengths.size else 0.0,
        "mean_gap_s": float(gap_lengths.mean()) if gap_lengths.size else 0.0,
        "n_windows": float(windows.shape[0]),
        "mean_window_s": float(window_lengths.mean()) if window_lengths.size else 0.0,
    }
