"""Edge cases of the distribution estimators: documented statuses, never a silent NaN."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mhindicators.core.design import SurveyDesign
from mhindicators.frame.domains import all_domains, encode_cells
from mhindicators.survey.inequality import inequality_domains
from mhindicators.survey.poverty import below_line_domains
from mhindicators.survey.quantile import quantile_domains


def _setup(values, groups, strata=None):
    df = pd.DataFrame({"g": groups})
    n = len(df)
    keep = np.ones(n, dtype=bool)
    cells = encode_cells(df, ["g"], keep)
    des = SurveyDesign(np.full(n, 2.0), strata=strata)
    return des, cells, all_domains(cells), np.asarray(values, dtype=float), keep


def test_all_equal_values_give_a_degenerate_interval_not_nan():
    des, cells, doms, v, keep = _setup([5.0] * 8, list("aaaabbbb"))
    q = quantile_domains(des, cells, doms, v, keep, 0.5, "math", 0.95)
    assert np.all(q.estimate == 5) and np.all(q.lower == 5) and np.all(q.upper == 5)
    r = below_line_domains(des, cells, doms, v, keep, 0.6, 0.5, "school")
    assert np.all(r.est.estimate == 0) and np.all(r.est.variance == 0)
    g, status = inequality_domains(des, cells, doms, v, keep, "gini")
    assert np.allclose(g.estimate, 0) and status == ["", "", ""]


def test_one_value_under_an_interpolating_rule_is_too_few_values():
    des, cells, doms, v, keep = _setup([1.0, 2.0, 3.0, 9.0], list("aaab"))
    q = quantile_domains(des, cells, doms, v, keep, 0.5, "hf7", 0.95)
    labels = list(doms.labels["g"])
    assert q.status[labels.index("b")] == "too-few-values"
    assert np.isnan(q.estimate[labels.index("b")])


def test_negative_values_give_a_status_for_gini_and_s80_s20():
    des, cells, doms, v, keep = _setup([-1.0, 2, 3, 4, 5, 6, 7, 8], list("aaaabbbb"))
    labels = list(doms.labels["g"])
    for measure in ("gini", "qsr"):
        est, status = inequality_domains(des, cells, doms, v, keep, measure)
        assert status[labels.index("a")] == "negative-values"
        assert status[labels.index("_T")] == "negative-values"
        assert status[labels.index("b")] == "" and np.isfinite(est.estimate[labels.index("b")])
        assert np.isnan(est.estimate[labels.index("a")])
