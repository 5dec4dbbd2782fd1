"""Import of organisations from CSV or Excel: all rows or none, every bad row reported."""
import csv
import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import load_workbook

from app.extensions import db
from app.models import KINDS, Organization, placement_error
from app.models.organization import CODE_MESSAGE, CODE_PATTERN, PHONE_MESSAGE, PHONE_PATTERN

# Column → accepted headers (English keys and the Chinese a clerk's spreadsheet uses).
HEADERS = {
    "code": ("code", "代码", "编码", "区划代码", "统计用区划代码"),
    "name": ("name", "名称", "机构名称"),
    "kind": ("kind", "类型", "机构类型"),
    "parent_code": ("parent_code", "上级代码", "上级编码"),
    "principal": ("principal", "主要负责人", "负责人"),
    "phone": ("phone", "电话", "联系电话"),
    "email": ("email", "邮箱", "电子邮箱"),
}
KIND_NAMES = {
    **{k: k for k in KINDS},
    "县": "county", "县直部门": "department", "部门": "department", "乡镇": "township", "镇": "township",
    "乡": "township", "专委会": "committee", "管理区": "district", "站所": "station", "职能站所": "station",
    "村居": "village", "村": "village", "社区": "village", "网格": "grid",
}
KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


class ImportFailed(Exception):
    """The file was not imported; `errors` lists (line, reason) for every bad row."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


def read_rows(filename: str, data: bytes) -> list[tuple[int, dict]]:
    """(line number, row) pairs from a .csv (UTF-8 or GB18030) or .xlsx file with a header row."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception:
            raise ImportFailed([(0, _("The file is not a readable Excel (.xlsx) workbook"))])
        table = [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFailed([(0, _("The CSV file is neither UTF-8 nor GBK text"))])
        table = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise ImportFailed([(0, _("Upload a .csv or .xlsx file"))])
    if not table:
        raise ImportFailed([(0, _("The file is empty"))])
    columns = _columns(table[0])
    return [
        (line, {key: (cells[i] if i < len(cells) else "") for key, i in columns.items()})
        for line, cells in enumerate(table[1:], start=2)
        if any(cells)
    ]


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for i, title in enumerate(header):
        for key, names in HEADERS.items():
            if title.strip().lower() in names:
                found[key] = i
    missing = [HEADERS[k][1] for k in ("code", "name", "kind") if k not in found]
    if missing:
        raise ImportFailed([(1, _("Missing columns: %(columns)s", columns=", ".join(missing)))])
    return found


def import_organizations(rows: list[tuple[int, dict]], max_rows: int = 20000) -> ImportResult:
    """Create or update (by code) every row, parents first; on any bad row, nothing is written."""
    if len(rows) > max_rows:
        raise ImportFailed([(0, _("At most %(n)d rows can be imported at once", n=max_rows))])
    errors: list[tuple[int, str]] = []
    result = ImportResult()
    seen: dict[str, int] = {}
    by_code: dict[str, Organization] = {}
    parsed = []
    for line, row in rows:
        problems = _row_problems(row, seen)
        seen.setdefault(row.get("code", ""), line)
        errors += [(line, p) for p in problems]
        if not problems:
            parsed.append((line, row, KIND_NAMES[row["kind"].strip()]))

    with db.session.no_autoflush:
        for line, row, kind in sorted(parsed, key=lambda item: KIND_ORDER[item[2]]):
            parent = None
            if row.get("parent_code"):
                parent = by_code.get(row["parent_code"]) or _existing(row["parent_code"])
                if parent is None:
                    errors.append((line, _("Parent code %(code)s is neither in the file nor in the system",
                                           code=row["parent_code"])))
                    continue
            problem = placement_error(kind, parent)
            unit = _existing(row["code"])
            if unit is not None and unit.kind != kind:
                problem = _("Code %(code)s already belongs to a %(kind)s", code=row["code"], kind=unit.kind_label)
            if problem:
                errors.append((line, problem))
                continue
            if unit is None:
                unit = Organization(code=row["code"], kind=kind)
                db.session.add(unit)
                result.created += 1
            else:
                result.updated += 1
            unit.name, unit.parent = row["name"], parent
            unit.principal = row.get("principal") or None
            unit.phone = row.get("phone") or None
            unit.email = row.get("email") or None
            by_code[row["code"]] = unit

    if errors:
        db.session.rollback()
        raise ImportFailed(sorted(errors))
    db.session.commit()
    return result


def _existing(code: str) -> Organization | None:
    return db.session.query(Organization).filter_by(code=code).one_or_none()


def _row_problems(row: dict, seen: dict[str, int]) -> list[str]:
    problems = []
    code, name, kind = row.get("code", ""), row.get("name", ""), row.get("kind", "").strip()
    if not code:
        problems.append(_("The code is missing"))
    elif code in seen:
        problems.append(_("Code %(code)s already appears on line %(line)d", code=code, line=seen[code]))
    for value, pattern, message in ((code, CODE_PATTERN, CODE_MESSAGE), (row.get("phone"), PHONE_PATTERN, PHONE_MESSAGE)):
        if value and not re.fullmatch(pattern, value):
            problems.append(str(message))
    if not name:
        problems.append(_("The name is missing"))
    elif len(name) > 100:
        problems.append(_("The name is longer than 100 characters"))
    if kind not in KIND_NAMES:
        problems.append(_("Unknown kind of organisation: %(kind)s", kind=kind))
    email = row.get("email") or ""
    if email and ("@" not in email or len(email) > 120):
        problems.append(_("%(email)s is not an e-mail address", email=email))
    return problems
