"""The letterhead page (/letterhead/): Members' Services and administrators upload a logo
(PNG or JPEG, checked by its bytes), choose where it goes, set the printed details, and
preview a sample letter; every letter made afterwards carries it."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document
from PIL import Image
from pypdf import PdfReader

from correspondence.models import CorrespondenceSettings
from correspondence.services import correspondence_make_letter
from tests.conftest import force_sign_in, host_for, in_council

pytestmark = pytest.mark.django_db


def _image(fmt: str, size: tuple[int, int] = (240, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (29, 112, 184)).save(buffer, format=fmt)
    return buffer.getvalue()


def _client(council, user=None) -> Client:
    client = Client(HTTP_HOST=host_for(council))
    if user is not None:
        force_sign_in(client, council, user)
    return client


def _upload(client: Client, content: bytes, name: str = "logo.png"):
    return client.post(
        "/letterhead/",
        {"action": "logo", "logo": SimpleUploadedFile(name, content, content_type="image/png")},
    )


def _stored(council) -> CorrespondenceSettings | None:
    with in_council(council):
        return CorrespondenceSettings.objects.filter(pk=1).first()


def test_who_sets_the_letterhead(council_a, council_b, people) -> None:
    for user in (people.staff, people.admin):
        assert _client(council_a, user).get("/letterhead/").status_code == 200
    # Councillors use the letterhead but do not set it (as in the API).
    assert _client(council_a, people.owner).get("/letterhead/").status_code == 403
    assert _client(council_a, people.owner).get("/letterhead/sample.pdf").status_code == 403
    anonymous = _client(council_a).get("/letterhead/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    # Council B's staff signed in on B: on A's host their session is nothing.
    b_staff = _client(council_b, people.outsider_staff)
    stolen = Client(HTTP_HOST=host_for(council_a))
    stolen.cookies = b_staff.cookies
    assert stolen.get("/letterhead/logo/").status_code == 302
    # The platform host has no letterhead.
    assert Client(HTTP_HOST=host_for(None)).get("/letterhead/").status_code == 404


@pytest.mark.parametrize("fmt, content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_a_logo_is_kept_shown_and_printed_on_letters(
    council_a, people, scene, fmt, content_type
) -> None:
    client = _client(council_a, people.staff)
    content = _image(fmt)
    response = _upload(client, content, name=f"crest.{fmt.lower()}")
    assert response.status_code == 302
    row = _stored(council_a)
    assert row is not None and row.logo_content_type == content_type
    assert (row.logo_width, row.logo_height) == (240, 80)
    page = client.get("/letterhead/").content.decode()
    assert 'src="/letterhead/logo/?v=' in page and 'width="160" height="53"' in page
    served = client.get("/letterhead/logo/")
    assert served["Content-Type"] == content_type and served.content == content

    # Where it goes is part of the printed details.
    saved = client.post(
        "/letterhead/",
        {"action": "details", "letterhead_name": "Council A", "logo_position": "left"},
    )
    assert saved.status_code == 302 and _stored(council_a).logo_position == "left"  # type: ignore[union-attr]

    # The sample letter, as PDF and .docx, carries the logo; so does a case's letter.
    pdf = client.get("/letterhead/sample.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert _pdf_images(pdf.content) == 1
    assert "[Sample] Alex Constituent" in _pdf_text(pdf.content)
    docx = client.get("/letterhead/sample.docx")
    assert _docx_images(docx.content) == 1
    with in_council(council_a):
        letter = correspondence_make_letter(
            actor=people.owner, key="acknowledgement", case=scene.case, formats=["docx", "pdf"]
        )
    by_type = {f.content_type: f.content for f in letter.files}
    assert _pdf_images(by_type["application/pdf"]) == 1
    assert _docx_images(by_type[next(t for t in by_type if "word" in t)]) == 1
    header = Document(io.BytesIO(by_type[next(t for t in by_type if "word" in t)]))
    assert header.sections[0].header.paragraphs[0].alignment == 0  # left, as chosen

    # Removing it: letters go back to the name and address alone.
    assert client.post("/letterhead/", {"action": "remove_logo"}).status_code == 302
    assert _stored(council_a).logo_content_type == ""  # type: ignore[union-attr]
    assert _pdf_images(client.get("/letterhead/sample.pdf").content) == 0
    assert client.get("/letterhead/logo/").status_code == 404


def _truncated_png() -> bytes:
    return _image("PNG")[:200]


@pytest.mark.parametrize(
    "content, name, message",
    [
        (
            _image("GIF"),
            "logo.gif",
            "The logo must be a PNG or JPEG image; this file is a GIF file.",
        ),
        # The name says PNG; the bytes say text. The bytes decide.
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "logo.png", "not an image we know"),
        (_truncated_png(), "logo.png", "The logo file is damaged or incomplete"),
        (_image("PNG", (4100, 10)), "wide.png", "at most 4000 pixels on its longer side"),
    ],
)
def test_a_bad_logo_is_refused_with_a_clear_error(
    council_a, people, content, name, message
) -> None:
    client = _client(council_a, people.admin)
    response = _upload(client, content, name)
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert message in page
    assert "Error: Letterhead" in page and 'href="#id_logo"' in page  # in the error summary
    assert _stored(council_a) is None or _stored(council_a).logo_content_type == ""  # type: ignore[union-attr]


def test_a_logo_over_the_size_limit_is_refused(council_a, people, settings) -> None:
    settings.CORRESPONDENCE_LOGO_MAX_BYTES = 2048
    big = _image("PNG", (900, 900))
    big = big + b"\0" * max(0, 3000 - len(big))
    response = _upload(_client(council_a, people.staff), big)
    assert response.status_code == 400
    assert "the largest we accept is 2 KB" in response.content.decode()
    assert _stored(council_a) is None or not _stored(council_a).logo_content_type  # type: ignore[union-attr]
    # No file at all is an error too, named on the field.
    empty = _client(council_a, people.staff).post("/letterhead/", {"action": "logo"})
    assert (
        empty.status_code == 400
        and "Choose a PNG or JPEG file for the logo" in empty.content.decode()
    )


def test_details_are_checked_and_saved(council_a, people) -> None:
    client = _client(council_a, people.staff)
    bad = client.post(
        "/letterhead/",
        {"action": "details", "email": "not-an-email", "logo_position": "right"},
    )
    assert bad.status_code == 400 and 'href="#id_email"' in bad.content.decode()
    good = client.post(
        "/letterhead/",
        {
            "action": "details",
            "letterhead_name": "Members' Services",
            "address": "Town House\nKirkcaldy",
            "phone": "01592 583 000",
            "email": "members@a.gov.uk",
            "footer": "We keep your details as our privacy notice says.",
            "logo_position": "centre",
        },
    )
    assert good.status_code == 302
    page = client.get("/letterhead/").content.decode()
    assert "Members&#x27; Services" in page and "Tel: 01592 583 000" in page
    assert "top centre" in page
    assert "Town House" in _pdf_text(client.get("/letterhead/sample.pdf").content)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _pdf_images(content: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(content)).pages)


def _docx_images(content: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sum(1 for name in archive.namelist() if name.startswith("word/media/"))
