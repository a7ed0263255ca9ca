"""The classroom game's debrief: where the class took the coalition, against where the
model's nations took it from the same start.

:func:`debrief` compares the room's run (students' choices) with the model's own path
(:func:`experiments.classroom.replay` with ``students=False``: the same seed, the same
random numbers, the teacher's US as played, every nation left to the model), and
judges each student's nation round by round against what the model's nation would have
done in its place, from the same state:

- aid: the model's move is a step of the adjustment speed from last round's aid towards
  the best response (``State.target``; without the noise), within the bounds; a
  student's aid "is the model's" when it is within :data:`AID_TOLERANCE` of it
  (relative, or within 0.01% of GDP);
- side: the model's nation switches if its gain, at the equilibria of the round's
  start (before anyone switched that round), beats its penalty; a student's side
  "is the model's" when it is the same.

A nation "behaved like the model" if both held in at least :data:`LIKE_SHARE` of its
rounds. The class's Olson-Zeckhauser correlation is Spearman's rank correlation of
GDP and aid burden (bilateral plus EU, share of GDP) among the students' nations that
are members at the end; beside it, the same nations' in the model's path. Which policy
the US followed each round (the teacher may switch it) and where its commitment was set
by hand is :attr:`Debrief.us` (:func:`us_text` in words).
:func:`to_csv` is the teacher's table, :func:`summary_figure` the one-page picture.
"""

from __future__ import annotations

import csv
import io
import textwrap
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from scipy.stats import spearmanr

from agents.coalition_model import CoalitionModel
from experiments.classroom import Room, replay
from model import game as g
from model.rounds import round_game
from model.state import State

AID_TOLERANCE = 0.25  # relative distance of a student's aid from the model's move
AID_ABSOLUTE = 1e-4  # ... or this close in share of GDP (0.01% of GDP)
LIKE_SHARE = 2 / 3  # share of rounds a nation must match the model to behave like it
PATHS = (("european_effort_bn", "European aid (EUR bn a year)"),
         ("coalition_size", "members of the coalition"),
         ("force_troops", "troops in the reassurance force"))


@dataclass(frozen=True)
class NationRound:
    round: int
    iso3: str
    submitted: bool
    aid: float  # played, share of GDP
    model_aid: float  # the model's move in its place
    best_response: float
    member: bool  # after the round
    model_member: bool  # the side the model's nation would have taken
    troops: int  # offered, people
    aid_like: bool
    side_like: bool


@dataclass(frozen=True)
class USRound:
    round: int
    policy: str  # the policy it followed (the teacher may have switched it)
    level: float  # the commitment it played (1 = its 2022-24 effort)
    by_hand: bool  # the teacher set the level by hand


@dataclass(frozen=True)
class NationVerdict:
    iso3: str
    nation: str
    player: str
    rounds: int
    submitted: int
    like_rounds: int  # rounds with both aid and side like the model's
    mean_aid: float
    mean_model_aid: float
    left: bool  # out of the coalition at the end (it started in)
    like_model: bool
    sentence: str


@dataclass(frozen=True)
class Debrief:
    rounds: list[int]
    class_path: dict[str, list[float]]
    model_path: dict[str, list[float]]
    nations: list[NationVerdict]
    rows: list[NationRound]
    us: list[USRound]
    class_oz: float | None
    model_oz: float | None
    oz_note: str
    verdict: str
    reason: str
    model_verdict: str
    model_reason: str
    anonymous: bool
    code: str
    scenario: str


def model_moves(model: CoalitionModel, before: State, after: State) -> tuple[np.ndarray, np.ndarray]:
    """What the model's nations would have done in the round from ``before`` to ``after``:
    (aid (N,), in the coalition (N,))."""
    world = model.world
    game = round_game(world, after)
    step = before.contribution + world.adjustment_speed * (after.target - before.contribution)
    lower, upper = g.contribution_bounds(game, before.member)
    aid = np.clip(step, lower, upper)
    threshold = g.switching_penalty(game, before.member, world.exit_penalty, world.join_penalty)
    switch = g.wants_to_switch(before.member, threshold - after.gain, after.gain_tol)
    return aid[0], (before.member ^ switch)[0]


def oz_correlation(gdp: np.ndarray, burden: np.ndarray) -> float | None:
    """Spearman's rank correlation of GDP and burden; None if fewer than three nations
    or either is all the same."""
    if gdp.size < 3 or np.ptp(gdp) == 0 or np.ptp(burden) <= 1e-15:
        return None
    return float(spearmanr(gdp, burden).statistic)


