"""Partner rates on the example's real published figures (needs.assessment.partners)."""

from __future__ import annotations

import pytest

from needs.assessment.partners import partner_rates
from needs.inputs.load import load
from needs.reference.locations import example_data


@pytest.fixture(scope="module")
def rates():
    frame = partner_rates(load(example_data()), "2023-24")
    return frame[frame["area_code"] == "E10000018"].set_index(["indicator", "period"])


def test_marac_rate_is_safelives_published_rate(rates):
    # SafeLives 2023-24, Leicestershire police force area: 1,241 cases, 26.6 per 10,000 adult women;
    # the denominator is worked back as 1,241 x 10,000 / 26.646 = 465,732 women aged 16+
    row = rates.loc[("marac_cases_rate", "2023-24")]
    assert row["numerator"] == 1241
    assert row["value"] == pytest.approx(26.6, abs=0.05)
    assert row["denominator"] == pytest.approx(465_732, abs=1)
    assert row["benchmark"] == 40
    assert row["source_area_code"] == "E23000021"
    # Byar's 95% limits: 1,241 x (1 - 1/(9 x 1,241) - 1.959964/(3 sqrt(1,241)))^3 = 1,172.9 -> 25.18 per 10,000
    assert row["lower"] == pytest.approx(1172.9 / 465_732 * 10_000, abs=0.01)


def test_repeat_share_and_year_on_year(rates):
    row = rates.loc[("marac_repeat_share", "2023-24")]
    assert row["value"] == pytest.approx(100 * 446 / 1241)  # 35.94%
    # 2022-23: 309 of 926 = 33.37%; change 35.94 - 33.37 = 2.57 points
    assert row["change"] == pytest.approx(100 * 446 / 1241 - 100 * 309 / 926)


def test_cin_share_for_leicestershire(rates):
    # DfE census year ending March 2024: 1,336 of 3,705 episodes with factors (parent or carer)
    row = rates.loc[("cin_da_parent_share", "2023-24")]
    assert (row["numerator"], row["denominator"]) == (1336, 3705)
    assert row["value"] == pytest.approx(36.06, abs=0.01)


def test_absent_tables_give_no_rows(rates):
    dataset = load(example_data())
    tables = {k: v for k, v in dataset.tables.items() if k not in ("marac", "police", "homelessness",
                                                                   "children_in_need")}
    from dataclasses import replace

    assert partner_rates(replace(dataset, tables=tables), "2023-24").empty
