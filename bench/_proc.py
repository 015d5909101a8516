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
    role: str  # "server" (the process started), "worker", or what else it is
    cpu_seconds: float  # user + system since the process started
    rss_bytes: int


def process_tree(root: int) -> list[tuple[int, int]]:
    """(pid, parent pid) of `root` and its descendants alive now, each after its parent."""
    if _stat_fields(root) is None:
        return []
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (stat := _stat_fields(int(entry.name))) is not None:
            children.setdefault(int(stat[1]), []).append(int(entry.name))
    tree, pending = [], [(root, 0)]
    while pending:
        pid, parent = pending.pop(0)
        tree.append((pid, parent))
        pending.extend((child, pid) for child in sorted(children.get(pid, [])))
    return tree


def sample_tree(root: int) -> list[ProcessSample]:
    """CPU seconds and RSS of every process of the tree under `root` that is alive now."""
    samples = []
    roles: dict[int, str] = {}
    for pid, parent in process_tree(root):
        stat = _stat_fields(pid)
        if stat is None:
            continue
        roles[pid] = _role(pid, root, roles.get(parent, ""))
        # Fields after the command name: state is [0], so utime (14) is [11], stime [12],
        # rss in pages (24) is [21].
        cpu = (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
        samples.append(ProcessSample(pid, roles[pid], cpu, int(stat[21]) * PAGE_BYTES))
    return samples


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name is in parentheses and may hold spaces: split after the last ")".
    return text[text.rindex(")") + 2 :].split()


def _role(pid: int, root: int, parent_role: str) -> str:
    """What a process of the server is, from its command line and its parent's role: with
    `--workers N`, the server supervises N workers; multiprocessing adds helpers."""
    if pid == root:
        return "server"
    try:
        command = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return "gone"
    if "resource_tracker" in command:
        return "resource tracker"
    if "forkserver" in command:
        return "forked process" if parent_role in ("forkserver", "forked process") else "forkserver"
    if parent_role == "server":
        return "worker"
    return f"child of {parent_role}"
