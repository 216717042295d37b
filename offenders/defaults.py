"""The tier table and roles every installation starts with (used by a data migration)."""

# National practice until June 2017: minimum home-visit frequency by tier (see README: the domain).
DEFAULT_TIERS = [
    # code, name, interval days, workload weight, order
    ("low", "Low", 365, 1, 1),
    ("medium", "Medium", 182, 2, 2),
    ("high", "High", 91, 3, 3),
    ("very_high", "Very high", 30, 5, 4),
]
ROLES = ["Officer", "Supervisor", "Admin"]


def ensure_defaults(RiskTier, Group) -> None:  # noqa: N803 (model classes, historical or current)
    """Create the default tiers and role groups where missing; leave edited ones alone."""
    for code, name, interval, weight, order in DEFAULT_TIERS:
        RiskTier.objects.get_or_create(
            code=code,
            defaults={"name": name, "visit_interval_days": interval, "workload_weight": weight, "order": order},
        )
    for role in ROLES:
        Group.objects.get_or_create(name=role)
