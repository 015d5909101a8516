"""CPU time and resident memory of a server's processes, read from /proc (Linux only)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True, slots=True)
class ProcessSample:
    pid: int
    role: str  # "server" (the process started), "worker" or the helper's name
    cpu_seconds: float  # user + system since the process started
    rss_bytes: int


def process_tree(root: int) -> list[int]:
    """`root` and its descendants that are alive now, root first."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat_fields(int(entry.name))
        if stat is not None:
            children.setdefault(int(stat[1]), []).append(int(entry.name))
    if _stat_fields(root) is None:
        return []
    tree, pending = [], [root]
    while pending:
        pid = pending.pop(0)
        tree.append(pid)
        pending.extend(sorted(children.get(pid, [])))
    return tree


def sample_tree(root: int) -> list[ProcessSample]:
    """CPU seconds and RSS of every process of the tree under `root` that is alive now."""
    samples = []
    for pid in process_tree(root):
        stat = _stat_fields(pid)
        if stat is None:
            continue
        # Fields after the command name: state is [0], so utime (14) is [11], stime [12],
        # rss in pages (24) is [21].
        cpu = (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
        samples.append(ProcessSample(pid, _role(pid, root), cpu, int(stat[21]) * PAGE_BYTES))
    return samples


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name is in parentheses and may hold spaces: split after the last ")".
    return text[text.rindex(")") + 2 :].split()


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "server"
    try:
        command = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return "gone"
    if "resource_tracker" in command:
        return "resource tracker"
    return "worker"
