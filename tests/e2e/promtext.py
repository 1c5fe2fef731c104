"""A strict parser of the Prometheus text exposition format 0.0.4, for the metrics tests.

It accepts what `parley server` writes and what the format allows, and raises ParseError with the
line number for anything else, including rules promtool checks: one HELP and one TYPE per family
before its samples, a family's samples together, no duplicate series, histogram buckets cumulative
and ending with le="+Inf" equal to _count, with a _sum.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class ParseError(ValueError):
    pass


@dataclass
class Family:
    name: str
    type: str = "untyped"
    help: str | None = None
    typed: bool = False  # a TYPE line was seen
    samples: list[tuple[str, dict[str, str], float]] = field(default_factory=list)


@dataclass
class Exposition:
    families: dict[str, Family]

    def value(self, name: str, **labels: str) -> float:
        """The value of the one sample `name` with exactly these labels; KeyError if absent."""
        for family in self.families.values():
            for sample_name, sample_labels, value in family.samples:
                if sample_name == name and sample_labels == labels:
                    return value
        raise KeyError(f"{name}{labels}")

    def get(self, name: str, default: float = 0.0, **labels: str) -> float:
        try:
            return self.value(name, **labels)
        except KeyError:
            return default


def parse_value(text: str, where: str) -> float:
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
        raise ParseError(f"{where}: bad value {text!r}")
    return float(text)


def parse_labels(text: str, pos: int, where: str) -> tuple[dict[str, str], int]:
    """Parses `{a="b",...}` starting at text[pos] == '{'; returns the labels and the index after '}'."""
    labels: dict[str, str] = {}
    pos += 1
    while True:
        if pos < len(text) and text[pos] == "}":
            return labels, pos + 1
        m = LABEL_NAME_RE.match(text, pos)
        if not m:
            raise ParseError(f"{where}: bad label name at column {pos + 1}")
        name = m.group(0)
        pos = m.end()
        if text[pos:pos + 2] != '="':
            raise ParseError(f"{where}: expected =\" after label {name}")
        pos += 2
        value = []
        while True:
            if pos >= len(text):
                raise ParseError(f"{where}: unterminated label value")
            c = text[pos]
            if c == "\\":
                nxt = text[pos + 1:pos + 2]
                if nxt not in ("\\", '"', "n"):
                    raise ParseError(f"{where}: bad escape \\{nxt} in a label value")
                value.append("\n" if nxt == "n" else nxt)
                pos += 2
            elif c == '"':
                pos += 1
                break
            elif c == "\n":
                raise ParseError(f"{where}: raw line feed in a label value")
            else:
                value.append(c)
                pos += 1
        if name in labels:
            raise ParseError(f"{where}: label {name} twice")
        labels[name] = "".join(value)
        if text[pos:pos + 1] == ",":
            pos += 1
        elif text[pos:pos + 1] != "}":
            raise ParseError(f"{where}: expected , or }} after label {name}")


def family_of(sample: str, families: dict[str, Family]) -> str:
    for suffix in ("_bucket", "_sum", "_count"):
        base = sample[: -len(suffix)] if sample.endswith(suffix) else None
        if base and base in families and families[base].type in ("histogram", "summary"):
            return base
    return sample


def parse(text: str) -> Exposition:
    if text and not text.endswith("\n"):
        raise ParseError("the exposition must end with a line feed")
    families: dict[str, Family] = {}
    finished: set[str] = set()  # families whose samples are over (another family's came after)
    current: str | None = None
    series: set[tuple[str, tuple]] = set()
    for number, line in enumerate(text.split("\n")[:-1] if text else [], start=1):
        where = f"line {number}"
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME_RE.fullmatch(name):
                    raise ParseError(f"{where}: bad metric name {name!r}")
                family = families.setdefault(name, Family(name))
                if family.samples or name in finished:
                    raise ParseError(f"{where}: {parts[1]} for {name} after its samples")
                if parts[1] == "HELP":
                    if family.help is not None:
                        raise ParseError(f"{where}: second HELP for {name}")
                    family.help = parts[3] if len(parts) > 3 else ""
                else:
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise ParseError(f"{where}: bad TYPE line")
                    if family.typed:
                        raise ParseError(f"{where}: second TYPE for {name}")
                    family.type = parts[3]
                    family.typed = True
            continue  # other comments are allowed
        m = NAME_RE.match(line)
        if not m:
            raise ParseError(f"{where}: a sample must start with a metric name")
        name = m.group(0)
        pos = m.end()
        labels: dict[str, str] = {}
        if line[pos:pos + 1] == "{":
            labels, pos = parse_labels(line, pos, where)
        rest = line[pos:]
        if not rest.startswith(" "):
            raise ParseError(f"{where}: expected a space before the value")
        fields = rest.split()
        if len(fields) not in (1, 2):
            raise ParseError(f"{where}: expected a value and an optional timestamp")
        value = parse_value(fields[0], where)
        if len(fields) == 2 and not re.fullmatch(r"-?\d+", fields[1]):
            raise ParseError(f"{where}: bad timestamp {fields[1]!r}")
        fname = family_of(name, families)
        if fname in finished:
            raise ParseError(f"{where}: samples of {fname} are not together")
        if current is not None and current != fname:
            finished.add(current)
        current = fname
        key = (name, tuple(sorted(labels.items())))
        if key in series:
            raise ParseError(f"{where}: duplicate series {name}{labels}")
        series.add(key)
        family = families.setdefault(fname, Family(fname))
        if family.type == "counter" and (value < 0 or math.isnan(value)):
            raise ParseError(f"{where}: counter {name} is {value}")
        family.samples.append((name, labels, value))
    for family in families.values():
        if family.type == "histogram":
            check_histogram(family)
    return Exposition(families)


def check_histogram(family: Family) -> None:
    """Buckets per label set: increasing le, cumulative counts, +Inf last and equal to _count."""
    groups: dict[tuple, list[tuple[float, float]]] = {}
    sums: dict[tuple, float] = {}
    counts: dict[tuple, float] = {}
    for name, labels, value in family.samples:
        rest = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        if name == family.name + "_bucket":
            if "le" not in labels:
                raise ParseError(f"{family.name}: a bucket without le")
            groups.setdefault(rest, []).append((parse_value(labels["le"], family.name), value))
        elif name == family.name + "_sum":
            sums[rest] = value
        elif name == family.name + "_count":
            counts[rest] = value
        else:
            raise ParseError(f"{family.name}: unexpected sample {name} in a histogram")
    if not groups:
        raise ParseError(f"{family.name}: a histogram without buckets")
    for rest, buckets in groups.items():
        bounds = [b for b, _ in buckets]
        if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise ParseError(f"{family.name}: bucket bounds not increasing")
        if bounds[-1] != math.inf:
            raise ParseError(f"{family.name}: no le=\"+Inf\" bucket")
        values = [v for _, v in buckets]
        if any(b < a for a, b in zip(values, values[1:])):
            raise ParseError(f"{family.name}: bucket counts are not cumulative")
        if rest not in counts or counts[rest] != values[-1]:
            raise ParseError(f"{family.name}: _count differs from the +Inf bucket")
        if rest not in sums:
            raise ParseError(f"{family.name}: no _sum")
