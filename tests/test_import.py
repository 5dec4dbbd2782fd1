"""Importing organisations from CSV and Excel: all rows or none, every bad row named in Chinese."""
import io

from openpyxl import Workbook

from app.extensions import db
from app.models import Organization

HEADER = "代码,名称,类型,上级代码,主要负责人,电话,邮箱\n"
GOOD = HEADER + (
    "370000200000,柳河镇,乡镇,370000000000,镇安办,0531-1234567,\n"
    "370000200101,北部管理区,管理区,370000200000,,,\n"
    "370000200102,柳河村,村,370000200101,张书记,13800001111,liuhe@example.cn\n"
    "370000200103,柳河社区,社区,370000200000,,,\n"
)
BAD = HEADER + (
    "370000200000,柳河镇,乡镇,370000000000,,,\n"  # fine
    "370000200102,,村,370000200000,,,\n"  # line 3: no name
    "370000200103,柳西村,村,999999999999,,,\n"  # line 4: unknown parent
    "370000200104,柳东村,村,370000200000,,abc,\n"  # line 5: bad phone
    "370000200105,柳南村,星球,370000200000,,,\n"  # line 6: unknown kind
    "370000200000,重复镇,乡镇,370000000000,,,\n"  # line 7: duplicate code
    "370000200106,错挂村,村,370000000000,,,\n"  # line 8: a village under the county
)


def names(app):
    with app.app_context():
        return {n for (n,) in db.session.query(Organization.name)}


def upload(client, filename, data: bytes):
    return client.post("/organization/import/", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_a_good_csv_imports_every_row_in_the_tree(app, client, auth):
    auth.login("admin")
    page = upload(client, "units.csv", GOOD.encode("utf-8")).get_data(as_text=True)
    assert "导入完成：新增 4 个，更新 0 个" in page
    with app.app_context():
        village = db.session.query(Organization).filter_by(code="370000200102").one()
        assert village.kind == "village" and village.parent.name == "北部管理区"
        assert village.parent.parent.name == "柳河镇" and village.path.startswith(village.parent.parent.path)


def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_row(app, client, auth):
    before = names(app)
    auth.login("admin")
    page = upload(client, "units.csv", BAD.encode("utf-8")).get_data(as_text=True)
    assert "未导入任何数据" in page
    for expected in ("第3行：缺少名称", "第4行：上级代码 999999999999 在文件和系统中都不存在",
                     "第5行：请输入7至20位的电话号码", "第6行：未知的机构类型：星球",
                     "第7行：代码 370000200000 已在第2行出现", "第8行：村居的上级只能是管理区、乡镇，不能是县"):
        assert expected in page
    assert "第2行" not in page.replace("已在第2行出现", "")
    assert names(app) == before


def test_a_gbk_csv_from_excel_imports(app, client, auth):
    auth.login("admin")
    upload(client, "units.csv", GOOD.encode("gb18030"))
    assert "柳河村" in names(app)


def test_an_excel_workbook_imports(app, client, auth):
    book = Workbook()
    sheet = book.active
    for line in GOOD.strip().split("\n"):
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    auth.login("admin")
    upload(client, "units.xlsx", buffer.getvalue())
    assert {"柳河镇", "北部管理区", "柳河村", "柳河社区"} <= names(app)


def test_reimporting_updates_instead_of_duplicating(app, client, auth):
    auth.login("admin")
    upload(client, "units.csv", GOOD.encode())
    page = upload(client, "units.csv", GOOD.replace("张书记", "刘书记").encode()).get_data(as_text=True)
    assert "新增 0 个，更新 4 个" in page
    with app.app_context():
        assert db.session.query(Organization).filter_by(code="370000200102").one().principal == "刘书记"


def test_other_files_and_missing_columns_are_refused(app, client, auth):
    auth.login("admin")
    assert "请上传 .csv 或 .xlsx 文件" in upload(client, "units.txt", b"x").get_data(as_text=True)
    page = upload(client, "units.csv", "名称,类型\n某村,村\n".encode()).get_data(as_text=True)
    assert "缺少列：代码" in page
    assert "文件不是可读取的 Excel" in upload(client, "units.xlsx", b"not a zip").get_data(as_text=True)


def test_the_command_line_import(app, runner, tmp_path):
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["import-organizations", str(bad)])
    assert result.exit_code == 1
    assert "第3行：缺少名称" in result.output and "第8行" in result.output
    assert "柳河镇" not in names(app)
    result = runner.invoke(args=["import-organizations", str(good)])
    assert result.exit_code == 0 and "新增 4 个" in result.output
    assert "柳河村" in names(app)
