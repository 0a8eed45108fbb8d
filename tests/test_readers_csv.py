"""Requests from a CSV, merged with the site file's by space id."""

from __future__ import annotations

from typing import Any

import pytest

from planner.errors import SiteError
from planner.readers import parse_site
from tests.conftest import to_bytes

HEADER = "id,space,charger_kw,registered,applicant,charger_type,car_brand,documents"


def _csv(*rows: str, header: str = HEADER, bom: bool = True) -> bytes:
    text = "\n".join([header, *rows]) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def test_csv_requests_join_the_site_requests(tiny: dict[str, Any]) -> None:
    site = parse_site(
        to_bytes(tiny),
        requests_csv=_csv(
            "R2,S2,7,2024-03-05 08:30,李女士,wall,比亚迪,"
            "id_document;property_consent;lease_contract;owner_consent"
        ),
    )
    r1, r2 = site.requests
    assert (r1.id, r1.source) == ("R1", "site")
    assert (r2.id, r2.space, r2.charger_kw, r2.source) == ("R2", "S2", 7.0, "csv")
    assert r2.registered is not None
    assert r2.registered.isoformat() == "2024-03-05T08:30:00+08:00"
    assert r2.documents == ("id_document", "property_consent", "lease_contract", "owner_consent")
    assert r2.charger_type == "wall"
    assert r2.index == 2  # spreadsheet row number


def test_csv_without_bom_and_with_votes(tiny: dict[str, Any]) -> None:
    header = (
        HEADER + ",vote_participating_area,vote_participating_owners,"
        "vote_approving_area,vote_approving_owners"
    )
    site = parse_site(
        to_bytes(tiny),
        requests_csv=_csv(
            "R2,S2,7,2024-03-05,,,,id_document,0.7,0.69,0.8,0.78", header=header, bom=False
        ),
    )
    vote = site.requests[1].vote
    assert vote is not None
    assert vote.participating_owners == pytest.approx(0.69)


def test_request_id_in_both_site_and_csv(tiny: dict[str, Any]) -> None:
    with pytest.raises(
        SiteError,
        match=r"requests CSV row 2 \(request 'R1'\): has id 'R1', "
        r"already used in both the site file and the requests CSV: by feature #8",
    ):
        parse_site(to_bytes(tiny), requests_csv=_csv("R1,S2,7,2024-03-05,,,,"))


def test_partial_vote_columns(tiny: dict[str, Any]) -> None:
    header = (
        HEADER + ",vote_participating_area,vote_participating_owners,"
        "vote_approving_area,vote_approving_owners"
    )
    with pytest.raises(
        SiteError,
        match=r"row 2 \(request 'R2'\): the vote columns are partly "
        r"filled .*Fix: fill all four",
    ):
        parse_site(to_bytes(tiny), requests_csv=_csv("R2,S2,7,,,,,,0.7,,,", header=header))


def test_csv_value_errors_name_the_row(tiny: dict[str, Any]) -> None:
    with pytest.raises(SiteError) as info:
        parse_site(
            to_bytes(tiny),
            requests_csv=_csv(
                "R2,S2,seven,2024-03-05,,,,", "R3,S2,7,yesterday,,,,", "R4,S2,7,,,,,passport"
            ),
        )
    text = str(info.value)
    assert "requests CSV row 2 (request 'R2'): property 'charger_kw' = 'seven'" in text
    assert "requests CSV row 3 (request 'R3'): property 'registered': 'yesterday'" in text
    assert "requests CSV row 4 (request 'R4'): property 'documents.0' = 'passport'" in text


def test_missing_columns(tiny: dict[str, Any]) -> None:
    with pytest.raises(
        SiteError,
        match=r"requests CSV: the header lacks the column\(s\) "
        r"charger_kw",
    ):
        parse_site(to_bytes(tiny), requests_csv=_csv("R2,S2", header="id,space"))


def test_unknown_columns_warn(tiny: dict[str, Any]) -> None:
    site = parse_site(
        to_bytes(tiny), requests_csv=_csv("R2,S2,7,x", header="id,space,charger_kw,remark")
    )
    (w,) = site.warnings
    assert w.code == "CSV_COLUMN_IGNORED"
    assert "remark" in w.message


def test_not_utf8_csv(tiny: dict[str, Any]) -> None:
    data = (HEADER + "\nR2,S2,7,,张三,,,\n").encode("gbk")
    with pytest.raises(
        SiteError,
        match=r"requests CSV: the file is not UTF-8 text.*"
        r"CSV UTF-8",
    ):
        parse_site(to_bytes(tiny), requests_csv=data)


def test_too_many_cells(tiny: dict[str, Any]) -> None:
    with pytest.raises(SiteError, match=r"row 2: the row has 10 cells but the header only 8"):
        parse_site(to_bytes(tiny), requests_csv=_csv("R2,S2,7,,,,,,,"))


def test_blank_rows_are_skipped(tiny: dict[str, Any]) -> None:
    site = parse_site(to_bytes(tiny), requests_csv=_csv("", "R2,S2,7,,,,,", ",,,,,,,"))
    assert [r.id for r in site.requests] == ["R1", "R2"]


def test_lease_months_column(tiny: dict[str, Any]) -> None:
    """The new request field lease_months (R14) reads as a whole number; a fraction or text
    is refused naming the row."""
    header = "id,space,charger_kw,lease_months"
    site = parse_site(to_bytes(tiny), requests_csv=_csv("R2,S2,7,24", header=header))
    assert site.requests[1].lease_months == 24
    with pytest.raises(SiteError, match="lease_months"):
        parse_site(to_bytes(tiny), requests_csv=_csv("R2,S2,7,1.5", header=header))
    with pytest.raises(SiteError, match="lease_months"):
        parse_site(to_bytes(tiny), requests_csv=_csv("R2,S2,7,a year", header=header))


def test_old_files_without_lease_months_still_load(tiny: dict[str, Any]) -> None:
    site = parse_site(to_bytes(tiny), requests_csv=_csv("R2,S2,7,,,,,"))
    assert site.requests[1].lease_months is None
