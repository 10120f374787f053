"""One registry of interval methods (core/interval_methods.py): every place that accepts or
computes a named interval reads it, and every registered method is implemented."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import get_args

import numpy as np
import pytest

import mhindicators
from mhindicators.core import interval_methods as im
from mhindicators.core import intervals
from mhindicators.definitions import model
from mhindicators.definitions.rules import CI_METHODS
from mhindicators.registry import rates

NAMES = {m.name for m in im.METHODS}


def test_definition_schema_enum_is_the_registry():
    assert get_args(model.CIMethod) == im.DEFINITION_METHODS
    schema = model.Indicator.model_json_schema()
    ci = schema["properties"]["ci_method"]["anyOf"][0]
    assert tuple(ci["enum"]) == im.DEFINITION_METHODS


def test_every_estimator_has_its_methods_from_the_registry():
    estimators = get_args(model.Estimator)
    assert set(CI_METHODS) == set(estimators)
    for estimator in estimators:
        assert CI_METHODS[estimator] == set(im.for_estimator(estimator)), estimator
        assert CI_METHODS[estimator], f"{estimator} has no interval method"
    named = {m for ms in CI_METHODS.values() for m in ms}
    assert named == set(im.DEFINITION_METHODS)


def _estimates(p):
    p = np.asarray(p, float)
    n = np.full(p.shape, 40.0)
    var = p * (1 - p) / n + 1e-4
    return SimpleNamespace(
        estimate=p,
        se=np.sqrt(var),
        variance=var,
        df=np.full(p.shape, 12.0),
        n=n,
        se_logit=np.sqrt(var) / np.maximum(p * (1 - p), 1e-3),
        logit_fit=None,
    )


@pytest.mark.parametrize("method", im.for_estimator("proportion"))
def test_every_proportion_method_is_implemented(method):
    out = intervals.proportion_ci(method, _estimates([0.1, 0.5, 0.9]))
    assert out.method == method
    assert np.all(out.lower <= out.upper)


@pytest.mark.parametrize("method", im.by_family("poisson"))
def test_every_poisson_method_is_implemented(method):
    lo, hi, names = rates.poisson_limits(np.array([0.0, 3.0, 25.0]), 0.95, method)
    assert np.all(lo <= hi)
    assert set(names) <= NAMES


@pytest.mark.parametrize("method", im.by_family("standardized"))
def test_every_standardized_method_is_implemented(method):
    res = rates.dsr(
        np.array([[3.0, 8.0, 20.0]]),
        np.array([[1e4, 2e4, 1.5e4]]),
        np.array([0.3, 0.4, 0.3]),
        method=method,
    )
    assert np.all(res.lower <= res.upper)


def test_aliases_and_unknown_methods():
    assert im.canonical("exact") == "garwood"
    with pytest.raises(mhindicators.errors.EstimationError, match="garwood, byar, phe"):
        rates.poisson_limits(np.array([1.0]), 0.95, "wilson")
    with pytest.raises(ValueError, match="unknown CI method"):
        intervals.proportion_ci("garwood", _estimates([0.5]))


def test_no_second_list_of_method_names():
    """No module but the registry spells out three or more method names in one literal."""
    registry = Path(im.__file__)
    found = []
    for path in Path(mhindicators.__file__).parent.rglob("*.py"):
        if path == registry:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
                if len(NAMES & set(values)) >= 3:
                    found.append(f"{path.name}:{node.lineno}")
    assert not found, found
