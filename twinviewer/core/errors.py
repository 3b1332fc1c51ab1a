"""Error types that carry a message a user understands."""

from __future__ import annotations

from pathlib import Path


class LoadError(Exception):
    """A file could not be read: names the file and the problem in one line.

    Parameters
    ----------
    path : str or Path, optional
        The file that failed.
    problem : str
        What is wrong, in words a user understands.
    """

    def __init__(self, problem: str, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        self.problem = " ".join(str(problem).split())  # always one line
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line: ``file: problem``."""
        if self.path is None:
            return self.problem
        return f"{self.path}: {self.problem}"
