"""What every benchmark report shares: the machine it ran on, and where its section is written."""

import os
import platform
from pathlib import Path

SECTIONS = Path(__file__).resolve().parents[1] / "docs" / "bench"


def describe() -> str:
    """CPU model, core count, memory and Python version."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
        mem = f"{mem_kb / 2**20:.0f} GiB"
    except OSError:
        mem = "?"
    return f"{cpu}, {os.cpu_count()} cores, {mem} RAM, Python {platform.python_version()}, no GPU"


def cpu_jiffies() -> tuple[int, int]:
    """(steal, total) CPU time of all cores since boot, in jiffies (/proc/stat; (0, 0) without it).
    Steal is time the hypervisor gave another guest while this one had work to run."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except OSError:
        return 0, 0
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def steal_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """Share of CPU time stolen between two :func:`cpu_jiffies` readings (0 to 1)."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else 0.0


def write_section(name: str, lines: list[str]) -> None:
    """Write a report section to docs/bench/NAME.md (collected by bench/collect.py) and print it."""
    SECTIONS.mkdir(parents=True, exist_ok=True)
    (SECTIONS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
