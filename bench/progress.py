"""Progress bars for the benchmarks' long preparation steps (rich, on stderr)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any


@contextlib.contextmanager
def progress(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar (on stderr) for a long preparation step; yields `advance(n)`.
    Steps of a few items show none: their output stays as it was."""
    if total < PROGRESS_MIN:
        yield lambda n=1: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=_stderr_console()) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


PROGRESS_MIN = 50


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
