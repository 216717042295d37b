# The risk tiers whose overdue visits the dashboards count as "high or very high risk".
HIGH_TIERS = ("high", "very_high")
