"""A rule written once as SQL and used both by the ORM and by hand-written whole-register statements, and the
small pieces of SQL the rules are written with."""

import string

from django.db.models import DateField, Expression, F, Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


class Formula:
    """A rule written once as SQL over named inputs: `expression()` gives it to the ORM (inputs are field
    paths or expressions), `sql()` to a hand-written whole-register statement (inputs are SQL text)."""

    def __init__(self, template: str, output_field):
        self.template = template
        self.output_field = output_field
        self.names = [name for _, name, _, _ in string.Formatter().parse(template) if name]

    def sql(self, **inputs: str) -> str:
        return "(" + self.template.format(**inputs) + ")"

    def expression(self, **inputs) -> "Applied":
        missing = set(self.names) - set(inputs)
        if missing:
            raise TypeError(f"Formula needs {', '.join(sorted(missing))}")
        return Applied(self, {name: F(v) if isinstance(v, str) else v for name, v in inputs.items()})


class Applied(Expression):
    """A Formula applied to ORM expressions: each input compiled, its parameters in the order it appears."""

    def __init__(self, formula: Formula, inputs: dict):
        super().__init__(output_field=formula.output_field)
        self.formula = formula
        self.keys = list(inputs)
        self.inputs = list(inputs.values())

    def get_source_expressions(self):
        return self.inputs

    def set_source_expressions(self, exprs):
        self.inputs = list(exprs)

    def get_group_by_cols(self):
        # A formula follows from its inputs: in a grouped query, group by what they group by (a correlated
        # subquery by the outer columns it reads), not by the formula, which PostgreSQL would work out for every
        # row grouped rather than once a group.
        return [column for expression in self.inputs for column in expression.get_group_by_cols()]

    def as_sql(self, compiler, connection):
        compiled = {key: compiler.compile(expression) for key, expression in zip(self.keys, self.inputs, strict=True)}
        params = [param for name in self.formula.names for param in compiled[name][1]]
        return self.formula.sql(**{key: sql for key, (sql, _) in compiled.items()}), params


def total(rows: QuerySet, function: str, field: str, output_field) -> Subquery:
    """COUNT or SUM of `field` over `rows` (correlated through OuterRef) as one figure, 0 over no rows: an aggregate
    with no GROUP BY, so the subquery answers one row always and a grouped query around it groups by the outer
    columns it reads, not by the subquery (which PostgreSQL would run for every row grouped)."""
    figure = Coalesce(Func(F(field), function=function), Value(0), output_field=output_field)
    return Subquery(rows.order_by().annotate(figure=figure).values("figure"), output_field=output_field)


class AddDays(Func):
    """date + integer days, in SQL."""

    arg_joiner = " + "
    template = "(%(expressions)s)"
    output_field = DateField()


class DaysBetween(Func):
    """later - earlier, in whole days (date minus date is an integer in PostgreSQL)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


def sql_literal(choice) -> str:
    """A model choice as an SQL string literal, so that hand-written statements take statuses from the choices."""
    return "'" + str(choice).replace("'", "''") + "'"


def sql_values(*choices) -> str:
    """Choices as an SQL list, each an SQL string literal, in parentheses."""
    return "(" + ", ".join(sql_literal(choice) for choice in choices) + ")"
