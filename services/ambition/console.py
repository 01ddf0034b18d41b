"""The live status of `ambition up`: one line, rewritten in place on a terminal, or printed
again at each change of the figures when the output is a file or a pipe."""
from __future__ import annotations

import sys
import time

from . import status
from .config import Settings

INTERVAL = 2.0  # seconds between two readings


class LiveStatus:
    def __init__(self, settings: Settings, out=None):
        self.settings, self.out = settings, out or sys.stdout
        self.tty = self.out.isatty()
        self.last: status.Reading | None = None
        self.next_at = 0.0
        self.shown = ""
        self.started = False  # every process answered once

    def tick(self) -> None:
        """Read the processes and show the status when INTERVAL has passed since the last reading."""
        now = time.monotonic()
        if now < self.next_at:
            return
        self.next_at = now + INTERVAL
        reading = status.read(self.settings)
        if self.last is not None:
            figures = status.figures(self.last, reading)
            self.started = self.started or not figures.down
            self.show(status.line(figures) if self.started
                      else f"starting: {figures.up}/{figures.total} processes answer")
        self.last = reading

    def show(self, text: str) -> None:
        if self.tty:
            self.out.write(f"\r\x1b[K{text}")
        elif text != self.shown:
            self.out.write(f"status: {text}\n")
        self.out.flush()
        self.shown = text

    def message(self, text: str) -> None:
        """A line that must stay on screen (a worker exited, stopping...)."""
        self.out.write(("\r\x1b[K" if self.tty else "") + text + "\n")
        self.out.flush()
