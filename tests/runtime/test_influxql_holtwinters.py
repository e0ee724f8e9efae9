"""holtWinters / holtWintersWithFit: InfluxDB's forecast with its Nelder-Mead fit, compared with
the values of Kapacitor's TestStream_HoltWinters and TestStream_HoltWintersWithFit."""

from __future__ import annotations

from tests.runtime.test_window import T0, S, build
from tickpy.lang.values import Duration
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
