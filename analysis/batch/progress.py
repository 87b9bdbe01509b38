"""The progress of a batch: a bar over passages, and the tally of what a run did."""

from __future__ import annotations

import sys
from dataclasses import dataclass


class _Progress:
    """A tqdm bar over passages, or nothing.

    Parameters
    ----------
    enabled : bool or None
        ``None``: show the bar only when stderr is a terminal.
    total : int or None
        Passages expected; without it the bar shows the rate but no ETA.
    """

    def __init__(self, enabled: bool | None, total: int | None):
        if enabled is None:
            enabled = sys.stderr.isatty()
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit="passages", unit_scale=True, smoothing=0.1, dynamic_ncols=True)

    def update(self, rows: int, **postfix) -> None:
        """Count ``rows`` more passages done."""
        if self.bar is not None:
            if postfix:
                self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(rows)

    def estimate(self, total: int | None) -> None:
        """Set an extrapolated total, so that the bar can show an ETA."""
        if self.bar is not None and total:
            self.bar.total = total

    def close(self, complete: bool = False) -> None:
        """Close the bar; a complete run ends at 100 % whatever the estimate was."""
        if self.bar is not None:
            if complete:
                self.bar.total = self.bar.n
                self.bar.refresh()
            self.bar.close()



@dataclass
class _Tally:
    """What a run did, updated as chunks finish."""

    passages: int = 0
    chunks: int = 0
    resumed: int = 0

