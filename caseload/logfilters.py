"""Keep offenders' names and addresses out of the logs.

caseload never logs a name or address on purpose (a test walks the main flows and checks), and
never logs SQL parameters. One path remains: a database error quotes the offending row
("Failing row contains (...)") or key ("Key (...)=(...)") in its message and traceback. This
filter, on every handler, blanks those values out.
"""

import logging
import re

FAILING_ROW = re.compile(r"Failing row contains \(.*?\)\.?(?=\n|$)", re.S)
KEY_VALUE = re.compile(
    r"Key \((.*?)\)=\(.*?\)(?= already exists| is not present| conflicts| is still referenced)", re.S
)


def redact(text: str) -> str:
    """Blank out the row and key values a database error quotes."""
    text = FAILING_ROW.sub("Failing row contains (redacted).", text)
    return KEY_VALUE.sub(r"Key (\1)=(redacted)", text)


class RegisterRedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
