"""When the services behind the trend were running (needs.assessment.trends.service_coverage),
and the trend finding that says so, on the hand-listed dataset of tests/fixtures.py.

Shire's services S1 (refuge) and S2 (community advocacy) are moved to start on 1 October and
1 November 2023; S4 starts on 1 April 2024, the first day of 2024-25. A management post and a
planned (not yet in place) service are added: neither counts. Worked by hand:

* 2023-24 (366 days): S1 and S2 running, both began during the year; first start 1 October
  2023, so the services ran from 1 October 2023 to 31 March 2024: 31+30+31+31+29+31 = 183
  days, share 183/366 = 0.5 (6 of 12 months).
* 2024-25 (365 days): S1, S2, S4 running, none began after 1 April 2024; 365 days, share 1.
* Neighbourton: S3 from 1 April 2022, whole years.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from fixtures import NEIGHBOUR, NORTHTON, SHIRE, tiny_dataset

from needs.assessment.findings import findings
from needs.assessment.trends import service_coverage


def _dataset():
    dataset = tiny_dataset()
    services = dataset.tables["services"].copy()
    services.loc[services["service_id"] == "S1", "start"] = pd.Timestamp("2023-10-01")
    services.loc[services["service_id"] == "S2", "start"] = pd.Timestamp("2023-11-01")
    extra = services[services["service_id"] == "S2"].copy()
    extra = pd.concat([extra, extra], ignore_index=True)
    extra["service_id"] = ["M1", "P1"]
    extra["support_type"] = ["management", "advocacy"]
    extra["status"] = ["in_place", "not_yet_in_place"]
    extra["start"] = pd.Timestamp("2022-04-01")
    extra["host_area_code"] = NORTHTON
    services = pd.concat([services, extra], ignore_index=True)
    return replace(dataset, tables={**dataset.tables, "services": services})


@pytest.fixture(scope="module")
def coverage() -> pd.DataFrame:
    return service_coverage(_dataset(), ["2023-24", "2024-25"]).set_index(["area_code", "period"])


def test_a_part_year_is_measured_from_the_first_start(coverage):
    row = coverage.loc[(SHIRE, "2023-24")]
    assert row["services"] == 2
    assert row["services_started_in_period"] == 2
    assert row["first_start"] == pd.Timestamp("2023-10-01")
    assert row["days_covered"] == 183
    assert row["period_days"] == 366
    assert row["share_of_period"] == pytest.approx(0.5)


def test_a_service_starting_on_the_first_day_runs_the_whole_year(coverage):
    row = coverage.loc[(SHIRE, "2024-25")]
    assert row["services"] == 3
    assert row["services_started_in_period"] == 0
    assert row["days_covered"] == 365
    assert row["share_of_period"] == 1


def test_management_posts_and_planned_services_do_not_count(coverage):
    # M1 (management) and P1 (not yet in place) start in 2022 and would make every year whole.
    assert coverage.loc[(SHIRE, "2023-24"), "share_of_period"] < 1
    assert coverage.loc[(NEIGHBOUR, "2023-24"), "services"] == 1


def test_the_trend_finding_says_a_part_year_is_not_impact():
    import needs

    dataset = _dataset()
    assessment = needs.assess(dataset, SHIRE, "2024-25")
    trend = assessment.findings[assessment.findings["topic"] == "trend"]["sentence"].tolist()
    assert len(trend) == 1
    assert "the services began on 1 October 2023, so 2023-24 holds only 6 of its 12 months" in trend[0]
    assert "not their impact" in trend[0]
    # The comparison is per month of service operation: S1 ran 183 days and S2 152 of 2023-24's
    # 366, (183 + 152) x 12 / 366 = 11.0 months; three services all year in 2024-25, 36.0.
    assert trend[0].startswith("Households supported went from 4 in 2023-24 to 6 in 2024-25; per month of "
                               "service operation (11.0 months in 2023-24 and 36.0 in 2024-25, summed over "
                               "the services) they fell (rate ratio 0.46")  # fmt: skip
    # With whole years the caveat is not there.
    whole = needs.assess(tiny_dataset(), SHIRE, "2024-25")
    sentences = whole.findings[whole.findings["topic"] == "trend"]["sentence"].tolist()
    assert sentences and all("not their impact" not in s for s in sentences)
    assert all("per month of service operation" not in s for s in sentences)
    # The finding reads the coverage part: without it, no caveat.
    again = findings(replace(assessment, service_coverage=pd.DataFrame()))
    assert all("not their impact" not in s for s in again["sentence"])


def test_the_example_trend_section_says_2022_23_was_a_part_year(example_folder):
    import needs
    from needs.publish.publication import Publication

    dataset = needs.load(example_folder)
    publication = Publication(needs.assess(dataset, "E10000018", "2023-24"), dataset)
    markup = publication.service_starts().markup
    assert "in 2022-23 the area&#x27;s services ran for only part of the year (from 1 January 2023)" in markup
    # 1 January to 31 March 2023: 31 + 28 + 31 = 90 days of 365.
    assert 'class="num">90</td>' in markup
    assert "24.7%" in markup
