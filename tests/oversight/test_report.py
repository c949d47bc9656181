# -*- coding: utf-8 -*-
"""The yearly report (年度报告: chongqing-2018 §37, chongqing-2019 §47, kunming-2019 §39,
shijingshan-2017 §34) for a seeded year (tests/oversight/conftest.py): XLSX that openpyxl and
LibreOffice open, a PDF that renders with its Chinese text, the figures of the statistics,
the due date of the active deadline policy, and the command ``ckan govshare report``."""
from __future__ import annotations

import datetime
import io
import os
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ckan.cli.cli import ckan as ckan_cli

from ckanext.govshare.applications import deadlines
from ckanext.govshare.oversight import panel, report

NOW = datetime.datetime(2026, 11, 20, 4, 0)  # 12:00 Beijing time, as the seeded world's figures


def _cells(data: bytes) -> dict[str, list]:
    """The sheet as {first cell: [the row's other cells]} (the report's labels are unique)."""
    ws = load_workbook(io.BytesIO(data)).active
    return {str(row[0]): list(row[1:]) for row in ws.iter_rows(values_only=True) if row and row[0] is not None}


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_city_report_xlsx_has_the_statistics(stats_world):
    """chongqing-2018 §37: the city's yearly report, in Chinese, with the year's figures —
    the same as the statistics (tests/oversight/test_statistics.py computed them by hand)."""
    built = report.build(2026, now=NOW)
    assert built.title == "2026年度全市政务数据共享开放情况报告"
    cells = _cells(report.write(built, "xlsx").getvalue())
    assert cells["无条件开放"][0] == 2 and cells["有条件开放"][0] == 1 and cells["不予开放"][0] == 1
    assert cells["有固定更新周期的条目"][0] == 3 and cells["按期更新"][0] == 1
    assert cells["开放申请"][:5] == [1, 1, 1, 1, 4]
    assert cells["答复用时中位数（工作日）"][0] == 4.5
    assert cells["答复用时第90百分位（工作日）"][0] == 19
    assert cells["超期"][0] == 2 and cells["延长答复期限"][0] == 2
    assert cells["下载"][0] == 7 and cells["接口调用"][0] == 3 and cells["共享交换"][0] == 2
    assert cells["申请按期答复率"][0] == "83.3%"
    assert cells["综合得分（平均）"][0] == "53.3%"
    # each department side by side (entries, on-time share, requests …)
    assert cells["市交通局"][:7] == [3, "33.3%", 7, 5, "80.0%", 2, 5]
    assert cells["市卫生健康委员会"][:3] == [1, "—", 1]
    # the due date of the default profile (chongqing-2018 §37: 2月底)
    assert "报送期限：2027-02-28（重庆市办法2018第三十七条）" in cells


def test_department_report_has_its_own_figures_and_due_date(stats_world):
    """chongqing-2018 §37: each department reports its own year by the end of January."""
    w = stats_world
    built = report.build(2026, {"id": w.jtj["id"], "title": "市交通局"}, now=NOW)
    assert built.title == "2026年度市交通局政务数据共享开放情况报告"
    assert built.due == datetime.date(2027, 1, 31)
    cells = _cells(report.write(built, "xlsx").getvalue())
    assert cells["答复用时中位数（工作日）"][0] == 4 and cells["下载"][0] == 5
    assert "市卫生健康委员会" not in cells and "九、各部门情况" not in cells


