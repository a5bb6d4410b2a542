"""Helpers for the import/export tests: small CTF and CSV files built in code."""

from __future__ import annotations

import io

from trellis.lib.upn import make_upn


def upn(serial: int, estab: str = "2001") -> str:
    return make_upn("801", estab, 21, serial)


def ctf_pupil(
    upn_: str,
    *,
    surname: str = "Smith",
    forename: str = "Ann",
    dob: str = "2016-03-02",
    sex: str = "F",
    sex_tag: str = "Sex",
    year: str = "4",
    sen: list[tuple[str, str]] | None = None,
    needs: list[str] | None = None,
    extra: str = "",
) -> str:
    parts = [
        f"<Pupil>\n<UPN>{upn_}</UPN>\n<Surname>{surname}</Surname>\n<Forename>{forename}</Forename>\n",
        f"<DOB>{dob}</DOB>\n<{sex_tag}>{sex}</{sex_tag}>\n<BasicDetails>\n<NCyearActual>{year}</NCyearActual>\n",
        f"</BasicDetails>\n{extra}",
    ]
    if sen is not None or needs is not None:
        parts.append("<SENhistory>\n")
        for start, provision in sen or []:
            parts.append(f"<SEN>\n<StartDate>{start}</StartDate>\n<SENprovision>{provision}</SENprovision>\n</SEN>\n")
        if needs:
            parts.append("<SENneeds>\n")
            for rank, code in enumerate(needs, 1):
                parts.append(f"<SENneed>\n<SENtype>{code}</SENtype>\n<SENtypeRank>{rank}</SENtypeRank>\n</SENneed>\n")
            parts.append("</SENneeds>\n")
        parts.append("</SENhistory>\n")
    parts.append("</Pupil>\n")
    return "".join(parts)


def ctf(*pupils: str, qualifier: str = "full") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<CTfile>\n<Header>\n<DocumentName>Common Transfer File</DocumentName>\n'
        f"<CTFversion>25.0</CTFversion>\n<DocumentQualifier>{qualifier}</DocumentQualifier>\n<SourceSchool>\n"
        "<LEA>801</LEA>\n<Estab>2009</Estab>\n<SchoolName>Old School</SchoolName>\n</SourceSchool>\n</Header>\n"
        "<CTFpupilData>\n" + "".join(pupils) + "</CTFpupilData>\n</CTfile>\n"
    ).encode()


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def source(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
