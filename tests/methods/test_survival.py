"""The Kaplan–Meier restricted mean stay, worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from needs.methods.survival import restricted_mean_stay

#: Five stays, two still open (censored): 2, 4+, 5, 7+, 9 days.
FIVE = pd.DataFrame({"time": [2, 4, 5, 7, 9], "event": [True, False, True, False, True]})


def test_five_stays_two_censored_by_hand() -> None:
    # S = 1 to day 2; 4/5 from 2 (5 at risk, 1 ends); (4/5)(2/3) = 8/15 from 5 (3 at risk:
    # 5, 7+, 9); 0 from 9 (1 at risk). Area to 9: 2 x 1 + 3 x 4/5 + 4 x 8/15 = 6.5333.
    out = restricted_mean_stay(FIVE)
    row = out.iloc[0]
    assert row["restricted_mean_days"] == pytest.approx(2 + 3 * 0.8 + 4 * 8 / 15)
    assert (row["stays"], row["ended"], row["censored"], row["horizon_days"]) == (5, 3, 2, 9)
    # Above the cut-at-the-end mean (27 / 5 = 5.4), which treats the open stays as ended.
    assert row["restricted_mean_days"] > FIVE["time"].mean()


def test_horizon_restricts_the_area() -> None:
    out = restricted_mean_stay(FIVE, horizon=6)
    assert out["restricted_mean_days"].iloc[0] == pytest.approx(2 + 3 * 0.8 + 1 * 8 / 15)
    # A horizon past the last time with the curve at 0 adds nothing.
    assert restricted_mean_stay(FIVE, horizon=20)["restricted_mean_days"].iloc[0] == pytest.approx(6.5333, abs=1e-4)


def test_last_stay_open_gives_area_to_the_horizon() -> None:
    # 3, 6+: S = 1/2 from 3; to tau = 6: 3 + 3 x 1/2 = 4.5 (a lower bound on the mean).
    frame = pd.DataFrame({"time": [3, 6], "event": [True, False]})
    assert restricted_mean_stay(frame)["restricted_mean_days"].iloc[0] == pytest.approx(4.5)


def test_delayed_entry_only_counts_a_stay_once_observed() -> None:
    # (entry, time, ended): (0, 3, yes), (4, 6, yes), (0, 4, no). At 3 the stay that entered
    # at 4 is not yet at risk: 2 at risk, S = 1/2; at 6 one at risk, S = 0. Area 3 + 3/2.
    frame = pd.DataFrame({"time": [3, 6, 4], "event": [True, True, False], "entry": [0, 4, 0]})
    out = restricted_mean_stay(frame, entry="entry")
    assert out["restricted_mean_days"].iloc[0] == pytest.approx(4.5)
    # Without delayed entry it would be at risk from 0: S = 2/3 from 3, area 3 + 3 x 2/3 = 5.
    assert restricted_mean_stay(frame)["restricted_mean_days"].iloc[0] == pytest.approx(5.0)


def test_groups_at_once_match_each_group_alone() -> None:
    other = pd.DataFrame({"time": [3, 6], "event": [True, False]})
    both = pd.concat([FIVE.assign(g="a"), other.assign(g="b")], ignore_index=True)
    out = restricted_mean_stay(both, ["g"]).set_index("g")
    assert out.loc["a", "restricted_mean_days"] == pytest.approx(6.5333, abs=1e-4)
    assert out.loc["b", "restricted_mean_days"] == pytest.approx(4.5)
    assert out.loc["b", "censored"] == 1


def test_ties_and_all_ended_give_the_plain_mean() -> None:
    frame = pd.DataFrame({"time": [2, 2, 4, 8], "event": [True] * 4})
    assert restricted_mean_stay(frame)["restricted_mean_days"].iloc[0] == pytest.approx(np.mean([2, 2, 4, 8]))


def test_rejects_impossible_stays() -> None:
    with pytest.raises(ValueError):
        restricted_mean_stay(pd.DataFrame({"time": [0], "event": [True]}))
    with pytest.raises(ValueError):
        restricted_mean_stay(pd.DataFrame({"time": [3], "event": [True], "entry": [3]}), entry="entry")


def test_stay_distribution_has_the_restricted_mean() -> None:
    # Stays 2, 4+, 5, 7+, 9 (+ open): S = 4/5 after 2, 8/15 after 5, 0 after 9, so the masses
    # are 1/5 at 2, 4/5 - 8/15 = 4/15 at 5 and 8/15 at 9; mean 2/5 + 20/15 + 72/15 = 6.53.
    # With the last stay open (9+) the mass 8/15 stays at the horizon 9: the same here.
    from needs.methods.survival import restricted_mean_stay, stay_distribution

    frame = pd.DataFrame({"time": [2, 4, 5, 7, 9], "event": [True, False, True, False, True]})
    out = stay_distribution(frame)
    assert out["stay_days"].tolist() == [2.0, 5.0, 9.0]
    assert out["probability"].tolist() == pytest.approx([1 / 5, 4 / 15, 8 / 15])
    mean = float((out["stay_days"] * out["probability"]).sum())
    assert mean == pytest.approx(restricted_mean_stay(frame)["restricted_mean_days"].iloc[0])
    open_last = stay_distribution(frame.assign(event=[True, False, True, False, False]))
    assert open_last["stay_days"].tolist() == [2.0, 5.0, 9.0]
    assert open_last["probability"].tolist() == pytest.approx([1 / 5, 4 / 15, 8 / 15])
