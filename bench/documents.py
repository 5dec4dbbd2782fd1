"""Benchmark (not a test): time and peak memory of one 附件2 form, 1,000- and 10,000-row ledger PDFs and a
50,000-row Excel export, from synthetic rows (no database).

    .venv/bin/python bench/documents.py [--ledger-rows 1000 10000] [--excel-rows 50000]

Each case runs in a forked process so that its memory is its own: "peak" is that process's
high-water resident set, "+" what it added to what it started with (the app, fonts, rows).
"""
import argparse
import io
import multiprocessing
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.documents.excel import ledger_xlsx  # noqa: E402
from app.documents.forms import village_form_pdf  # noqa: E402
from app.documents.ledger import TOWNSHIP_LEDGER_COLUMNS, TOWNSHIP_LEDGER_TITLE, LedgerRow, ledger_pdf  # noqa: E402
from app.models import Category, Organization, Report  # noqa: E402

ACTIVITY = "村东废弃猪场内非法储存液化气钢瓶约30只，现场无消防设施"


def rows(count: int) -> list[LedgerRow]:
    """Ledger rows as a township's would look: one in three with a longer description, half closed."""
    start = date(2026, 1, 1)
    return [LedgerRow(index=i, report_id=i, number=f"SG-2026-{i:06d}", village=("沙沟村", "前湖村", "张庄村")[i % 3],
                      discovered_on=start + timedelta(days=i % 360), address=f"沙沟村东第{i}号院", party="张某某",
                      activity=ACTIVITY * (2 if i % 3 == 0 else 1), category="非法存储危险化学品",
                      reported_on=start + timedelta(days=i % 360 + 1), reporter="王网格",
                      disposition="已办结：断水断电，清除原料和设备" if i % 2 else "乡镇处置中",
                      responsible="应急管理局（协办：公安局）" if i % 2 else "工矿商贸安全专委会",
                      closed_on=start + timedelta(days=i % 360 + 9) if i % 2 else None,
                      remarks="逾期上报" if i % 7 == 0 else "", state="closed" if i % 2 else "handling")
            for i in range(1, count + 1)]


def a_case() -> Report:
    village = Organization(name="沙沟村", kind="village", principal="沙沟村党支部书记")
    return Report(village=village, category=Category(name="非法存储危险化学品"), number="SG-2026-000123",
                  activity=ACTIVITY, discovered_on=date(2026, 1, 2), reported_on=date(2026, 1, 3),
                  address="沙沟村东200米废弃猪场", party="张某某", reporter="王网格", reporter_phone="13800138000",
                  principal="沙沟村党支部书记", stopped_on_site=True, stop_measures="已责令停止并清点钢瓶")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _child(app, make, connection):
    with app.app_context():
        baseline = rss_mb()
        started = time.perf_counter()
        output, detail = make()
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    connection.send((seconds, peak, peak - baseline, len(output), detail))


def measure(app, name: str, make) -> None:
    """Run `make` (→ bytes, detail) in a forked process; print its time and memory."""
    parent, child = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(target=_child, args=(app, make, child))
    process.start()
    seconds, peak, added, size, detail = parent.recv()
    process.join()
    print(f"{name:<34} {seconds:8.2f} s   peak {peak:7.1f} MB (+{added:6.1f})   {size / 1024:9.0f} KB  {detail}",
          flush=True)


def pages(pdf: bytes) -> str:
    return f"{len(PdfReader(io.BytesIO(pdf)).pages)} pages"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ledger-rows", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--excel-rows", type=int, default=50000)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="dafei-bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}", "SECRET_KEY": "bench-" * 8})
    with app.app_context():
        village_form_pdf(a_case())  # fonts registered once per process, as in a worker that has rendered before
    print(f"{'document':<34} {'time':>10}   {'memory':>24}   {'size':>12}")

    def form():
        pdf = village_form_pdf(a_case())
        return pdf, pages(pdf)

    measure(app, "附件2 village form", form)
    for count in args.ledger_rows:
        data = rows(count)

        def ledger(data=data):
            pdf = ledger_pdf(TOWNSHIP_LEDGER_TITLE, "沙沟镇", "2026-01-01 至 2026-12-31", TOWNSHIP_LEDGER_COLUMNS, data)
            return pdf, pages(pdf)

        measure(app, f"township ledger PDF, {count:,} rows", ledger)
    data = rows(args.excel_rows)

    def excel():
        return ledger_xlsx(TOWNSHIP_LEDGER_TITLE, TOWNSHIP_LEDGER_COLUMNS, data), f"{len(data):,} rows"

    measure(app, f"ledger Excel, {args.excel_rows:,} rows", excel)


if __name__ == "__main__":
    main()
