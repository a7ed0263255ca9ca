"""Bad input gets one clear message naming the field, the value and what is allowed."""

import re
import shutil

import pytest

from agents.coalition_model import CoalitionModel
from model.data import DataError, load_nations, NATIONS_CSV
from model.config import CoalitionError, ParameterError
from model.scenarios import ScenarioError, load_scenario


@pytest.mark.parametrize("kwargs,field,allowed", [
    (dict(scenario="atlantis"), "atlantis", "baseline"),
    (dict(us_policy="benevolent"), "benevolent", "steadfast"),
    (dict(colour="blue"), "colour", "spillover"),
    (dict(spillover=1.5), "spillover", "from 0 to 1"),
    (dict(spillover="lots"), "spillover", "a number"),
    (dict(adjustment_speed=0.0), "adjustment_speed", "(exclusive)"),
    (dict(mode="anarchy"), "anarchy", "individual, coordinated"),
    (dict(adversary="maybe"), "adversary", "true or false"),
    (dict(n_nations=2.5, nations="identical"), "n_nations", "whole number"),
    (dict(us_level=-0.1), "us_level", "from 0 to 1"),
    (dict(pledge_floor=0.01, max_contribution=0.005), "pledge_floor = 0.01", "max_contribution"),
    (dict(us_reliance=float("nan")), "us_reliance", "a number"),
    (dict(nation_params={"XYZ": {"us_reliance": 1.0}}), "XYZ", "DEU"),
    (dict(nation_params={"DEU": {"mood": 1.0}}), "DEU.mood", "us_reliance"),
    (dict(nation_params={"DEU": {"us_reliance": 3.0}}), "DEU.us_reliance", "from -4 to 1"),
])
def test_model_rejects_bad_input_with_a_value_error_naming_it(kwargs, field, allowed):
    with pytest.raises(CoalitionError) as info:
        CoalitionModel(**kwargs)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert field in message and allowed in message
    assert "\n" not in message


def test_rounds_must_be_a_whole_number():
    with pytest.raises(ParameterError, match="rounds"):
        CoalitionModel().run(-1)


@pytest.fixture
def nations_copy(tmp_path):
    """The nations file and the files it is read with (EU, off-budget, veto players)."""
    for name in ("eu.csv", "off_budget.csv", "veto_players.csv"):
        shutil.copy(NATIONS_CSV.parent / name, tmp_path / name)
    path = tmp_path / "nations.csv"
    shutil.copy(NATIONS_CSV, path)
    return path


def test_a_veto_player_that_is_not_a_nation_is_refused(nations_copy):
    vetoes = nations_copy.parent / "veto_players.csv"
    vetoes.write_text(vetoes.read_text().replace("SVK,", "XYZ,", 1))
    with pytest.raises(DataError, match="veto player 'XYZ' is not a nation of nations.csv"):
        load_nations(nations_copy)


def test_off_budget_money_of_an_unknown_lender_is_refused(nations_copy):
    money = nations_copy.parent / "off_budget.csv"
    money.write_text(money.read_text().replace("\nCAN,", "\nXYZ,", 1))
    with pytest.raises(DataError, match="'XYZ' is not allowed: expected a model nation or USA, EUI"):
        load_nations(nations_copy)


def test_negative_off_budget_money_is_refused(nations_copy):
    money = nations_copy.parent / "off_budget.csv"
    money.write_text(money.read_text().replace("CAN,2025,ERA,3.074012", "CAN,2025,ERA,-3.0", 1))
    with pytest.raises(DataError, match="amount_eur_bn'.*expected a number at least 0"):
        load_nations(nations_copy)


@pytest.mark.parametrize("setting,words", [
    ({"DEU.defence": -0.01}, "DEU.defence = -0.01 is not allowed"),
    ({"defence": 0.5}, "defence = 0.5 is not allowed (out of range)"),
    ({"EST.off_budget_lending": 5.0}, "EST is not an off-budget lender; the lenders are"),
    ({"HUN.veto_linkage": -1.0}, "HUN.veto_linkage = -1.0 is not allowed"),
    ({"round_length": "month"}, "round_length = 'month' is not allowed"),
])
def test_bad_v2_settings_are_refused_naming_them(setting, words):
    with pytest.raises(CoalitionError, match=re.escape(words)):
        CoalitionModel("baseline", **setting)


def test_data_file_with_a_missing_column(nations_copy):
    lines = nations_copy.read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("exposure")
    rows = [",".join(c for j, c in enumerate(line.split(",")) if j != col) for line in lines]
    nations_copy.write_text("\n".join(rows) + "\n")
    with pytest.raises(DataError, match="column 'exposure' is missing"):
        load_nations(nations_copy)


def test_data_file_with_a_non_numeric_cell(nations_copy):
    text = nations_copy.read_text().replace("Berlin,52.524,13.411", "Berlin,fifty-two,13.411")
    nations_copy.write_text(text)
    with pytest.raises(DataError) as info:
        load_nations(nations_copy)
    message = str(info.value)
    assert "capital_lat" in message and "'fifty-two'" in message and "a number" in message
    assert "row 4" in message


def test_data_file_that_does_not_exist(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_nations(tmp_path / "nope.csv")


def test_scenario_file_with_an_unknown_key(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text('title = "x"\n[paramters]\nspillover = 0.2\n')
    with pytest.raises(ScenarioError, match="'paramters' is not allowed"):
        load_scenario(path)


def test_scenario_file_with_a_bad_value_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('title = "x"\n[parameters]\nspillover = 7\n')
    with pytest.raises(ScenarioError, match=r"bad.toml.*spillover = 7"):
        load_scenario(path)


def test_every_shipped_scenario_is_valid():
    from model.scenarios import scenario_names

    names = scenario_names()
    for required in ("baseline", "us-walks-away", "transactional-us", "erratic-us",
                     "us-withdraws-gradually", "germany-decouples", "strategic-autonomy",
                     "lq-textbook", "olson-zeckhauser"):
        assert required in names
    for name in names:
        CoalitionModel(name, rng=0).run(2)
