"""The 2025 natural experiment: US allocations stopped; what did each nation do?

Runs a scenario's first round (one round = one year) from the 2022-24 status quo and
sets each nation's predicted change of bilateral on-budget aid beside its observed
2025 change (Kiel, at 2024 prices, off-budget loans taken out), and the same for the
EU's own aid. Off-budget money is an input of the round (the observed schedule), not
a prediction, so it is reported beside, not scored. A validation to report honestly,
not a target the calibration fits (``coalition validate``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from model.errors import CoalitionError
from model.rounds import draw_round, event_stream, play_round
from model.scenarios import load_scenario, scenario_names
from model.state import build_world


class ValidationError(CoalitionError):
    """A scenario without the observed 2025 data the validation compares against."""


@dataclass(frozen=True)
class Validation2025:
    scenario: str
    iso3: tuple[str, ...]
    predicted_ratio: np.ndarray  # bilateral aid after one round / 2022-24
    observed_ratio: np.ndarray  # 2025 / 2022-24 (Kiel)
    predicted_effort_ratio: float  # national bilateral aid, all nations
    observed_effort_ratio: float
    predicted_eu_ratio: float  # the EU's own (on-budget) aid
    observed_eu_ratio: float
    off_budget_2025_bn: float  # the round's off-budget money (an input)

    @property
    def direction_agreement(self) -> float:
        """Share of nations whose predicted and observed change have the same sign."""
        return float(np.mean(np.sign(self.predicted_ratio - 1) == np.sign(self.observed_ratio - 1)))

    @property
    def rank_correlation(self) -> float:
        return float(spearmanr(self.predicted_ratio, self.observed_ratio).statistic)

    def text(self) -> str:
        return (f"{self.scenario}: national bilateral aid predicted x{self.predicted_effort_ratio:.2f}, "
                f"observed x{self.observed_effort_ratio:.2f} in 2025; EU aid predicted "
                f"x{self.predicted_eu_ratio:.2f}, observed x{self.observed_eu_ratio:.2f}; "
                f"direction right for {100 * self.direction_agreement:.0f}% of nations; rank "
                f"correlation {self.rank_correlation:+.2f} (off-budget money in 2025: EUR "
                f"{self.off_budget_2025_bn:.1f} bn, an input)")


def validate_2025(scenario: str = "us-walks-away", seed: int = 0, **params) -> Validation2025:
    """One round of ``scenario`` from the 2022-24 status quo against 2025 (Kiel).

    Runs the round directly (:func:`model.rounds.play_round`, as the Mesa model's step
    does), with the model's random numbers from ``seed``.
    """
    config = load_scenario(scenario).config({**params, "stop_on_verdict": False})
    world, state, table, _ = build_world(config)
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = table.contribution_2025 / table.contribution
    if not np.isfinite(observed).all():
        lacking = table.iso3[int(np.flatnonzero(~np.isfinite(observed))[0])]
        with_data = [n for n in scenario_names() if load_scenario(n).config().nations == "data"]
        raise ValidationError(f"scenario {scenario!r} has no observed 2025 data (none for "
                              f"{lacking}; nations = {config.nations!r}): validate needs a "
                              "scenario of the real nations, one of " + ", ".join(with_data))
    start = state.contribution[0].copy()
    eu_start = float(state.eu_aid[0, 0])
    rng = np.random.default_rng(seed)
    state = play_round(world, state, draw_round([rng], table.n, [event_stream(rng)]))
    gdp = table.gdp
    predicted = state.contribution[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        predicted_ratio = predicted / start
    return Validation2025(
        scenario=scenario, iso3=table.iso3, predicted_ratio=predicted_ratio,
        observed_ratio=observed,
        predicted_effort_ratio=float((predicted * gdp).sum() / (start * gdp).sum()),
        observed_effort_ratio=float((table.contribution_2025 * gdp).sum()
                                    / (table.contribution * gdp).sum()),
        predicted_eu_ratio=float(state.eu_aid[0, 0]) / eu_start,
        observed_eu_ratio=table.eu_aid_2025 / table.eu_aid,
        off_budget_2025_bn=float(state.off_budget[0, 0]))


def scenario_report(v: Validation2025) -> str:
    """What ``coalition validate --scenario NAME`` prints (the app's "Model vs reality")."""
    lines = ["The 2025 natural experiment: US allocations stopped. One round from the 2022-24 "
             "status quo, against what each nation did in 2025 (Kiel; on-budget bilateral aid at "
             "2024 prices, off-budget loans taken out).", v.text(),
             f"{'nation':8s} {'predicted':>10s} {'observed':>10s}"]
    lines += [f"{code:8s} {p:10.2f}x {o:10.2f}x"
              for code, p, o in zip(v.iso3, v.predicted_ratio, v.observed_ratio)]
    return "\n".join(lines)


if __name__ == "__main__":
    for name in ("us-walks-away", "germany-decouples", "strategic-autonomy"):
        print(validate_2025(name).text())


# --------------------------------------------------------------------------- the protocol
# Fixed before looking (issue 10): estimate on data to 2024-Q4 (the stall), test on 2025;
# and the other way round (estimate on 2025, test on the stall); k-fold across nations.
LOG_FLOOR = 0.05  # a ratio below this counts as 0.05 in the log scores (a donor that stopped)


def _log(r: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(r, LOG_FLOOR))


def scores(predicted: np.ndarray, observed: np.ndarray) -> dict[str, float]:
    """RMSE of log ratios, the direction hit rate and the rank correlation."""
    predicted = np.broadcast_to(np.asarray(predicted, float), observed.shape)
    rmse = float(np.sqrt(np.mean((_log(predicted) - _log(observed)) ** 2)))
    hits = float(np.mean(np.sign(np.round(predicted - 1, 12)) == np.sign(observed - 1)))
    spread = np.ptp(predicted) > 1e-12
    rank = float(spearmanr(predicted, observed).statistic) if spread else float("nan")
    return {"rmse_log": rmse, "direction": hits, "rank": rank}


def episode_ratios(panel, nations: tuple[str, ...], episode) -> dict[str, np.ndarray]:
    """The observed ratio of the episode's first contrast (later over earlier window),
    per nation, for the EU, the nations together and nations plus EU."""
    from model.panel import EU

    later, earlier = episode.contrasts[0]
    sq = panel.status_quo

    def window(name):
        return sq if name == "sq" else panel.window(episode.windows[name])

    a, b = window(later), window(earlier)
    idx = [panel.donors.index(c) for c in nations]
    e = panel.donors.index(EU)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(b[idx] > 0, a[idx] / b[idx], np.nan)
    return {"nations": per, "eu": np.array(a[e] / b[e]),
            "together_nations": np.array(a[idx].sum() / b[idx].sum()),
            "together": np.array((a[idx].sum() + a[e]) / (b[idx].sum() + b[e]))}


def predicted_ratios(points, episode, us: np.ndarray, seed: int = 0, fixed=None):
    """The model's ratio of the episode's first contrast for parameter points."""
    from model.estimation import simulate

    sim = simulate(points, episode, us, seed, fixed)
    index = {q: i for i, q in enumerate(episode.quarters)}
    later, earlier = episode.contrasts[0]

    def window(series, name):
        if name == "sq":
            return np.ones(series.shape[:1] + series.shape[2:])
        return series[:, [index[q] for q in episode.windows[name]]].mean(1)

    nat = sim["nations"]
    per = window(nat, later) / window(nat, earlier)
    weight = sim["start"] * sim["gdp"]
    eu_sq = float(sim["table"].eu_aid)
    tot_a = (window(nat, later) * weight).sum(-1)
    tot_b = (window(nat, earlier) * weight).sum(-1)
    eu_a = window(sim["eu"][..., None], later)[:, 0] * eu_sq
    eu_b = window(sim["eu"][..., None], earlier)[:, 0] * eu_sq
    return {"nations": per, "eu": eu_a / eu_b, "together_nations": tot_a / tot_b,
            "together": (tot_a + eu_a) / (tot_b + eu_b)}


def noise_floor(panel, nations: tuple[str, ...]) -> dict[str, float]:
    """How far a single 2022-24 year strays from its nation's 2022-24 mean: the RMSE of
    log ratios a model that knew each nation's mean exactly would still have."""
    idx = [panel.donors.index(c) for c in nations]
    years = []
    for y in (2022, 2023, 2024):
        years.append(panel.window(tuple(f"{y}-Q{q}" for q in (1, 2, 3, 4)))[idx])
    years = np.array(years)
    sq = panel.status_quo[idx]
    ok = sq > 0
    per = np.sqrt(np.mean(_log(years[:, ok] / sq[ok]) ** 2, axis=0))
    total = years.sum(1) / sq.sum()
    return {"per_nation_rmse_log": float(np.sqrt(np.mean(per ** 2))),
            "nations_together_rmse_log": float(np.sqrt(np.mean(_log(total) ** 2)))}


def held_out_test(fit, fit_panel, test_panel, test_episode, nations, keep=None,
                  seed: int = 0) -> dict:
    """The fit's prediction for ``test_episode`` against the data and the benchmarks.

    The benchmarks: no change (ratio 1); the same ratio for every nation, taken from
    the estimation episode (the ratio of the nations together there: what a forecaster
    without the model would carry over); and, for reference only, the same ratio with
    the test's own observed total (an oracle: it has seen the answer).
    """
    from model.estimation import EPISODES, us_path

    fit_episode = EPISODES[fit.episode]
    obs = episode_ratios(test_panel, nations, test_episode)
    pred = predicted_ratios([dict(zip(fit.names, map(float, fit.estimate)))], test_episode,
                            us_path(test_panel, test_episode), seed)
    train = episode_ratios(fit_panel, nations, fit_episode)
    sel = np.isfinite(obs["nations"]) & (np.ones(len(nations), bool) if keep is None else keep)
    per_pred, per_obs = pred["nations"][0][sel], obs["nations"][sel]
    carried = float(train["together_nations"])
    oracle = float(obs["together_nations"])
    return {
        "fit": fit.episode, "test": test_episode.name,
        "totals": {k: {"predicted": float(pred[k][0]), "observed": float(obs[k])}
                   for k in ("together_nations", "eu", "together")},
        "nations": [{"iso3": c, "predicted": float(p), "observed": float(o)}
                    for c, p, o in zip(np.array(nations)[sel], per_pred, per_obs)],
        "scores": {"model": scores(per_pred, per_obs),
                   "no change": scores(np.ones_like(per_obs), per_obs),
                   f"same ratio (x{carried:.2f}, from the {fit.episode})":
                       scores(np.full_like(per_obs, carried), per_obs),
                   f"same ratio (x{oracle:.2f}, oracle: the test's own total)":
                       scores(np.full_like(per_obs, oracle), per_obs)},
        "carried_ratio": carried, "oracle_ratio": oracle,
    }


def goals(test: dict, benchmarks: tuple[str, str]) -> dict[str, bool]:
    """Issue 10's goals on a held-out test: the total's direction and size (within 25%),
    per nation beating both benchmarks on the RMSE of log ratios, 70% of directions."""
    t = test["totals"]["together_nations"]
    s = test["scores"]
    return {
        "total direction": bool(np.sign(t["predicted"] - 1) == np.sign(t["observed"] - 1)),
        "total within 25%": bool(abs(t["predicted"] / t["observed"] - 1) <= 0.25),
        "beats no change": s["model"]["rmse_log"] < s[benchmarks[0]]["rmse_log"],
        "beats same ratio": s["model"]["rmse_log"] < s[benchmarks[1]]["rmse_log"],
        "direction >= 70%": s["model"]["direction"] >= 0.70,
    }


def cross_validate(panel, test_panel, nations, folds: int = 4, seed: int = 0,
                   starts: int = 2) -> dict:
    """k-fold across nations: fit on the other folds' nations, score the held-out
    nations on the stall (their moments) and on 2025 (their ratios)."""
    from model.estimation import STALL, STOP, estimate

    order = np.random.default_rng(np.random.SeedSequence([20261204, seed])).permutation(len(nations))
    fold_of = np.empty(len(nations), int)
    fold_of[order] = np.arange(len(nations)) % folds
    pooled = {"predicted": [], "observed": [], "carried": [], "fold": []}
    estimates = []
    for f in range(folds):
        keep = fold_of != f
        fit = estimate(panel, STALL, keep=keep, starts=starts, seed=seed, profile_points=3)
        estimates.append(fit.estimate.tolist())
        test = held_out_test(fit, panel, test_panel, STOP, nations, keep=~keep, seed=seed)
        train = episode_ratios(panel, tuple(np.array(nations)[keep]), STALL)["together_nations"]
        for row in test["nations"]:
            pooled["predicted"].append(row["predicted"])
            pooled["observed"].append(row["observed"])
            pooled["carried"].append(float(train))
            pooled["fold"].append(f)
    p, o = np.array(pooled["predicted"]), np.array(pooled["observed"])
    return {"folds": folds, "estimates": estimates,
            "scores": {"model": scores(p, o), "no change": scores(np.ones_like(o), o),
                       "same ratio (from the training nations' stall)":
                           scores(np.array(pooled["carried"]), o)}}


def residual_mechanisms(fit, test_panel, seed: int = 0) -> dict[str, float]:
    """The 2025 total predicted with the estimate when a mechanism is switched off: what
    the residuals point to (off-budget money counted as effort, own defence rising)."""
    from model.estimation import STOP, us_path

    point = [dict(zip(fit.names, map(float, fit.estimate)))]
    us = us_path(test_panel, STOP)
    out = {}
    for label, fixed in (("as estimated", {}), ("off-budget money not counted", {"off_budget": "none"}),
                         ("own defence held at 2022-24", {"defence_path": "hold"}),
                         ("both", {"off_budget": "none", "defence_path": "hold"})):
        out[label] = float(predicted_ratios(point, STOP, us, seed, fixed)["together_nations"][0])
    return out


def protocol(folds: int = 4, seed: int = 0, starts: int | None = None,
             panel_path=None) -> dict:
    """The validation protocol of issue 10, as one object (``coalition validate --json``).

    1. Estimate on the stall with data to 2024-Q4 only; test on 2025 (held out).
    2. The other way round: estimate on 2025; test on the stall.
    3. k-fold across nations (fit on the other folds' nations, test the held-out ones
       on 2025).
    """
    import time

    from model.estimation import START_POINTS, STALL, STOP, estimate, _nations
    from model.panel import PANEL_CSV, load_panel

    t0 = time.perf_counter()
    path = panel_path or PANEL_CSV
    starts = len(START_POINTS) if starts is None else starts
    nations = _nations()
    to_2024 = load_panel("2024-Q4", path, nations)  # all the estimation may read
    to_2025 = load_panel("2025-Q4", path, nations)  # the test
    main = estimate(to_2024, STALL, starts=starts, seed=seed)
    test = held_out_test(main, to_2024, to_2025, STOP, nations, seed=seed)
    reverse_fit = estimate(to_2025, STOP, starts=starts, seed=seed)
    reverse = held_out_test(reverse_fit, to_2025, to_2025, STALL, nations, seed=seed)
    benchmarks = tuple(k for k in test["scores"] if k != "model")[:2]
    out = {
        "protocol": "estimate on data to 2024-Q4 (the US funding stall, 2023-Q4 and 2024-Q1); "
                    "test on 2025 (held out); and the other way round; k-fold across nations",
        "estimate": main.as_dict(), "test_2025": test,
        "goals_2025": goals(test, benchmarks),
        "noise_floor": noise_floor(to_2024, nations),
        "reverse": {"estimate": reverse_fit.as_dict(), "test_stall": reverse,
                    "goals": goals(reverse, tuple(k for k in reverse["scores"] if k != "model")[:2])},
        "mechanisms_2025": residual_mechanisms(main, to_2025, seed),
    }
    if folds >= 2:
        out["cross_validation"] = cross_validate(to_2024, to_2025, nations, folds, seed)
    out["seconds"] = time.perf_counter() - t0
    return out


def protocol_text(p: dict) -> str:
    """The protocol's report in words and tables (``coalition validate``)."""
    lines = ["Validation, fixed before looking: the pooled parameters estimated on data to 2024-Q4 "
             "(the US funding stall), tested on 2025, held out; then the other way round.", ""]

    def estimate_lines(e):
        out = [f"  {e['moments']} moments, chi2 {e['chi2']:.1f} on {e['dof']} degrees of freedom:"]
        for name, v in e["parameters"].items():
            se = "s.e. n/a" if v["se"] is None else f"s.e. {v['se']:.3g}"
            out.append(f"    {name:24s} {v['estimate']:8.3f}  ({se}; {v['identified']})")
        return out

    def test_lines(t, goals_):
        out = []
        names = {"together_nations": "the nations together", "eu": "the EU institutions",
                 "together": "nations and EU"}
        for k, label in names.items():
            v = t["totals"][k]
            out.append(f"  {label:22s} predicted x{v['predicted']:.2f}, observed x{v['observed']:.2f}")
        out.append(f"  {'per nation':54s} {'RMSE log':>9s} {'direction':>10s} {'rank':>7s}")
        for name, s in t["scores"].items():
            rank = "" if s["rank"] != s["rank"] else f"{s['rank']:+.2f}"
            out.append(f"    {name:52s} {s['rmse_log']:9.2f} {100 * s['direction']:9.0f}% {rank:>7s}")
        out.append("  goals: " + "; ".join(f"{k} {'YES' if v else 'NO'}" for k, v in goals_.items()))
        return out

    lines.append("Estimated on the stall (data to 2024-Q4):")
    lines += estimate_lines(p["estimate"])
    lines.append("Tested on 2025 (the US stopped), ratio to 2022-24:")
    lines += test_lines(p["test_2025"], p["goals_2025"])
    nf = p["noise_floor"]
    lines.append(f"  noise floor: a single 2022-24 year against its nation's mean strays by "
                 f"{nf['per_nation_rmse_log']:.2f} (RMSE log per nation), "
                 f"{nf['nations_together_rmse_log']:.2f} for the nations together")
    m = p["mechanisms_2025"]
    lines.append("  the nations together in 2025 with a mechanism switched off: "
                 + "; ".join(f"{k} x{v:.2f}" for k, v in m.items()))
    lines += ["", "The other way round: estimated on 2025, tested on the stall (ratio stall / the "
              "three quarters before):"]
    lines += estimate_lines(p["reverse"]["estimate"])
    lines += test_lines(p["reverse"]["test_stall"], p["reverse"]["goals"])
    if "cross_validation" in p:
        cv = p["cross_validation"]
        lines += ["", f"Cross-validation, {cv['folds']} folds across nations (fit on the others, "
                  "held-out nations in 2025):"]
        for name, s in cv["scores"].items():
            lines.append(f"    {name:52s} {s['rmse_log']:9.2f} {100 * s['direction']:9.0f}%")
    lines += ["", f"{'nation':8s} {'predicted':>10s} {'observed':>10s}   (2025 / 2022-24)"]
    for row in p["test_2025"]["nations"]:
        lines.append(f"{row['iso3']:8s} {row['predicted']:9.2f}x {row['observed']:9.2f}x")
    lines.append(f"({p['seconds']:.0f} s)")
    return "\n".join(lines)
