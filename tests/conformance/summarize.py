"""Summarises an irctest run from pytest's JUnit XML: what failed and why, and why tests skipped.

Usage: python3 summarize.py JUNIT_XML
       python3 summarize.py --failed-ids JUNIT_XML   (one failing test id per line, for a re-run)

pytest's own output for irctest is thousands of lines (every test prints its IRC traffic), and
its short summary cuts reasons to the terminal width. This prints one line per failing test,
with the first line of its assertion message, then the skip reasons with how many tests each.
"""

from __future__ import annotations

import collections
import sys
from typing import Iterator, List, Tuple
import xml.etree.ElementTree as ET

MAX_REASON = 300  # characters; assertion messages can quote whole message lists


def test_id(case: ET.Element) -> str:
    """pytest's node id (path::Class::test) from JUnit's dotted classname."""
    module, _, cls = case.get("classname", "").rpartition(".")
    return f"{module.replace('.', '/')}.py::{cls}::{case.get('name')}"


def one_line(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()] or ["(no message)"]
    line = lines[0]
    # A bare "AssertionError: None" says nothing; pytest's next line ("assert 1 == 2") does.
    if len(line) < 40 and len(lines) > 1:
        line += " | " + lines[1]
    return line if len(line) <= MAX_REASON else line[:MAX_REASON] + "..."


def outcomes(root: ET.Element) -> Iterator[Tuple[str, str, str]]:
    """(kind, test id, reason) for every test that did not simply pass."""
    for case in root.iter("testcase"):
        for kind in ("failure", "error", "skipped"):
            element = case.find(kind)
            if element is not None:
                yield kind, test_id(case), element.get("message", "")


def skip_reason(message: str) -> str:
    # pytest writes skips as "file:line: <reason>"; the location differs per test, the reason
    # is what groups them.
    location, sep, reason = message.partition(": ")
    return reason if sep and location.count(":") == 1 else message


def main(argv: List[str]) -> int:
    if argv[1] == "--failed-ids":
        for kind, test, _ in outcomes(ET.parse(argv[2]).getroot()):
            if kind == "failure":
                print(test)
        return 0
    root = ET.parse(argv[1]).getroot()
    broken: List[str] = []
    skips: collections.Counter = collections.Counter()
    for kind, test, message in outcomes(root):
        if kind == "skipped":
            skips[one_line(skip_reason(message))] += 1
        else:
            label = "FAILED" if kind == "failure" else "ERROR "
            broken.append(f"{label} {test}: {one_line(message)}")

    print(f"== {len(broken)} failing ==")
    print("\n".join(sorted(broken)) or "(none)")
    print(f"== {sum(skips.values())} skipped, by reason ==")
    for reason, count in skips.most_common():
        print(f"{count:5d}  {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
