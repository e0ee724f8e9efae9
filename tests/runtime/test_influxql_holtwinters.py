"""holtWinters / holtWintersWithFit: InfluxDB's forecast with its Nelder-Mead fit, compared with
the values of Kapacitor's TestStream_HoltWinters and TestStream_HoltWintersWithFit."""

from __future__ import annotations

import math
import random

import pytest

from tests.runtime.test_window import T0, S, build
from tickpy.golang.goalgorithms import pow as go_pow
from tickpy.lang.values import Duration
from tickpy.runtime.aggregates import HoltWintersReducer, _go_pow_series, _sse_objective
from tickpy.runtime.messages import BatchMessage, BatchPoint, Dimensions

# Kapacitor's TestStream_HoltWinters data for serverA: one value per second from 1971-01-01.
VALUES = [1000, 1001, 1002, 1003, 1004, 1006, 1007, 1007, 1008, 1009]


def window_batch():
    points = [BatchPoint(T0 + i * S, {"value": float(v)}, {"host": "serverA"}) for i, v in enumerate(VALUES)]
    return BatchMessage("packets", {"host": "serverA"}, Dimensions(tag_names=("host",)), T0 + 10 * S, points)


def run(extra=None):
    node, out = build(
        "InfluxQLNode", "holtWinters", args=("value", 3, 0, Duration(S)), provides="batch", wants="batch", extra=extra
    )
    node.batch(window_batch())
    [batch] = out.batches
    return [((p.time - T0) // S, p.fields["holtWinters"]) for p in batch.points], batch


def test_forecast_matches_kapacitor_bit_for_bit():
    forecast, batch = run()
    assert forecast == [(10, 1009.324690106368), (11, 1009.7524349889708), (12, 1010.105056042826)]
    assert batch.tags == {"host": "serverA"} and batch.tmax == T0 + 12 * S


def test_with_fit_includes_the_fitted_values():
    fitted, _ = run(extra={"includeFitData": True})
    assert fitted == [
        (0, 1000.0), (1, 1000.7349380776699), (2, 1001.8935462884633), (3, 1003.1750039651934),
        (4, 1004.4245269000132), (5, 1005.5685498251902), (6, 1006.5782508658309),
        (7, 1007.4488388165385), (8, 1008.1877681696025), (9, 1008.8080773333872),
        (10, 1009.324690106368), (11, 1009.7524349889708), (12, 1010.105056042826),
    ]


def test_too_few_points_forecast_nothing():
    node, out = build("InfluxQLNode", "holtWinters", args=("value", 3, 0, Duration(S)), provides="batch", wants="batch")
    node.batch(BatchMessage("packets", {}, Dimensions(), T0, [BatchPoint(T0, {"value": 1.0}, {})]))
    assert [b.points for b in out.batches] == [[]]


def run_values(values, m=0, h=3):
    node, out = build(
        "InfluxQLNode", "holtWinters", args=("value", h, m, Duration(S)), provides="batch", wants="batch"
    )
    points = [BatchPoint(T0 + i * S, {"value": float(v)}, {}) for i, v in enumerate(values)]
    node.batch(BatchMessage("packets", {}, Dimensions(), T0 + len(values) * S, points))
    [batch] = out.batches
    return [((p.time - T0) // S, p.fields["holtWinters"]) for p in batch.points]


def test_all_zero_window_forecasts_zeros():
    """Go divides by zero without failing: without seasons the one 0/0 (the seasonal term,
    unused) is NaN and every forecast is 0 + 0*0 = 0."""
    assert run_values([0] * 10) == [(10, 0.0), (11, 0.0), (12, 0.0)]


def test_all_zero_seasonal_window_forecasts_nothing():
    """With seasons the initial seasonal factors are 0/0 = NaN in Go, so is every forecast,
    and NaN forecasts are not emitted."""
    assert run_values([0] * 10, m=2) == []


# ------------------------------------------------------------------ the fit's fast paths

def _go_sse(reducer: HoltWintersReducer, params: list) -> float:
    """InfluxDB's sse as it is written: the whole forecast, then its squared errors."""
    total = 0.0
    y = reducer.y
    for i, value in enumerate(reducer._forecast(0, params)):
        if y[i] == y[i]:
            if value != value:
                return math.inf
            difference = value - y[i]
            total += difference * difference
    return total


def _same(a: float, b: float) -> bool:
    return (a != a and b != b) or (a == b and math.copysign(1.0, a) == math.copysign(1.0, b))


@pytest.mark.parametrize("m", [0, 2, 3, 5])
def test_fused_sse_equals_forecast_then_errors(m):
    """The fit's objective (forecast and errors in one pass) gives InfluxDB's sse bit for bit,
    and leaves the parameters (constrained, season ring rewritten) as InfluxDB's does."""
    rng = random.Random(m)
    for _ in range(200):
        length = rng.randrange(max(m, 2), 40)
        y = [rng.choice([rng.uniform(-100, 100), 0.0, math.nan if _ > 0 else 1.0, rng.uniform(-1e-3, 1e-3)])
             for _ in range(length)]
        if y[0] != y[0]:
            y[0] = 1.0
        reducer = HoltWintersReducer(1, m, False, S)
        reducer.y = y
        params = [rng.uniform(-0.5, 1.5) for _ in range(4)] + [rng.uniform(-50, 50), rng.uniform(-5, 5)]
        params += [rng.choice([0.0, -0.0, rng.uniform(0.5, 1.5)]) for _ in range(m if m >= 2 else 0)]
        expected_params = list(params)
        expected = _go_sse(reducer, expected_params)
        got = _sse_objective(y, m)(params)
        assert _same(got, expected), (y, params)
        assert all(_same(a, b) for a, b in zip(params, expected_params))


def test_power_series_is_go_pow():
    values = [random.Random(1).random() for _ in range(200)]
    values += [10.0 ** -k for k in range(1, 320, 7)] + [5e-324, 0.0, -0.0, 1.0, math.nan, 0.5, 1 - 2**-53]
    for x in values:
        for count in (1, 2, 9, 64, 65, 300):
            got = _go_pow_series(x, count)
            assert len(got) == count - 1
            assert all(_same(g, go_pow(x, float(t))) for t, g in enumerate(got, 1)), x
