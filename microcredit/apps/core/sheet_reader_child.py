"""The child process that parses a spreadsheet for `tables.iter_table` (run as a script).

python-calamine builds the whole first sheet in memory before Python sees a single row, sized
by the outermost cells: two cells at A1 and XFD1048576 ask for 512 GiB and the Rust allocator
aborts the process — it cannot be caught. So the parse runs here, in a fresh interpreter whose
address space and CPU time are capped first; the parent only ever sees rows or an error.

Protocol: argv[1] is a JSON object of limits; the file arrives on stdin; stdout carries frames
(4-byte big-endian length + pickle) of ("rows", [...]), ("error", message, row, column) or
("end",). Only the standard library and python_calamine are imported (the child must start fast).
"""

import io
import json
import pickle
import resource
import struct
import sys

BATCH = 2000


def _send(out, frame) -> None:
    blob = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(struct.pack(">I", len(blob)))
    out.write(blob)


def _rows(sheet, limits, out):
    start_col = sheet.start[1] if sheet.start else 0
    pad = [""] * start_col
    max_chars = limits["max_cell_chars"]
    batch = []
    for r, row in enumerate(sheet.iter_rows(), start=1):
        for c, value in enumerate(row, start=start_col + 1):
            if isinstance(value, str):
                if len(value) > max_chars:
                    return _send(out, ("error", f"第 {r} 行第 {c} 列内容过长（超过 {max_chars} 个字符）", r, c))
                if "\x00" in value:
                    return _send(out, ("error", f"第 {r} 行第 {c} 列含有空字符（NUL），文件可能已损坏", r, c))
        batch.append(pad + row if pad else row)
        if len(batch) >= BATCH:
            _send(out, ("rows", batch))
            batch = []
    if batch:
        _send(out, ("rows", batch))
    _send(out, ("end",))


def main() -> None:
    limits = json.loads(sys.argv[1])
    memory, cpu = limits["max_memory_bytes"], limits["timeout_seconds"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    from python_calamine import CalamineWorkbook  # after the limits: its allocations count too

    out = sys.stdout.buffer
    data = sys.stdin.buffer.read()
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            return _send(out, ("error", "文件中没有工作表", None, None))
        sheet = book.get_sheet_by_index(0)
    except Exception as exc:  # noqa: BLE001 — any parser error means "not a readable workbook"
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        return _send(out, ("error", f"文件已损坏或不是有效的 Excel/ODS 文件（{detail}）", None, None))
    rows, columns = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
    if rows > limits["max_rows"]:
        return _send(out, ("error", f"文件行数超过上限（{rows} 行，最多 {limits['max_rows']} 行）", None, None))
    if columns > limits["max_columns"]:
        return _send(out, ("error", f"文件列数超过上限（{columns} 列，最多 {limits['max_columns']} 列）", None, None))
    if rows * columns > limits["max_cells"]:
        return _send(out, ("error", f"文件单元格数超过上限（{rows}×{columns}，最多 {limits['max_cells']} 个）", None, None))
    _rows(sheet, limits, out)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
