"""Copy the Docker build context: the repository paths on stdin (NUL-separated, from `git ls-files -z`)
that SOURCE/.dockerignore does not exclude, from SOURCE to DEST (argv[1], argv[2]).

Used by scripts/ci_build_check.sh to get exactly what the Dockerfile's `COPY . .` sees. Docker's rules:
a pattern matches a path or any of its parent directories; `*` and `?` stay within one path segment, `**`
spans segments; `!pattern` re-includes; the last matching pattern wins.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path


def compile_pattern(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            parts.append("[^/]")
            i += 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(parts))


def load_rules(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        pattern = line[1:] if include else line
        pattern = pattern.strip().strip("/")
        if pattern.startswith("./"):
            pattern = pattern[2:]
        rules.append((include, compile_pattern(pattern)))
    return rules


def is_excluded(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    segments = path.split("/")
    candidates = ["/".join(segments[: n + 1]) for n in range(len(segments))]
    excluded = False
    for include, regex in rules:
        if any(regex.fullmatch(candidate) for candidate in candidates):
            excluded = not include
    return excluded


def main() -> int:
    source, dest = Path(sys.argv[1]), Path(sys.argv[2])
    rules = load_rules((source / ".dockerignore").read_text())
    paths = [p for p in sys.stdin.buffer.read().decode().split("\0") if p]
    for path in paths:
        origin = source / path
        if is_excluded(path, rules) or not origin.is_file():
            continue
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
