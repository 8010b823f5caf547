"""Exported cells can never run as spreadsheet formulas."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from salesdesk.core.export import cell, csv_bytes, safe_text, xlsx_bytes


@pytest.mark.parametrize("dangerous", ["=1+1", "+33 600", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_text_starting_with_a_formula_character_gets_an_apostrophe(dangerous):
    assert safe_text(dangerous) == "'" + dangerous


def test_plain_text_and_numbers_stay_as_they_are():
    assert safe_text("Acme") == "Acme"
    assert cell(Decimal("-2.50")) == Decimal("-2.50")
    assert cell(date(2025, 1, 31)) == date(2025, 1, 31)
    assert cell(None) == ""


def test_csv_neutralizes_formula_cells_and_headers():
    body = csv_bytes(["=head"], [["=cmd|' /C calc'!A0"], [Decimal("5")]]).decode("utf-8-sig")
    lines = body.splitlines()
    assert lines[0] == "'=head"
    assert lines[1].startswith("\"'=cmd") or lines[1].startswith("'=cmd")
    assert lines[2] == "5"


def test_xlsx_stores_formula_like_text_as_text():
    data = xlsx_bytes(["name", "amount"], [['=HYPERLINK("x")', Decimal("12.5")]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == '\'=HYPERLINK("x")'
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 12.5
