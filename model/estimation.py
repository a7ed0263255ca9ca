"""Estimation of the pooled behavioural parameters on the US shocks in the aid data.

**Method: the simulated method of moments** (McFadden 1989; Gourieroux & Monfort
1996), here with a deterministic simulator, so minimum distance: the model, driven by
the observed US commitment quarter by quarter, is played from the 2022-24 status quo
through an *episode* (the US funding stall of 2023-Q4 and 2024-Q1, or the stop of
2025), and its responses are set against the observed ones. The moments are, for each
nation, the EU institutions and the nations together, the change of mean quarterly aid
between windows of the episode (before the stall, the stall, after it), in units of the
donor's own status-quo quarter, weighted by the inverse variance that the donor's
quarter-to-quarter noise gives such a change. ``scipy.optimize.least_squares`` (trust
region, bounds) minimises the weighted distance from several starts; the standard
errors come from the Jacobian at the optimum (the textbook minimum-distance covariance,
scaled up by the fit's chi-square per degree of freedom where the model fits worse
than the noise allows); identification is read off the curvature (the eigenvalues of
J'J) and a profile of the distance along each parameter.

Why not maximum likelihood or simulation-based inference: the model has no tractable
likelihood for lumpy aid packages, and a neural posterior (sbi) would need thousands of
simulations per fit and a library this project does not otherwise need; with five
parameters and a cheap deterministic simulator, minimum distance is standard,
transparent, and deterministic for a seed.

Nothing here reads the data: it is given a :class:`model.panel.Panel` that stops at the
estimation's cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from model.config import all_params
from model.data import DataError
from model.errors import ParameterError
from model.files import read_text
from model.policies import Steadfast
from model.panel import EU, SQ_QUARTERS, US, Panel, quarters
from model.rounds import draw_round, event_stream, play_round
from model.scenarios import load_scenario
from model.state import build_world, stack
from seeds import SEEDS_DIR

SCENARIO = "baseline"


@dataclass(frozen=True)
class Estimated:
    """One estimated parameter: its name, range, and the scale it is searched on."""

    name: str
    low: float
    high: float
    log: bool = False

    def to_x(self, value: float) -> float:
        return float(np.log(value)) if self.log else float(value)

    def from_x(self, x: float) -> float:
        value = float(np.exp(x)) if self.log else float(x)
        return min(max(value, self.low), self.high)  # exp(log(b)) may stray past b

    @property
    def bounds(self) -> tuple[float, float]:
        return self.to_x(self.low), self.to_x(self.high)


# The pooled parameters the shocks can speak to (ODD, "Validation").
ESTIMATED: tuple[Estimated, ...] = (
    Estimated("us_reliance", -3.0, 1.0),
    Estimated("us_reliance_frontline", -2.0, 2.0),
    Estimated("saturation", 0.1, 10.0, log=True),
    Estimated("adjustment_speed", 0.05, 1.0),
    Estimated("belief_noise", 0.02, 2.0, log=True),
)


@dataclass(frozen=True)
class Episode:
    """A US shock: the quarters played, the windows compared, and the model's settings.

    ``contrasts`` pairs (later, earlier) windows; ``"sq"`` is the 2022-24 status quo.
    """

    name: str
    first: str
    last: str
    windows: dict[str, tuple[str, ...]]
    contrasts: tuple[tuple[str, str], ...]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def quarters(self) -> tuple[str, ...]:
        return quarters(self.first, self.last)

    def labels(self) -> list[str]:
        return [f"{a} - {b}" for a, b in self.contrasts]


# Own defence and off-budget money are held in the stall (the model's calendar starts
# in 2025: its paths describe 2025 on); in 2025 they follow the observed paths.
STALL = Episode("stall", "2023-Q1", "2024-Q4",
                windows={"before": quarters("2023-Q1", "2023-Q3"),
                         "stall": ("2023-Q4", "2024-Q1"),
                         "after": quarters("2024-Q2", "2024-Q4")},
                contrasts=(("stall", "before"), ("after", "stall")),
                settings={"defence_path": "hold", "off_budget": "hold"})
STOP = Episode("stop", "2025-Q1", "2025-Q4", windows={"2025": quarters("2025-Q1", "2025-Q4")},
               contrasts=(("2025", "sq"),),
               settings={"defence_path": "observed", "off_budget": "observed"})
EPISODES = {e.name: e for e in (STALL, STOP)}


def us_path(panel: Panel, episode: Episode) -> np.ndarray:
    """The US commitment each quarter: its allocations over its status-quo quarter,
    within [0, 1] (the model's US cannot commit more than its 2022-24 level)."""
    us = panel.row(US)
    sq = us[[panel.quarters.index(q) for q in SQ_QUARTERS]].mean()
    idx = [panel.quarters.index(q) for q in episode.quarters]
    return np.clip(us[idx] / sq, 0.0, 1.0)


@dataclass(frozen=True)
class Moments:
    """Per donor (the nations, then the EU, then the nations together) and contrast:
    the change between windows in units of the donor's status-quo quarter."""

    donors: tuple[str, ...]
    contrasts: tuple[str, ...]
    value: np.ndarray  # (contrasts, donors)
    sd: np.ndarray  # (contrasts, donors): its noise (inf: no weight)

    def residuals(self, model: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
        """Weighted residuals, the donors in ``keep`` only (all by default)."""
        r = (model - self.value) / self.sd
        if keep is not None:
            r = r[:, keep]
        r = r[np.isfinite(r)]
        return r


def observed_moments(panel: Panel, nations: tuple[str, ...], episode: Episode,
                     keep: np.ndarray | None = None) -> Moments:
    """The episode's moments in the data, with the noise of each.

    A donor's noise is the standard deviation of its quarterly aid over the status quo
    (in its SQ units); a change between windows of n_a and n_b quarters has the noise
    sd sqrt(1/n_a + 1/n_b). ``keep`` (a mask over the nations) restricts the nations
    together to a subset (for cross-validation).
    """
    keep = np.ones(len(nations), bool) if keep is None else keep
    rows = np.array([panel.row(c) for c in nations])
    together = rows[keep].sum(0, keepdims=True)
    series = np.concatenate([rows, panel.row(EU)[None], together])
    sq_idx = [panel.quarters.index(q) for q in SQ_QUARTERS]
    sq = series[:, sq_idx].mean(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        noise = np.where(sq > 0, series[:, sq_idx].std(-1, ddof=1) / sq, np.inf)

    def window(name):
        if name == "sq":
            return sq, len(SQ_QUARTERS)
        span = episode.windows[name]
        return series[:, [panel.quarters.index(q) for q in span]].mean(-1), len(span)

    values, sds = [], []
    for a, b in episode.contrasts:
        (wa, na), (wb, nb) = window(a), window(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            values.append(np.where(sq > 0, (wa - wb) / sq, 0.0))
        sds.append(noise * np.sqrt(1 / na + 1 / nb))
    sd = np.array(sds)
    sd[~np.isfinite(sd) | (sd <= 0)] = np.inf
    return Moments(donors=nations + (EU, "nations"), contrasts=tuple(episode.labels()),
                   value=np.array(values), sd=sd)


def configs(points: list[dict[str, float]], episode: Episode, fixed: dict[str, Any] | None = None):
    """The model configurations of parameter points (name -> value, natural units)."""
    base = load_scenario(SCENARIO)
    spec = all_params()
    out = []
    for point in points:
        values = {k: spec[k].validate(v) for k, v in point.items()}
        out.append(base.config({**episode.settings, "round_length": "quarter",
                                "us_policy": Steadfast.name, "stop_on_verdict": False,
                                "noise": 0.0, "adversary": False, **(fixed or {}), **values}))
    return out


def simulate(points: list[dict[str, float]] | np.ndarray, episode: Episode, us: np.ndarray,
             seed: int = 0, fixed: dict[str, Any] | None = None) -> dict[str, np.ndarray]:
    """Play the episode for each parameter point, the US at ``us`` each quarter.

    ``points`` are dicts (name -> value) or vectors over :data:`ESTIMATED`.

    Returns each nation's bilateral aid and the EU's aid each quarter in units of its
    status quo: ``nations`` (K, Q, N), ``eu`` (K, Q), and ``gdp`` weights (N,) and
    ``start`` (K, N) for totals. All vectors run as one batch (the sweep engine's
    lockstep), each with the same random numbers (membership order).
    """
    if isinstance(points, np.ndarray):
        points = [dict(zip((p.name for p in ESTIMATED), map(float, v))) for v in np.atleast_2d(points)]
    built = [build_world(c) for c in configs(points, episode, fixed)]
    world = stack([b[0] for b in built])
    state = stack([b[1] for b in built]).copy()
    n = built[0][2].n
    rngs = [np.random.default_rng(seed) for _ in built]
    events = [event_stream(r) for r in rngs]
    start = state.contribution.copy()
    eu0 = state.eu_aid[:, 0].copy()
    aid, eu = [], []
    for u in us:
        params = {**world.policy_params, "us_level": np.full((world.runs, 1), float(u))}
        state = play_round(replace(world, policy_params=params), state,
                           draw_round(rngs, n, events))
        aid.append(state.contribution / np.where(start > 0, start, 1.0))
        eu.append(state.eu_aid[:, 0] / np.where(eu0 > 0, eu0, 1.0))
    return {"nations": np.stack(aid, 1), "eu": np.stack(eu, 1), "start": start,
            "gdp": built[0][2].gdp, "table": built[0][2]}


def model_moments(sim: dict[str, np.ndarray], episode: Episode,
                  keep: np.ndarray | None = None) -> np.ndarray:
    """The model's moments (K, contrasts, donors) in the order of :func:`observed_moments`."""
    ratio = sim["nations"]  # (K, Q, N), SQ = 1
    k, _, n = ratio.shape
    keep = np.ones(n, bool) if keep is None else keep
    weight = sim["start"] * sim["gdp"]  # (K, N): each nation's SQ aid
    together = (ratio * weight[:, None, :] * keep).sum(-1) / (weight * keep).sum(-1)[:, None]
    series = np.concatenate([ratio, sim["eu"][..., None], together[..., None]], -1)
    index = {q: i for i, q in enumerate(episode.quarters)}

    def window(name):
        if name == "sq":
            return np.ones((k, series.shape[-1]))
        return series[:, [index[q] for q in episode.windows[name]], :].mean(1)

    return np.stack([window(a) - window(b) for a, b in episode.contrasts], 1)


def free_parameters(names: tuple[str, ...] | None) -> tuple[Estimated, ...]:
    """The estimated parameters named (all of :data:`ESTIMATED` by default)."""
    if names is None:
        return ESTIMATED
    known = {p.name: p for p in ESTIMATED}
    for n in names:
        if n not in known:
            raise ParameterError(f"estimated parameter {n!r} is not allowed: expected one of "
                                 + ", ".join(known))
    return tuple(known[n] for n in names)


@dataclass(frozen=True)
class Fit:
    """The estimate, its uncertainty, and how well the data pin each parameter down."""

    episode: str
    until: str
    names: tuple[str, ...]
    estimate: np.ndarray  # natural units
    x: np.ndarray  # search scale (log where the parameter is searched in logs)
    cov_x: np.ndarray  # covariance on the search scale
    se: np.ndarray  # natural units (delta method)
    chi2: float
    dof: int
    moments: int
    eigenvalues: np.ndarray  # of J'J on the search scale
    profile: dict[str, dict[str, list[float]]]  # name -> {"value": grid, "delta_chi2": ...}
    identified: dict[str, str]  # name -> "pinned" / "one side" / "not pinned"
    starts: int
    seconds: float = 0.0
    scale: float = 1.0  # the fit's chi-square per degree of freedom, at least 1
    _residuals: Any = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": "simulated method of moments (deterministic simulator: minimum distance), "
                      "scipy.optimize.least_squares from several starts",
            "episode": self.episode, "until": self.until, "moments": self.moments,
            "chi2": self.chi2, "dof": self.dof, "starts": self.starts,
            "parameters": {n: {"estimate": float(v), "se": None if not np.isfinite(s) else float(s),
                               "identified": self.identified[n]}
                           for n, v, s in zip(self.names, self.estimate, self.se)},
            "scale": self.scale, "x_search_scale": self.x.tolist(),
            "cov_search_scale": self.cov_x.tolist(),
            "search_scale": {p.name: ("log" if p.log else "linear") for p in free_parameters(self.names)},
            "eigenvalues": self.eigenvalues.tolist(), "profile": self.profile,
            "seconds": self.seconds,
        }

    def draws(self, k: int, seed: int) -> list[dict[str, float]]:
        """``k`` plausible parameter points (natural units) from the estimate's
        uncertainty: normal on the search scale, clipped to the ranges."""
        return plausible(self.names, self.x, self.cov_x, k, seed)


def plausible(names, x, cov, k: int, seed: int) -> list[dict[str, float]]:
    """``k`` draws of the named parameters: normal on the search scale around ``x``
    with covariance ``cov``, clipped to the ranges (SeedSequence of ``seed``)."""
    specs = free_parameters(tuple(names))
    rng = np.random.default_rng(np.random.SeedSequence([20261203, seed]))
    xs = rng.multivariate_normal(np.asarray(x, float), np.asarray(cov, float), size=k,
                                 method="eigh")
    lo, hi = np.array([p.bounds for p in specs]).T
    return [{p.name: p.from_x(v) for p, v in zip(specs, row)} for row in np.clip(xs, lo, hi)]


START_POINTS = (  # the defaults, then substitutes and complements, fast and slow
    {"us_reliance": 0.0, "us_reliance_frontline": 0.0, "saturation": 1.0, "adjustment_speed": 0.5,
     "belief_noise": 0.2},
    {"us_reliance": 0.8, "us_reliance_frontline": 0.0, "saturation": 1.0, "adjustment_speed": 0.5,
     "belief_noise": 0.2},
    {"us_reliance": -1.0, "us_reliance_frontline": 0.0, "saturation": 1.0,
     "adjustment_speed": 0.5, "belief_noise": 0.2},
    {"us_reliance": 0.3, "us_reliance_frontline": 0.5, "saturation": 2.0, "adjustment_speed": 0.8,
     "belief_noise": 0.5},
)


def estimate(panel: Panel, episode: Episode = STALL, keep: np.ndarray | None = None,
             starts: int = len(START_POINTS), seed: int = 0, profile_points: int = 9,
             fixed: dict[str, Any] | None = None, free: tuple[str, ...] | None = None) -> Fit:
    """Fit the pooled parameters to ``episode``'s moments in ``panel``.

    ``keep`` restricts the nations whose moments count (cross-validation); ``free``
    names the parameters estimated (all of :data:`ESTIMATED` by default); ``fixed``
    holds other model parameters at given values (checked against their ranges).
    """
    nations = _nations()
    if panel.until < episode.last:
        raise ParameterError(f"the estimation window ({episode.name}, to {episode.last}) reaches "
                             f"past the data it may read (to {panel.until})")
    obs = observed_moments(panel, nations, episode, keep)
    return fit_moments(obs, episode, us_path(panel, episode), panel.until, keep, starts, seed,
                       profile_points, fixed, free)


def fit_moments(obs: Moments, episode: Episode, us: np.ndarray, until: str = "",
                keep: np.ndarray | None = None, starts: int = len(START_POINTS), seed: int = 0,
                profile_points: int = 9, fixed: dict[str, Any] | None = None,
                free: tuple[str, ...] | None = None) -> Fit:
    """The minimum-distance fit of the model to moments ``obs`` (see :func:`estimate`);
    ``us`` is the US commitment each quarter of the episode."""
    import time

    t0 = time.perf_counter()
    mask = np.concatenate([keep, [True, True]]) if keep is not None else None
    if 1 - us.min() < 0.5:
        raise ParameterError(f"episode {episode.name!r} ({episode.first} to {episode.last}) has no "
                             "US shock in it (the US commitment never falls below half its "
                             "2022-24 level): nothing to estimate from")

    specs = free_parameters(free)
    spec = all_params()
    for name, value in (fixed or {}).items():
        spec[name].validate(value)  # a parameter fixed outside its range: one line
        if name in (p.name for p in specs):
            raise ParameterError(f"{name} is both fixed and estimated: leave it out of one")

    def natural(x: np.ndarray) -> dict[str, float]:
        return {p.name: p.from_x(v) for p, v in zip(specs, x)}

    def residuals(xs: np.ndarray) -> np.ndarray:  # (K, P) -> (K, M)
        sim = simulate([natural(x) for x in np.atleast_2d(xs)], episode, us, seed, fixed)
        model = model_moments(sim, episode, keep)
        return np.array([obs.residuals(m, mask) for m in model])

    lo, hi = np.array([p.bounds for p in specs]).T
    step = 1e-3 * np.maximum(hi - lo, 1e-9)

    def jac(x: np.ndarray) -> np.ndarray:  # forward differences, one batch
        xs = np.vstack([x] + [x + np.eye(len(x))[j] * step[j] * (1 if x[j] + step[j] <= hi[j] else -1)
                              for j in range(len(x))])
        r = residuals(xs)
        signs = np.array([1 if x[j] + step[j] <= hi[j] else -1 for j in range(len(x))])
        return ((r[1:] - r[0]) / (step * signs)[:, None]).T

    best = None
    for start in START_POINTS[:max(1, starts)]:
        x0 = np.clip(np.array([p.to_x(start[p.name]) for p in specs]), lo, hi)
        fit = least_squares(lambda x: residuals(x)[0], x0, jac=jac, bounds=(lo, hi),
                            x_scale=hi - lo, xtol=1e-8, ftol=1e-10, max_nfev=200)
        if best is None or fit.cost < best.cost - 1e-12:
            best = fit
    x = best.x
    r0 = residuals(x)[0]
    chi2, m, k = float(r0 @ r0), r0.size, len(x)
    J = jac(x)
    jtj = J.T @ J
    scale = max(1.0, chi2 / max(m - k, 1))
    cov = np.linalg.pinv(jtj) * scale
    theta = np.array(list(natural(x).values()))
    deriv = np.array([v if p.log else 1.0 for p, v in zip(specs, theta)])
    at_bound = (np.abs(x - lo) < 1e-6 * (hi - lo)) | (np.abs(x - hi) < 1e-6 * (hi - lo))
    # at a bound the curvature says nothing about the uncertainty: no standard error
    se = np.where(at_bound, np.nan, np.sqrt(np.clip(np.diag(cov), 0, None)) * deriv)
    # profiles: the distance along each parameter, the others at the estimate (one batch)
    grid_x = [np.linspace(a, b, profile_points) for a, b in zip(lo, hi)]
    xs = []
    for j in range(k):
        for g in grid_x[j]:
            v = x.copy()
            v[j] = g
            xs.append(v)
    rr = residuals(np.array(xs))
    d = (rr ** 2).sum(-1) - chi2
    profile, identified = {}, {}
    for j, p in enumerate(specs):
        dj = d[j * profile_points:(j + 1) * profile_points]
        values = [p.from_x(g) for g in grid_x[j]]
        profile[p.name] = {"value": values, "delta_chi2": [float(v) for v in dj]}
        below = dj[grid_x[j] < x[j] - 1e-9]
        above = dj[grid_x[j] > x[j] + 1e-9]
        rise = 3.84 * scale  # 95% for one parameter (scaled like the covariance)
        sides = int(below.size > 0 and below.max() >= rise) + int(above.size > 0 and above.max() >= rise)
        if at_bound[j]:
            identified[p.name] = ("at its bound: the data push past it" if sides
                                  else "at its bound, not pinned")
        else:
            identified[p.name] = ("pinned" if sides == 2 else "one side" if sides == 1
                                  else "not pinned")
    return Fit(episode=episode.name, until=until, names=tuple(p.name for p in specs),
               estimate=theta, x=x, cov_x=cov, se=se, chi2=chi2, dof=m - k, moments=m,
               eigenvalues=np.linalg.eigvalsh(jtj), profile=profile, identified=identified,
               starts=max(1, starts), seconds=time.perf_counter() - t0, scale=scale,
               _residuals=residuals)


CHI2_95 = {1: 3.841, 2: 5.991, 3: 7.815, 4: 9.488, 5: 11.070, 6: 12.592}  # chi-square(k) 95%


def plausible_set(fit: Fit, candidates: int = 400, seed: int = 0) -> dict[str, Any]:
    """The worlds the data do not reject: parameter points drawn uniformly over the
    ranges (on the search scale) and kept where the fit's distance rises by less than
    the 95% chi-square quantile for the free parameters (times the fit's scale): a
    joint confidence set, sampled. Runs draw from it (``coalition run --plausible N``)."""
    specs = free_parameters(fit.names)
    lo, hi = np.array([p.bounds for p in specs]).T
    rng = np.random.default_rng(np.random.SeedSequence([20261205, seed]))
    xs = lo + rng.random((candidates, len(specs))) * (hi - lo)
    r = fit._residuals(xs)
    delta = (r ** 2).sum(-1) - fit.chi2
    limit = CHI2_95[len(specs)] * fit.scale
    kept = delta <= limit
    points = [{p.name: p.from_x(v) for p, v in zip(specs, row)} for row in xs[kept]]
    return {"rule": f"uniform over the ranges, kept where the distance rises by at most "
                    f"{limit:.2f} (chi-square({len(specs)}) 95% x {fit.scale:.2f})",
            "candidates": candidates, "kept": int(kept.sum()), "points": points,
            "delta_chi2": [float(v) for v in delta[kept]]}


ESTIMATE_JSON = SEEDS_DIR / "estimate.json"


def estimate_record(fit: Fit, plausible: dict[str, Any], panel_sha256: str) -> dict[str, Any]:
    """What ``coalition estimate --out`` writes and ``--plausible`` reads."""
    return {"estimate": fit.as_dict(), "plausible": plausible, "panel_sha256": panel_sha256}


def load_plausible(path: Path | str = ESTIMATE_JSON) -> list[dict[str, float]]:
    """The plausible worlds of a stored estimate (``seeds/estimate.json`` by default)."""
    import json

    path = Path(path)
    try:
        record = json.loads(read_text(path, "estimate file"))
        points = record["plausible"]["points"]
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"estimate file {path.name}: no plausible worlds in it ({exc}); make one "
                        "with: coalition estimate --out FILE") from None
    spec = all_params()
    out = []
    for k, point in enumerate(points):
        if not isinstance(point, dict) or not point:
            raise DataError(f"estimate file {path.name}: plausible world {k} is not a table of "
                            "parameter values")
        out.append({name: spec[name].validate(v) if name in spec else _unknown(path, name)
                    for name, v in point.items()})
    if not out:
        raise DataError(f"estimate file {path.name}: the data rejected every world sampled")
    return out


def _unknown(path: Path, name: str):
    raise DataError(f"estimate file {path.name}: {name!r} is not a model parameter")


def _nations() -> tuple[str, ...]:
    from model.data import load_nations

    return load_nations().iso3


__all__ = ["ESTIMATED", "Estimated", "Episode", "STALL", "STOP", "EPISODES", "us_path",
           "Moments", "observed_moments", "simulate", "model_moments", "Fit", "estimate",
           "free_parameters", "plausible", "fit_moments", "plausible_set", "ESTIMATE_JSON",
           "estimate_record", "load_plausible"]
