"""Charts drawn on the server as SVG: no script, no library to fetch. Each chart carries a title
and description for screen readers, and its page shows the same figures in a table."""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WORKLOAD_CHART_MAX_OFFICERS = 30


def _nice_ceiling(value: float) -> int:
    """A round number at or above `value` for the top of an axis."""
    if value <= 10:
        return 10
    step = 10 ** (len(str(int(value))) - 1)
    return int(-(-value // step) * step)


def trend_svg(points: list[dict], *, title: str) -> SafeString:
    """A line of overdue visits (with the high-or-above part dashed) at each point, oldest first."""
    width, height, left, right, top, bottom = 720, 260, 48, 28, 16, 40
    top_value = _nice_ceiling(max([p["overdue"] for p in points] + [1]))
    span_x = (width - left - right) / max(len(points) - 1, 1)

    def x(i: int) -> str:
        return f"{left + i * span_x:.1f}"

    def y(v: int) -> str:
        return f"{top + (height - top - bottom) * (1 - v / top_value):.1f}"

    parts = [format_html('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="trend-title trend-desc">',
                         width, height),
             format_html('<title id="trend-title">{}</title>', title),
             format_html('<desc id="trend-desc">From {} overdue on {} to {} overdue on {}.</desc>',
                         points[0]["overdue"], points[0]["on"].strftime("%-d %b %Y"),
                         points[-1]["overdue"], points[-1]["on"].strftime("%-d %b %Y"))]
    for tick in range(0, 5):
        value = top_value * tick // 4
        parts.append(format_html('<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                                 '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                                 left, width - right, y(value), y(value), left - 6,
                                 f"{float(y(value)) + 4:.1f}", value))
    for i, point in enumerate(points):
        parts.append(format_html('<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                                 x(i), height - bottom + 18, point["on"].strftime("%b %y")))
    for key, css in (("overdue", "line-total"), ("high", "line-high")):
        path = " ".join(f"{x(i)},{y(p[key])}" for i, p in enumerate(points))
        parts.append(format_html('<polyline class="{}" points="{}"/>', css, path))
    for i, point in enumerate(points):
        parts.append(format_html(
            '<circle class="dot" cx="{}" cy="{}" r="4"><title>{}: {} overdue, {} high or very high</title>'
            '</circle>', x(i), y(point["overdue"]), point["on"].strftime("%-d %b %Y"), point["overdue"],
            point["high"]))
    parts.append(format_html(
        '<g class="legend"><line class="line-total" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text x="{}" y="{}">All overdue</text><line class="line-high" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text x="{}" y="{}">High or very high</text></g>',
        left + 10, left + 40, height - 6, height - 6, left + 46, height - 2,
        left + 170, left + 200, height - 6, height - 6, left + 206, height - 2))
    parts.append(mark_safe("</svg>"))  # noqa: S308 (a constant)
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)


def workload_svg(officers: list[dict], *, title: str) -> SafeString:
    """One bar per officer (caseload per FTE), with their team's ceiling marked on each row;
    bars over the ceiling are hatched and labelled, not only coloured. Each officer as
    selectors.chart_loads() gives them."""
    officers = officers[:WORKLOAD_CHART_MAX_OFFICERS]
    row, label_width, width, right = 26, 200, 720, 110
    height = row * len(officers) + 30
    top_value = _nice_ceiling(max([float(o["caseload_per_fte"] or 0) for o in officers]
                                  + [o["ceiling"] for o in officers] + [1]))
    scale = (width - label_width - right) / top_value
    parts = [format_html('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="load-title">',
                         width, height),
             format_html('<title id="load-title">{}</title>', title),
             mark_safe('<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
                       'patternTransform="rotate(45)"><rect width="6" height="6" class="bar-over"/>'
                       '<line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern></defs>')]
    for i, officer in enumerate(officers):
        y = 10 + i * row
        per_fte = float(officer["caseload_per_fte"] or 0)
        ceiling = officer["ceiling"]
        over = bool(officer["overloaded"])
        parts.append(format_html(
            '<g><title>{}: {} per FTE, ceiling {}</title>'
            '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>'
            '<rect class="{}" x="{}" y="{}" width="{}" height="{}"/>'
            '<line class="ceiling" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            '<text class="value" x="{}" y="{}">{}{}</text></g>',
            officer["name"], per_fte, ceiling, label_width - 8, y + 14, officer["name"],
            "bar over" if over else "bar", label_width, y + 2, f"{per_fte * scale:.1f}", row - 8,
            f"{label_width + ceiling * scale:.1f}", f"{label_width + ceiling * scale:.1f}", y - 1, y + row - 3,
            f"{label_width + max(per_fte, ceiling) * scale + 6:.1f}", y + 14, f"{per_fte:g}",
            " over ceiling" if over else ""))
    parts.append(format_html('<text class="axis" x="{}" y="{}">Dashed line: the team\'s ceiling per FTE</text>',
                             label_width, height - 4))
    parts.append(mark_safe("</svg>"))  # noqa: S308 (a constant)
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)


