"""What memory the machine can still give, for the checks that refuse a computation too big for it."""

from __future__ import annotations


def available_memory_bytes() -> int | None:
    """Memory the system can still give [bytes] (``MemAvailable`` of /proc/meminfo), None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
