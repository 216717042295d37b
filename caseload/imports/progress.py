"""Progress of a running import, written on a connection of its own so that it shows while the import's
transaction is still open."""

import time

import psycopg
from django.db import connection

# Share of the bar each stage fills (reading is most of the wait for a big file).
STAGES = {"reading": (0, 50), "validating": (50, 70), "applying": (70, 98), "done": (100, 100)}
STAGE_NAMES = {"reading": "Reading the file", "validating": "Checking every row", "applying": "Writing changes",
               "done": "Finished"}


class Progress:
    """Throttled updates of ImportRun.progress and .stage; cheap to call often."""

    def __init__(self, run_id: int, *, every: float = 0.5):
        self.run_id, self.every = run_id, every
        self.last, self.stage, self.connection = 0.0, "", None

    def __call__(self, stage: str, fraction: float = 0.0) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.last < self.every:
            return
        self.last, self.stage = now, stage
        low, high = STAGES[stage]
        percent = int(low + (high - low) * min(max(fraction, 0.0), 1.0))
        try:
            if self.connection is None:
                self.connection = psycopg.connect(**connection.get_connection_params(), autocommit=True)
                # Never wait on the import's own locks (a large load locks the tables it loads, and the
                # import may run inside a longer transaction that holds them on).
                self.connection.execute("SET lock_timeout = '200ms'")
            self.connection.execute(
                "UPDATE offenders_importrun SET progress = %s, stage = %s WHERE id = %s",
                [percent, STAGE_NAMES[stage], self.run_id],
            )
        except psycopg.Error:
            self.connection = None  # progress is a courtesy; the import goes on without it

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
