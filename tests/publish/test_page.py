"""The page model: keys, sums, one suppression decision for every table, and the audit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from needs.publish.cells import Count, PartSpec, Share, cell_key
from needs.publish.page import DisclosureLeak, Page

GROUPS = PartSpec(
    "groups",
    counts=(
        Count("count", "households_supported", ("characteristic", "category"), derived=("share",)),
        Count("total", "households_supported", ("characteristic",), fixed=(("category", "known"),),
              derived=("share",)),
    ),
    shares=(Share("share", "count", "total"),),
)
OVERALL = PartSpec("overall", counts=(Count("households", "households_supported"),))


def _groups(counts: dict[str, int]) -> pd.DataFrame:
    total = sum(counts.values())
    return pd.DataFrame(
        {
            "characteristic": "religion",
            "category": list(counts),
            "count": list(counts.values()),
            "total": total,
            "share": [v / total for v in counts.values()],
        }
    )


def _page(counts: dict[str, int], threshold: int = 5, overall: int | None = None) -> Page:
    page = Page(threshold)
    page.add(_groups(counts), GROUPS)
    if overall is not None:
        page.add(pd.DataFrame({"households": [overall]}), OVERALL)
    return page


def test_keys_leave_out_all_and_a_total_category_leaves_out_its_characteristic():
    assert cell_key("referrals", {"accommodation_type": "all", "outcome": "pending"}) == (
        "referrals",
        (("outcome", "pending"),),
    )
    assert cell_key("households_supported", {"characteristic": "sex", "category": "all"}) == (
        "households_supported",
        (),
    )
    assert cell_key("referrals", {"origin": np.nan}) == ("referrals", ())


def test_sums_are_declared_once_and_kept_only_where_the_parts_add_up():
    page = _page({"christian": 40, "muslim": 3, "no_religion": 50})
    known = cell_key("households_supported", {"characteristic": "religion", "category": "known"})
    (equation,) = page.equations()
    assert equation.terms[0] == (known, 1.0)
    assert {k for k, c in equation.terms if c == -1.0} == {
        cell_key("households_supported", {"characteristic": "religion", "category": c})
        for c in ("christian", "muslim", "no_religion")
    }
    # The overall total (98) is more than the recorded religions (93: 5 not known, not
    # listed), so "all = sum of categories" is not a fact a reader could use.
    page = _page({"christian": 40, "muslim": 3, "no_religion": 50}, overall=98)
    assert len(page.equations()) == 1


def test_a_small_count_is_hidden_with_the_smallest_other_count_of_its_line():
    page = _page({"christian": 40, "muslim": 3, "no_religion": 50}).protect()
    published = page.published("groups").set_index("category")
    assert published.loc["muslim", "count"] == "[c]"
    assert published.loc["christian", "count"] == "[c]"  # 40 < 50: least information lost
    assert published.loc["no_religion", "count"] == 50
    assert published.loc["christian", "share"] == "[c]"  # derived figures go with the count
    assert (published["total"] == 93).all()  # never the total where a part will do
    ranges = page.check()
    assert ranges["width"].min() == pytest.approx(43)


def test_two_small_counts_that_add_up_to_less_than_the_threshold_need_a_third():
    # 1 + 2 hidden in a line with a total: both lie in [0, 3], a range narrower than 5.
    page = _page({"a": 1, "b": 2, "c": 30, "d": 60}).protect()
    hidden = page.published("groups").set_index("category")["count"].eq("[c]")
    assert hidden.to_dict() == {"a": True, "b": True, "c": True, "d": False}
    assert (page.audit()["width"] >= 5).all()


def test_no_count_is_hidden_when_none_is_small():
    page = _page({"a": 10, "b": 20}).protect()
    assert page.summary()["hidden"] == 0
    assert page.check().empty


def test_the_same_count_in_two_parts_is_hidden_in_both():
    page = Page(5)
    page.add(_groups({"a": 3, "b": 40, "c": 50}), GROUPS)
    other = PartSpec("elsewhere", counts=(Count("n", "households_supported", ("characteristic", "category")),))
    page.add(pd.DataFrame({"characteristic": ["religion"], "category": ["b"], "n": [40]}), other)
    page.protect()
    assert page.published("elsewhere")["n"].iloc[0] == "[c]"


def test_two_parts_giving_one_count_different_values_is_an_error():
    page = Page(5)
    page.add(_groups({"a": 3, "b": 40}), GROUPS)
    other = PartSpec("elsewhere", counts=(Count("n", "households_supported", ("characteristic", "category")),))
    with pytest.raises(ValueError, match="households_supported .* is 40 in groups.count but 41 in elsewhere.n"):
        page.add(pd.DataFrame({"characteristic": ["religion"], "category": ["b"], "n": [41]}), other)


def test_a_sentence_quoting_a_rounded_share_of_a_hidden_count_fails_the_audit():
    page = _page({"christian": 40, "muslim": 3, "no_religion": 50}).protect()
    muslim = cell_key("households_supported", {"characteristic": "religion", "category": "muslim"})
    known = cell_key("households_supported", {"characteristic": "religion", "category": "known"})
    page.state("summary sentence", shares=[(muslim, known, 3 / 93, 3)])
    with pytest.raises(DisclosureLeak, match=r"category=muslim.*between 2\.9\d* and 3\.0\d*.*summary sentence"):
        page.check()


def test_a_statement_of_published_figures_passes_the_audit():
    page = _page({"christian": 40, "muslim": 3, "no_religion": 50}).protect()
    no_religion = cell_key("households_supported", {"characteristic": "religion", "category": "no_religion"})
    known = cell_key("households_supported", {"characteristic": "religion", "category": "known"})
    page.state("summary sentence", counts={no_religion: 50}, shares=[(no_religion, known, 50 / 93, 3)])
    assert (page.check()["width"] >= 5).all()


def test_publishing_before_protecting_is_refused():
    page = _page({"a": 3, "b": 40})
    with pytest.raises(RuntimeError, match="protect"):
        page.published("groups")
