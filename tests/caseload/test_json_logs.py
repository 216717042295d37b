"""LOG_FORMAT=json: one JSON object a line, with the register's values redacted as in plain logs."""

import io
import json
import logging

from caseload.logfilters import RegisterRedactionFilter
from caseload.logformat import JsonFormatter


def test_a_log_line_is_one_json_object_with_the_rows_values_redacted():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RegisterRedactionFilter())
    logger = logging.getLogger("caseload.test_json_logs")
    logger.addHandler(handler)
    try:
        logger.error('new row violates check constraint\nDETAIL:  Failing row contains (7, Smith, 1 High Street).')
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert (line["level"], line["logger"]) == ("ERROR", "caseload.test_json_logs")
    assert "Smith" not in line["message"] and "Failing row contains (redacted)." in line["message"]