def _burdens(model: CoalitionModel, nations: list[int]) -> tuple[np.ndarray, np.ndarray]:
    st = model.state
    game = model.current_game()
    members = [i for i in nations if st.member[0, i]]
    burden = (st.contribution + game.eu_share)[0, members]
    return np.asarray(model.world.game.gdp[0, members], dtype=float), burden


def debrief(room: Room) -> Debrief:
    """The debrief of a room (any phase; with no round played the paths are one point)."""
    with room.lock:
        record = room.record()
        model, states, played = room.model, list(room.states), list(room.played)
        frame = model.datacollector.get_model_vars_dataframe()
        verdict, reason = model.verdict, model.reason
        unit = int(model.world.force.unit[0, 0])
        index = dict(room.index)
        names = model.nations
        players = {iso3: room.players[t].name for iso3, t in room.by_nation.items()}
        rows = []
        us = [USRound(p.round, p.us_policy, float(after.us_level[0, 0]),
                      not np.isnan(p.choices.us_level[0, 0]))
              for p, after in zip(played, states[1:])]
        for p, before, after in zip(played, states[:-1], states[1:]):
            aid, side = model_moves(model, before, after)
            human = p.choices.human_nations[0]
            for iso3, i in index.items():
                if not human[i]:  # no student played it this round: the model did
                    continue
                played_aid, model_aid = float(after.contribution[0, i]), float(aid[i])
                near = abs(played_aid - model_aid) <= max(AID_TOLERANCE * abs(model_aid), AID_ABSOLUTE)
                rows.append(NationRound(
                    round=p.round, iso3=iso3, submitted=iso3 in p.submitted, aid=played_aid,
                    model_aid=model_aid, best_response=float(after.target[0, i]),
                    member=bool(after.member[0, i]), model_member=bool(side[i]),
                    troops=int(after.troops_offer[0, i]) * unit, aid_like=bool(near),
                    side_like=bool(after.member[0, i]) == bool(side[i])))
        played_by = [index[iso3] for iso3 in index if iso3 in players]  # nations with a student
        class_oz = oz_correlation(*_burdens(model, played_by))
        start_members = states[0].member[0]
        end_members = model.state.member[0]
    alone = replay(record, students=False)
    model_frame = alone.datacollector.get_model_vars_dataframe()
    model_oz = oz_correlation(*_burdens(alone, played_by))
    verdicts = []
    for iso3, i in index.items():
        mine = [r for r in rows if r.iso3 == iso3]
        if not mine and iso3 not in players:
            continue  # no student ever played it
        like = sum(r.aid_like and r.side_like for r in mine)
        mean_aid = float(np.mean([r.aid for r in mine])) if mine else float("nan")
        mean_model = float(np.mean([r.model_aid for r in mine])) if mine else float("nan")
        left = bool(start_members[i]) and not bool(end_members[i])
        is_like = bool(mine) and like >= LIKE_SHARE * len(mine)
        verdicts.append(NationVerdict(
            iso3=iso3, nation=names.name[i], player=players.get(iso3, ""), rounds=len(mine),
            submitted=sum(r.submitted for r in mine), like_rounds=like, mean_aid=mean_aid,
            mean_model_aid=mean_model, left=left, like_model=is_like,
            sentence=_sentence(names.name[i], mine, like, mean_aid, mean_model, left)))
    rounds = frame.index.tolist() if "round" not in frame else frame["round"].astype(int).tolist()
    n = len(rounds)
    note = ("Spearman's rank correlation of GDP and aid burden among the students' nations "
            "still in the coalition at the end; positive: the great carry the small "
            "(Olson and Zeckhauser 1966)")
    return Debrief(
        rounds=rounds, class_path={k: frame[k].astype(float).tolist() for k, _ in PATHS},
        model_path={k: model_frame[k].astype(float).tolist()[:n] for k, _ in PATHS},
        nations=verdicts, rows=rows, us=us, class_oz=class_oz, model_oz=model_oz, oz_note=note,
        verdict=verdict, reason=reason, model_verdict=alone.verdict, model_reason=alone.reason,
        anonymous=room.setup.anonymous, code=room.code, scenario=room.setup.scenario)


def pct(share: float) -> str:
    return f"{100 * share:.2f}%"


def _sentence(nation: str, rows: list[NationRound], like: int, mean_aid: float,
              mean_model: float, left: bool) -> str:
    if not rows:
        return f"{nation}: no round played yet."
    head = (f"{nation} played like the model's nation in {like} of {len(rows)} rounds"
            f" (aid {pct(mean_aid)} of GDP on average, the model's {pct(mean_model)})")
    against = [r.round for r in rows if not r.side_like]
    if against:
        end = "out of" if not rows[-1].member else "in"
        head += ("; it took another side than the model's nation in round "
                 + ", ".join(map(str, against)) + f" (it ended {end} the coalition)")
    elif left:
        head += "; it left, as the model's nation would have"
    return head + "."


