"""What a refused rulebook file says: every problem found, each with its line and key."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem: the file's line (1-based), the key as the file writes it (a path such as
    `requirements[3].parameters.threshold`, lists counted from 1) and a Swedish message."""

    line: int
    key: str
    message: str

    def text(self, filename: str) -> str:
        return f"{filename}:{self.line}: {self.key}: {self.message}"


class RulebookRefused(ValueError):
    """The file is not a rulebook the portal accepts; `problems` lists every problem, by line."""

    def __init__(self, problems: list[Problem], filename: str):
        self.problems = sorted(problems, key=lambda p: p.line)
        self.filename = filename
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(problem.text(self.filename) for problem in self.problems)

    def lines(self) -> list[str]:
        return [problem.text(self.filename) for problem in self.problems]
