"""Unit tests of promtext.py, the text-format parser the metrics tests rely on: it must accept the
format and refuse what promtool refuses, or the metrics tests could pass on broken output."""

from __future__ import annotations

import math

import pytest

import promtext

GOOD = """# HELP parley_up Serving
# TYPE parley_up gauge
parley_up 1
# HELP x_total Lines
# TYPE x_total counter
x_total{kind="irc"} 5
x_total{kind="irc+tls",peer="a\\"b\\\\c\\nd"} 7 1700000000000
# HELP h_seconds Commit time
# TYPE h_seconds histogram
h_seconds_bucket{le="0.001"} 1
h_seconds_bucket{le="0.1"} 3
h_seconds_bucket{le="+Inf"} 4
h_seconds_sum 0.5
h_seconds_count 4
# HELP g Special
# TYPE g gauge
g{v="inf"} +Inf
g{v="nan"} NaN
"""


def test_parses_values_labels_escapes_and_histograms():
    e = promtext.parse(GOOD)
    assert e.value("parley_up") == 1
    assert e.value("x_total", kind="irc") == 5
    assert e.value("x_total", kind="irc+tls", peer='a"b\\c\nd') == 7
    assert e.families["h_seconds"].type == "histogram"
    assert e.value("h_seconds_bucket", le="+Inf") == 4
    assert e.value("g", v="inf") == math.inf
    assert math.isnan(e.value("g", v="nan"))
    with pytest.raises(KeyError):
        e.value("x_total", kind="link")


@pytest.mark.parametrize("text, words", [
    ("x 1", "line feed"),
    ("# TYPE x gauge\n# TYPE x gauge\nx 1\n", "second TYPE"),
    ("# TYPE x gauge\nx 1\n# HELP x late\n", "after its samples"),
    ("# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{a=\"b\"} 2\n", "not together"),
    ("x{a=\"b\"} 1\nx{a=\"b\"} 2\n", "duplicate series"),
    ("x{a=\"b\\t\"} 1\n", "bad escape"),
    ("x{a=\"b} 1\n", "unterminated"),
    ("x{1a=\"b\"} 1\n", "bad label name"),
    ("x one\n", "bad value"),
    ("# TYPE c_total counter\nc_total -1\n", "counter"),
    ("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "cumulative"),
    ("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n", "+Inf"),
    ("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", "_count"),
    ("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n", "_sum"),
    ("# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
     "increasing"),
])
def test_refuses_malformed_expositions(text, words):
    with pytest.raises(promtext.ParseError, match=words.replace("+", r"\+")):
        promtext.parse(text)