def us_text(us: list[USRound]) -> str:
    """Which policy the US followed in which rounds, and where the teacher set it by hand."""
    if not us:
        return "no round played yet"
    spans: list[list] = []  # [policy, first round, last round]
    for r in us:
        if spans and spans[-1][0] == r.policy:
            spans[-1][2] = r.round
        else:
            spans.append([r.policy, r.round, r.round])
    text = ", then ".join(f"{policy} in round {a}" if a == b else f"{policy} in rounds {a}-{b}"
                          for policy, a, b in spans)
    hand = [str(r.round) for r in us if r.by_hand]
    return text + (f" (its commitment set by hand in round {', '.join(hand)})" if hand else "")


def oz_text(value: float | None) -> str:
    return "undefined (fewer than three members, or all alike)" if value is None else f"{value:+.2f}"


def to_csv(d: Debrief) -> str:
    """One row per round and student nation: what was played, what the model would have
    done, and the coalition's path beside the model's."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["room", "round", "us_policy", "us_level_pct", "us_by_hand", "iso3", "nation",
                "player", "submitted", "aid_share_pct",
                "model_aid_share_pct", "best_response_pct", "member", "model_member",
                "troops_offered", "like_model", "european_aid_bn", "model_european_aid_bn",
                "members", "model_members", "force_troops", "model_force_troops"])
    names = {v.iso3: (v.nation, "" if d.anonymous else v.player) for v in d.nations}
    at = {r: k for k, r in enumerate(d.rounds)}
    us = {u.round: u for u in d.us}
    for r in d.rows:
        k, u = at[r.round], us[r.round]
        w.writerow([d.code, r.round, u.policy, f"{100 * u.level:.6g}", int(u.by_hand), r.iso3,
                    *names[r.iso3], int(r.submitted),
                    f"{100 * r.aid:.6g}", f"{100 * r.model_aid:.6g}", f"{100 * r.best_response:.6g}",
                    int(r.member), int(r.model_member), r.troops, int(r.aid_like and r.side_like),
                    f"{d.class_path['european_effort_bn'][k]:.6g}",
                    f"{d.model_path['european_effort_bn'][k]:.6g}",
                    int(d.class_path["coalition_size"][k]), int(d.model_path["coalition_size"][k]),
                    int(d.class_path["force_troops"][k]), int(d.model_path["force_troops"][k])])
    return out.getvalue()


def summary_figure(d: Debrief) -> Figure:
    """The one-page summary: the three paths, the verdicts, the correlation, the nations."""
    fig = Figure(figsize=(11.7, 8.3), layout="constrained")  # A4 landscape
    grid = fig.add_gridspec(2, 3, height_ratios=[1, 1.15])
    fig.suptitle(f"Classroom game, room {d.code} ({d.scenario}): the class against the model",
                 fontsize=14)
    for k, (key, label) in enumerate(PATHS):
        ax = fig.add_subplot(grid[0, k])
        ax.plot(d.rounds, d.class_path[key], "-o", color="#c0392b", label="the class")
        ax.plot(d.rounds, d.model_path[key], "--s", color="#2c6fb7", label="the model's nations")
        ax.set_title(label, fontsize=11)
        ax.set_xlabel("round (0: the start)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=key != "european_effort_bn"))
        ax.grid(alpha=0.3)
        if k == 0:
            ax.legend(fontsize=9)
    ax = fig.add_subplot(grid[1, :])
    ax.axis("off")
    lines = [f"The US (the teacher): {us_text(d.us)}.",
             f"The class: {d.reason}", f"The model's nations from the same start: {d.model_reason}",
             f"Olson-Zeckhauser correlation, the class: {oz_text(d.class_oz)}; "
             f"the same nations in the model: {oz_text(d.model_oz)}",
             ""]
    for v in d.nations:
        who = "" if d.anonymous or not v.player else f" ({v.player})"
        mark = "like the model" if v.like_model else "not like the model"
        lines.append(f"[{mark}] {v.sentence}{who}")
    text = "\n".join(textwrap.fill(line, 150, subsequent_indent="    ") for line in lines)
    ax.text(0, 1, text, va="top", ha="left", fontsize=9, family="DejaVu Sans", wrap=True)
    return fig


def summary_png(d: Debrief) -> bytes:
    buf = io.BytesIO()
    summary_figure(d).savefig(buf, format="png", dpi=110)
    return buf.getvalue()


__all__ = ["Debrief", "NationVerdict", "NationRound", "USRound", "debrief", "to_csv",
           "summary_figure", "summary_png", "oz_correlation", "us_text", "model_moves",
           "AID_TOLERANCE", "LIKE_SHARE"]