def test_xlsx_opens_in_libreoffice(stats_world, tmp_path):
    """The report opens in LibreOffice (converted headless to CSV, its first sheet read back)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed on this machine: the XLSX was checked "
                    "with openpyxl only (test_city_report_xlsx_has_the_statistics)")
    path = tmp_path / "report.xlsx"
    path.write_bytes(report.write(report.build(2026, now=NOW), "xlsx").getvalue())
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "csv",
                    "--outdir", str(tmp_path), str(path)], check=True, timeout=120, capture_output=True)
    text = (tmp_path / "report.csv").read_text(encoding="utf-8", errors="replace")
    assert "2026" in text and "下载" in text


def test_pdf_renders_with_chinese_text(stats_world):
    """The PDF (ReportLab, CJK font STSong-Light) has its pages and its Chinese text."""
    data = report.write(report.build(2026, now=NOW), "pdf").getvalue()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("STSong-Light" in f for f in fonts), fonts
    text = _pdf_text(data)
    for expected in ("2026年度全市政务数据共享开放情况报告", "市交通局", "答复用时中位数", "4.5", "83.3%"):
        assert expected in text, (expected, text[:1500])


def test_unknown_format_is_refused(stats_world):
    with pytest.raises(ValueError):
        report.write(report.build(2026, now=NOW), "docx")


def test_report_command_writes_xlsx_and_pdf(stats_world, cli, tmp_path):
    """``ckan govshare report --year 2026 [--department X] [--format xlsx|pdf] [--output path]``."""
    out = tmp_path / "city.xlsx"
    result = cli.invoke(ckan_cli, ["govshare", "report", "--year", "2026", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "due 2027-02-28 (chongqing-2018 §37)" in result.output
    assert "下载" in _cells(out.read_bytes())
    pdf = tmp_path / "jtj.pdf"
    result = cli.invoke(ckan_cli, ["govshare", "report", "--year", "2026", "--department", "jtj",
                                   "--format", "pdf", "--output", str(pdf)])
    assert result.exit_code == 0, result.output
    assert "2026年度市交通局" in _pdf_text(pdf.read_bytes())
    for bad in (["--department", "nope"], ["--format", "docx"], ["--year", "1999"]):
        result = cli.invoke(ckan_cli, ["govshare", "report", "--year", "2026", *bad, "--output", str(tmp_path / "x")])
        assert result.exit_code != 0 and not os.path.exists(tmp_path / "x"), bad


@pytest.mark.parametrize("profile, city, department", [
    ("chongqing-2018", "2027-02-28", "2027-01-31"),   # §37: 1月底 / 2月底
    ("chongqing-2019", "2027-02-28", "2027-01-31"),   # §47
    ("kunming-2019", "2027-01-15", "2027-01-05"),     # §39: 1月5日 / 1月15日
    ("shenyang-2016", "2027-03-31", "2027-03-31"),    # §26: 每年一季度
    ("shijingshan-2017", "2026-10-31", "2026-10-31"),  # §34: 每年10月底前 (the year itself)
])
def test_due_dates_of_every_profile(profile, city, department):
    """The report's due date follows the deadline profile (chongqing-2018 §37, chongqing-2019
    §47, kunming-2019 §39, shenyang-2016 §26, shijingshan-2017 §34)."""
    due = deadlines.load_policy(profile).yearly_report
    assert due.due(2026).isoformat() == city
    assert due.due(2026, city=False).isoformat() == department


def test_end_of_february_in_a_leap_year():
    """"2月底" is the 29th in a leap year (chongqing-2019 §47)."""
    assert deadlines.load_policy("chongqing-2019").yearly_report.due(2027) == datetime.date(2028, 2, 29)


def test_a_malformed_due_date_is_refused(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("name: x\ntitle_zh: x\ntitle_en: x\nextends: chongqing-2018\n"
                    "yearly_report: {department_due: 02-30, city_due: 02-end, article: x}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="yearly_report.department_due"):
        deadlines.load_policy(str(path))


@pytest.mark.ckan_config("ckanext.govshare.deadline_policy", "chongqing-2018")
@pytest.mark.usefixtures("with_plugins")
def test_reminder_before_the_due_date():
    """The authority is reminded 30 days before the report is due (chongqing-2018 §37)."""
    far = panel.report_reminder(datetime.date(2026, 11, 29))
    assert (far["year"], far["due"], far["days_left"], far["remind"]) == (2026, "2027-02-28", 91, False)
    near = panel.report_reminder(datetime.date(2027, 2, 1))
    assert (near["year"], near["due"], near["days_left"], near["remind"]) == (2026, "2027-02-28", 27, True)
    assert near["department_due"] == "2027-01-31"
    assert near["article"] == "重庆市办法2018第三十七条"
    after = panel.report_reminder(datetime.date(2027, 3, 1))
    assert (after["year"], after["due"]) == (2027, "2028-02-29")


def test_articles_are_cited_in_chinese():
    assert panel.article_zh("kunming-2019 §39") == "昆明市办法2019第三十九条"
    assert panel.article_zh("shijingshan-2017 §34") == "石景山区办法2017第三十四条"
    assert panel.article_zh("shenyang-2016 §26") == "沈阳市办法2016第二十六条"
    assert panel.article_zh("chongqing-2019 §10") == "重庆市办法2019第十条"
    assert panel.article_zh("something else") == "something else"
