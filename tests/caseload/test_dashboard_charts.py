import datetime as dt

from caseload.dashboards.charts import trend_svg, workload_svg


def officer(name, per_fte, overloaded, ceiling=50):
    return {"name": name, "caseload_per_fte": per_fte, "overloaded": overloaded, "ceiling": ceiling}


def test_the_trend_chart_describes_itself_for_screen_readers():
    points = [{"on": dt.date(2015, 11, 14), "overdue": 50, "high": 16},
              {"on": dt.date(2016, 11, 14), "overdue": 400, "high": 38}]
    svg = trend_svg(points, title="Overdue visits")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg
    assert "From 50 overdue on 14 Nov 2015 to 400 overdue on 14 Nov 2016." in svg


def test_an_overloaded_officer_is_marked_in_words_not_only_colour():
    svg = workload_svg([officer("Dana <b>Whitlock</b>", 215, True), officer("Alex Carter", 45, False)],
                       title="Caseload per FTE")
    assert "215 over ceiling" in svg
    assert "45</text>" in svg and "45 over ceiling" not in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg
