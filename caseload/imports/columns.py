"""What an import file's columns may hold, and the SQL that reads each one from the staging table."""

from dataclasses import dataclass, field

YES = ("yes", "y", "true", "1")
NO = ("no", "n", "false", "0")


def literal(text: str) -> str:
    """A SQL string literal (for messages and choices written by us, never for file contents)."""
    return "'" + text.replace("'", "''") + "'"


def in_list(values) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


@dataclass(frozen=True)
class Column:
    """One column of an import file; `kind` is text, date, integer, decimal, boolean or choice."""

    name: str
    kind: str = "text"
    required: bool = False
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = field(default=())
    help: str = ""

    def typed_sql(self, text: str) -> str:
        """SQL turning the trimmed text `text` into this column's value, or NULL when it is not one."""
        if self.kind == "date":
            return f"caseload_parse_date({text})"
        if self.kind == "integer":
            return rf"CASE WHEN {text} ~ '^\d{{1,9}}$' THEN {text}::integer END"
        if self.kind == "decimal":
            return rf"CASE WHEN {text} ~ '^\d{{1,6}}(\.\d{{0,6}})?$|^\.\d{{1,6}}$' THEN {text}::numeric END"
        if self.kind == "boolean":
            return (f"CASE WHEN lower({text}) IN {in_list(YES)} THEN true"
                    f" WHEN lower({text}) IN {in_list(NO)} THEN false END")
        if self.kind == "choice":
            return f"CASE WHEN lower({text}) IN {in_list(self.choices)} THEN lower({text}) END"
        return text

    def problem(self) -> str:
        """What to tell the user when a value cannot be read as this column's kind."""
        return {
            "date": "is not a date: use YYYY-MM-DD or DD/MM/YYYY",
            "integer": "is not a whole number",
            "decimal": "is not a number",
            "boolean": "is not yes or no",
            "choice": "is not one of: " + ", ".join(self.choices),
        }.get(self.kind, "cannot be read")


@dataclass(frozen=True)
class Check:
    """A rule over the typed staging row: where `condition` holds, `column` gets `message` (SQL)."""

    column: str
    condition: str
    message: str


def text_of(column: str) -> str:
    return f'"{column}"'


def value_of(column: str) -> str:
    return f'"{column}__v"'
