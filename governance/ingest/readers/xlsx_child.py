"""Read one worksheet of an .xlsx as text, inside resource limits.

xlsx_reader.py runs this file in a child process (``python -I xlsx_child.py
LIMITS_JSON``) with the workbook on stdin, because a tiny workbook can make
calamine allocate gigabytes (one cell at XFD200000 means a dense range of
3 billion cells). The limits are set here, first thing, rather than through
``preexec_fn``, which is unsafe in a threaded parent such as Streamlit.

Output on stdout: a JSON array of rows from A1, each a list of strings or
nulls. Exit codes: 0 done, EXIT_MALFORMED (one line on stderr) when calamine
cannot read the sheet, EXIT_LIMITS when it is too big; a signal (SIGXCPU,
SIGKILL, an abort on a failed allocation) means the limits did their job.

Only the standard library and python_calamine are imported: anything heavier
would eat into the address-space limit.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import resource
import sys

EXIT_MALFORMED = 2
EXIT_LIMITS = 3


def cell_text(value: object) -> str | None:
    """How a cell reads as text: what the validator would get from a CSV export."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, float):
        # Codes typed into number cells come back as 411102001201.0.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):  # before date: datetime is a date
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def main() -> int:
    limits = json.loads(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"],) * 2)

    # Imported here, under the limits, and not when xlsx_reader.py imports this module's constants.
    from python_calamine import CalamineWorkbook

    data = sys.stdin.buffer.read()
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(limits["sheet"])
        # Rows are read from A1, so the size that matters runs from A1 to the last cell.
        height, width = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
        if width > limits["max_columns"] or width * height > limits["max_cells"]:
            print(f"{height} rows x {width} columns", file=sys.stderr)
            return EXIT_LIMITS
        rows = sheet.to_python(skip_empty_area=False)
        text = json.dumps([[cell_text(v) for v in row] for row in rows], ensure_ascii=False)
    except MemoryError:
        return EXIT_LIMITS
    except Exception as exc:  # CalamineError, and ValueError etc. from cells it cannot convert
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_MALFORMED
    sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
