"""What the benchmark ran on: processor, cores, memory, platform and the measured packages."""

from __future__ import annotations

import os
import platform
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Optional

PACKAGES = ("spacy", "thinc", "jieba")


def _proc_field(path: str, pattern: str) -> Optional[str]:
    try:
        match = re.search(pattern, Path(path).read_text(), re.MULTILINE)
    except OSError:
        return None
    return match.group(1).strip() if match else None


def cpu_model() -> str:
    return _proc_field("/proc/cpuinfo", r"^model name\s*:\s*(.+)$") or platform.processor() or "unknown"


def total_memory_gb() -> Optional[float]:
    kilobytes = _proc_field("/proc/meminfo", r"^MemTotal:\s+(\d+) kB")
    return round(int(kilobytes) / 1024**2, 1) if kilobytes else None


def usable_cores() -> Optional[int]:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def load_average() -> Optional[list[float]]:
    """The 1, 5 and 15 minute load averages: other work on a shared machine slows every run."""
    if not hasattr(os, "getloadavg"):
        return None
    return [round(value, 2) for value in os.getloadavg()]


def machine_info() -> dict:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable_cores(),
        "memory_gb": total_memory_gb(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        **{name: package_version(name) for name in PACKAGES},
    }


def describe(machine: dict) -> str:
    """One line naming the machine, for the table's head."""
    packages = ", ".join(f"{name} {machine[name]}" for name in PACKAGES)
    return (
        f"{machine['cpu']}, {machine['usable_cores']} usable cores of {machine['cores']}, "
        f"{machine['memory_gb']} GB, {machine['platform']}, Python {machine['python']}, {packages}"
    )
