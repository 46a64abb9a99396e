"""Run one manage.py command in this process and print its peak memory (max RSS, MiB) to stderr last."""

import os
import resource
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicelevel.settings")
sys.path.insert(0, os.getcwd())

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["manage.py", *sys.argv[1:]])
    finally:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"PEAK_RSS_MIB={peak:.0f}", file=sys.stderr)
