"""Peak memory of `import_data` on bad files. Not part of `make test`.

    .venv/bin/python tests/perf/measure_bad_input.py [--mb 200] [--keep]

Makes, in a temporary folder with its own SQLite database, (1) a cases CSV of about `--mb` MB in which
every row is bad, (2) a cases CSV whose header is one 10 MB line, and (3) an .xlsx "zip bomb" whose
sheet unpacks to far more than it weighs; runs `manage.py import_data cases FILE` on each in a fresh
child process and prints its exit status, number of stderr lines, time and peak RSS. The numbers are
for one child each: every child is started by its own small wrapper, so RUSAGE_CHILDREN of the wrapper
is the import alone.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# The wrapper: run the command, then report the peak RSS (KiB on Linux) of that one child.
WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL,"
    " stderr=open(sys.argv[1], 'wb')).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def bad_cases(path: Path, megabytes: int) -> int:
    """Rows with a bad HSA-id and a received_at that is no date-time: two errors a row."""
    header = "case_id;unit_hsa_id;service_code;received_at;first_response_at;delay_notified_at\n"
    target = megabytes * 1_000_000
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(header)
        size = len(header)
        block = []
        while size < target:
            line = f"ARENDE-{rows:09d};SE232100-BAD{rows % 1000};KONTAKT;inte-ett-datum-{rows};;\n"
            block.append(line)
            size += len(line)
            rows += 1
            if len(block) == 10_000:
                out.write("".join(block))
                block = []
        out.write("".join(block))
    return rows


def huge_header(path: Path, megabytes: int = 10, *, one_field: bool = False) -> None:
    """A header line of `megabytes` MB: one giant column name, or a million short unknown ones."""
    with path.open("w", encoding="utf-8") as out:
        if one_field:
            out.write("case_id;" + "x" * (megabytes * 1_000_000))
        else:
            names = (f"c{i}" for i in range(megabytes * 1_000_000))
            size, first = 0, True
            for name in names:
                out.write(name if first else ";" + name)
                first = False
                size += len(name) + 1
                if size >= megabytes * 1_000_000:
                    break
        out.write("\nA-1;SE2321000255-A1B2;;2026-06-01T10:00;;\n")


def xlsx_bomb(path: Path, megabytes: int = 300) -> None:
    """A valid workbook whose sheet XML unpacks to `megabytes` MB of repeated rows (compresses ~1000:1)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["case_id", "unit_hsa_id", "received_at"])
    book.save(path)
    rows = '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    # Without its <dimension> the sheet's size is only known by reading it all, as with many writers.
    sheet = re.sub(r"<dimension [^>]*/>", "", sheet)
    head, _, tail = sheet.partition("</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            if name != "xl/worksheets/sheet1.xml":
                out.writestr(name, data)
        with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet_out:
            sheet_out.write(head.encode())
            written = 0
            chunk = rows.encode()
            while written < megabytes * 1_000_000:
                sheet_out.write(chunk)
                written += len(chunk)
            sheet_out.write(("</sheetData>" + tail).encode())


def run(env, errfile: Path, *args) -> tuple[int, int, float, int]:
    started = time.monotonic()
    done = subprocess.run(
        [PYTHON, "-c", WRAPPER, str(errfile), PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.monotonic() - started
    code, kib = map(int, done.stdout.split())
    with errfile.open("rb") as err:
        lines = sum(1 for _ in err)
    return code, lines, seconds, kib // 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the bad cases file in MB")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--only", choices=("rows", "header", "xlsx"), action="append")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bad-input-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_SECRET_KEY": "measure",
        "DJANGO_DEBUG": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("REDIS_URL", None)
    try:
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        only = args.only or ["rows", "header", "xlsx"]
        if "rows" in only:
            cases = folder / "bad_cases.csv"
            rows = bad_cases(cases, args.mb)
            code, lines, seconds, mib = run(env, folder / "rows.err", "import_data", "cases", cases)
            print(
                f"bad rows:  {cases.stat().st_size / 1e6:.0f} MB, {rows} rows -> exit {code}, "
                f"{lines} stderr lines, {seconds:.1f} s, peak RSS {mib} MiB"
            )
        if "header" in only:
            for one_field in (False, True):
                header = folder / "huge_header.csv"
                huge_header(header, one_field=one_field)
                code, lines, seconds, mib = run(env, folder / "header.err", "import_data", "cases", header)
                what = "one 10 MB column name" if one_field else "10 MB of column names"
                print(
                    f"10 MB header line ({what}) -> exit {code}, {lines} stderr lines, {seconds:.1f} s, "
                    f"peak RSS {mib} MiB"
                )
        if "xlsx" in only:
            bomb = folder / "bomb.xlsx"
            xlsx_bomb(bomb)
            code, lines, seconds, mib = run(env, folder / "xlsx.err", "import_data", "cases", bomb)
            print(
                f"xlsx bomb ({bomb.stat().st_size / 1e6:.1f} MB packed, ~300 MB unpacked) -> exit {code}, "
                f"{lines} stderr lines, {seconds:.1f} s, peak RSS {mib} MiB"
            )
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
