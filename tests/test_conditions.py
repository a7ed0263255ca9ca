"""Conditional troop pledges (model.conditions): every stance passes the same battery,
and the assurance-contract resolution honours the largest consistent set of pledges."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import conditions as cd

N = 5
NAMES = cd.strategy_names()


def pledges(honoured, troops=None, backstop=False, threshold=1000.0, others=2, force=np.nan,
            nations=None):
    honoured = np.atleast_2d(np.asarray(honoured, dtype=bool))
    n = honoured.shape[-1]
    troops = np.full(honoured.shape, 300.0) if troops is None else np.atleast_2d(troops)
    nations = np.zeros(honoured.shape + (n,), bool) if nations is None else nations
    return cd.Pledges(honoured, troops.astype(float), np.full((honoured.shape[0], 1), backstop),
                      np.full((honoured.shape[0], 1), threshold),
                      np.full(honoured.shape, float(others)), np.full(honoured.shape, force),
                      nations)


def named(n=N):
    """Nation i's if_nations condition names nation (i + 1) mod n."""
    out = np.zeros((1, n, n), bool)
    for i in range(n):
        out[0, i, (i + 1) % n] = True
    return out


@pytest.mark.parametrize("name", NAMES)
class TestEveryStance:
    """The shared battery: what every registered stance must satisfy."""

    def test_has_a_name_a_description_and_a_docstring_citing_its_source(self, name):
        cls = cd.REGISTRY[name]
        assert cls.name == name and cls.description and cls.__doc__
        assert any(ch.isdigit() for ch in cls.__doc__), "cite a statement or a paper (a year)"
        text = cls.describe(2.0, np.nan, ["the United Kingdom", "France"])
        assert text and "{" not in text
        assert "{" not in cls.condition(2.0, 5000.0, ["France"])

    def test_is_monotone_more_deployers_never_break_a_met_condition(self, name):
        cls = cd.REGISTRY[name]
        for bits in itertools.product([False, True], repeat=N):
            small = np.array(bits)
            for extra in range(N):
                large = small.copy()
                large[extra] = True
                for backstop in (False, True):
                    a = cls.holds(pledges(small, backstop=backstop, nations=named()))
                    b = cls.holds(pledges(large, backstop=backstop, nations=named()))
                    assert not (a & ~b).any(), (bits, extra, backstop)
                a = cls.holds(pledges(small, backstop=False, nations=named(), threshold=2000.0))
                b = cls.holds(pledges(small, backstop=True, nations=named(), threshold=1000.0))
                assert not (a & ~b).any(), "a backstop (and its lower threshold) never hurts"

    def test_vectorised_over_runs_equals_run_by_run(self, name):
        cls = cd.REGISTRY[name]
        rng = np.random.default_rng(4)
        honoured = rng.random((6, N)) < 0.5
        troops = rng.integers(0, 4, (6, N)) * 150.0
        batch = cd.Pledges(honoured, troops, rng.random((6, 1)) < 0.5, np.full((6, 1), 600.0),
                           rng.integers(0, 4, (6, N)).astype(float), np.full((6, N), np.nan),
                           rng.random((6, N, N)) < 0.3)
        together = cls.holds(batch)
        for b in range(6):
            one = cd.Pledges(*(np.asarray(getattr(batch, f))[b:b + 1] for f in
                               ("honoured", "troops", "backstop", "threshold", "others", "force",
                                "nations")))
            assert np.array_equal(cls.holds(one), together[b:b + 1])

    def test_an_offer_alone_is_honoured_only_as_its_condition_says(self, name):
        cls = cd.REGISTRY[name]
        code = np.full((1, N), NAMES.index(name))
        offers = np.zeros((1, N))
        offers[0, 0] = 600.0
        honoured, backstop, met = cd.resolve(code, offers, np.array([[True]]), np.zeros((1, 1)),
                                             np.full((1, 1), 1e4), np.full((1, 1), 500.0),
                                             np.zeros((1, N)), np.full((1, N), np.nan), named())
        alone = cls.holds(pledges(np.eye(N, dtype=bool)[0], troops=offers, backstop=True,
                                  threshold=500.0, others=0, nations=named()))
        assert honoured[0, 0] == (cls.offers and alone[0, 0])


def test_each_stance_means_what_it_says():
    one = np.eye(N, dtype=bool)[0] | np.eye(N, dtype=bool)[1]  # nations 0 and 1 deploy
    holds = lambda name, **kw: cd.REGISTRY[name].holds(pledges(one, **kw))[0]  # noqa: E731
    assert holds("unconditional").all() and not holds("never").any()
    assert holds("if_us_backstop", backstop=True).all()
    assert not holds("if_us_backstop", backstop=False).any()
    # at least K others deploy: nation 0 sees 1 other, nation 2 sees 2
    assert list(holds("if_others", others=2)) == [False, False, True, True, True]
    assert holds("if_force_reaches", threshold=600.0).all()  # 2 x 300 reaches it
    assert not holds("if_force_reaches", threshold=601.0).any()
    assert not holds("if_force_reaches", force=700.0, threshold=1.0).any()  # T given wins
    # if_nations: i needs i+1; nation 4 needs 0 (deployed), nation 0 needs 1 (deployed)
    assert list(holds("if_nations", nations=named())) == [True, False, False, False, True]


STANCES = st.lists(st.sampled_from(range(len(NAMES))), min_size=N, max_size=N)


@settings(max_examples=300, deadline=None)
@given(codes=STANCES, units=st.lists(st.integers(0, 4), min_size=N, max_size=N),
       us_offers=st.booleans(), price=st.sampled_from([0.0, 300.0, 900.0]),
       others=st.lists(st.integers(0, 4), min_size=N, max_size=N),
       links=st.lists(st.booleans(), min_size=N * N, max_size=N * N))
def test_resolution_is_the_largest_consistent_set(codes, units, us_offers, price, others, links):
    """Every honoured pledge's condition holds in the honoured set (consistent), and no
    other consistent set is larger or holds a pledge it lacks: conditional pledges never
    produce a force larger than the consistent set."""
    code = np.array([codes])
    troops = np.array([units], float) * 300.0
    nations = np.array(links).reshape(1, N, N) & ~np.eye(N, dtype=bool)[None]
    args = (np.array([others], float), np.full((1, N), np.nan), nations)
    t0, t1 = np.full((1, 1), 1500.0), np.full((1, 1), 900.0)
    honoured, backstop, met = cd.resolve(code, troops, np.array([[us_offers]]),
                                         np.full((1, 1), price), t0, t1, *args)

    def consistent(s, b):
        total = (troops * s).sum()
        if b and (not us_offers or total < price):
            return False
        p = cd.Pledges(s[None], troops, np.array([[b]]), t1 if b else t0, *args)
        ok = cd.holds_all(code, p)[0]
        return bool(np.all(ok[s]) and np.all(troops[0][s] > 0)
                    and np.all(cd.offering(code)[0][s]))

    assert consistent(honoured[0], bool(backstop[0, 0]))
    best = (troops * honoured).sum()
    for bits in itertools.product([False, True], repeat=N):
        s = np.array(bits)
        for b in (False, True):
            if consistent(s, b):
                assert not (s & ~honoured[0]).any(), "a consistent set outside the resolution"
                assert (troops * s).sum() <= best
                assert not (b and not backstop[0, 0])
