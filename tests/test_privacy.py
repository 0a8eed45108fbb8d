"""Owners' ID and phone numbers never reach an output, a message or a log."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from planner.cli import main
from planner.errors import SiteError
from planner.privacy import mask_text, mask_value
from planner.readers import parse_site, read_site
from tests.conftest import find, to_bytes

ID_NUMBER = "62010219900307123X"
MOBILE = "13912345678"
HEADER = "id,space,charger_kw,registered,applicant,charger_type,car_brand,documents"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三 13912345678", "张三 ***********"),
        ("+8613912345678", "**************"),  # the country code goes with the number now
        ("电话 139 1234 5678", "电话 *************"),
        ("139-1234-5678", "*************"),
        ("139.1234.5678", "*************"),
        ("+86 139 1234 5678", "*****************"),
        ("1\u200b3912345678", "************"),
        ("１３９１２３４５６７８", "***********"),
        ("620102 19900307 123X", "********************"),
        ("2019-12-31 13:45:10", "2019-12-31 13:45:10"),
        ("身份证62010219900307123X号", "身份证******************号"),
        ("620102199003071234", "******************"),
        ("B1-012", "B1-012"),
        ("12345678901", "12345678901"),  # 1 then 2: not a mobile number
        ("2024-03-18T09:30", "2024-03-18T09:30"),
        ("电话一三九一二三四五六七八", "电话***********"),  # copied from a paper form
        ("幺三九 幺二三四 五六七八", "*************"),  # 幺: one, read out
        ("壹叁玖壹贰叁肆伍陆柒捌", "***********"),
        ("六二〇一〇二一九九〇〇三〇七一二三X", "******************"),
        ("三十九号车位", "三十九号车位"),  # 十 names an amount, not a digit
        ("一二三四五六七八九〇一", "一二三四五六七八九〇一"),  # 1 then 2: not a mobile
        ("二〇二四年三月十八日", "二〇二四年三月十八日"),
    ],
)
def test_mask_text(text: str, expected: str) -> None:
    assert mask_text(text)[0] == expected


def test_numbers_and_keys_are_masked() -> None:
    masked, hit = mask_value({"13912345678": 1, "kw": 13900000001.0, "n": 7.5})
    assert hit
    assert "13912345678" not in str(masked)
    assert "13900000001" not in str(masked)
    assert masked["n"] == 7.5


def test_mask_value_reaches_into_lists_numbers_and_objects() -> None:
    value = {"a": [13912345678, "x"], "b": {"c": ID_NUMBER}, "d": 7, "e": True}
    masked, hit = mask_value(value)
    assert hit
    assert masked == {"a": ["***********", "x"], "b": {"c": "*" * 18}, "d": 7, "e": True}


def _seed(tiny: dict[str, Any]) -> None:
    find(tiny, "request", "R1")["properties"].update(
        applicant=f"张先生 {MOBILE}", car_brand=f"身份证{ID_NUMBER}"
    )
    find(tiny, "space", "S1")["properties"]["remark"] = f"owner phone {MOBILE}"


def _csv() -> bytes:
    return (HEADER + f"\nR2,S2,7,2024-03-05,李 {MOBILE},wall,{ID_NUMBER},id_document\n").encode(
        "utf-8"
    )


def test_pii_is_masked_and_reported(tiny: dict[str, Any]) -> None:
    _seed(tiny)
    site = parse_site(to_bytes(tiny), requests_csv=_csv())
    dump = repr(site) + site.model_dump_json()
    assert MOBILE not in dump
    assert ID_NUMBER not in dump
    assert site.requests[0].applicant == "张先生 ***********"
    masked = [w for w in site.warnings if w.code == "PII_MASKED"]
    assert {(w.kind, w.feature_id) for w in masked} == {
        ("request", "R1"),
        ("space", "S1"),
        ("request", "R2"),
    }
    assert all(MOBILE not in str(w) and ID_NUMBER not in str(w) for w in site.warnings)


def test_pii_never_in_cli_output_or_logs(
    tiny: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _seed(tiny)
    site_path = tmp_path / "site.geojson"
    csv_path = tmp_path / "requests.csv"
    site_path.write_bytes(to_bytes(tiny))
    csv_path.write_bytes(_csv())
    with caplog.at_level(logging.DEBUG):
        assert main(["validate", str(site_path), "--requests", str(csv_path)]) == 0
    out = capsys.readouterr()
    everything = out.out + out.err + caplog.text
    assert "PII_MASKED" in everything or "masked" in everything
    assert MOBILE not in everything
    assert ID_NUMBER not in everything


def test_pii_never_in_error_messages(tiny: dict[str, Any]) -> None:
    find(tiny, "request", "R1")["properties"]["charger_kw"] = MOBILE
    find(tiny, "request", "R1")["properties"]["id"] = f"R-{ID_NUMBER}"
    with pytest.raises(SiteError) as info:
        parse_site(to_bytes(tiny))
    text = str(info.value)
    assert "'charger_kw' = '***********'" in text
    assert MOBILE not in text
    assert ID_NUMBER not in text


def test_pii_masked_in_files_read_from_disk(tiny: dict[str, Any], tmp_path: Path) -> None:
    _seed(tiny)
    path = tmp_path / "site.geojson"
    path.write_bytes(to_bytes(tiny))
    assert MOBILE not in read_site(path).model_dump_json()
