"""Run one manage.py command in this process and print its peak memory (max RSS, MiB) to stderr last.

BENCH_TODAY=YYYY-MM-DD: the command's clock starts at noon (Swedish time) of that day and runs on from
there (time-machine), so "today" — a correction's stored dates before today, the recompute of today — is
the bench's fixed date rather than the real one."""

import datetime
import os
import resource
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicelevel.settings")
sys.path.insert(0, os.getcwd())

if __name__ == "__main__":
    if os.environ.get("BENCH_TODAY"):
        import time_machine

        noon = datetime.datetime.fromisoformat(f"{os.environ['BENCH_TODAY']}T12:00:00+01:00")
        time_machine.travel(noon, tick=True).start()
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["manage.py", *sys.argv[1:]])
    finally:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"PEAK_RSS_MIB={peak:.0f}", file=sys.stderr)
