"""The paper ticket at 58 and 80 mm: decoded back from its bytes and compared, letter by letter."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from kiosk.emulator.decoder import decode
from kiosk.printing.layout import TicketLabels, TicketPrint, code_size, columns, render_ticket
from kiosk.printing.tickets import ticket_labels, ticket_print
from server.domain.errors import ValidationError

TURKISH = "Şişli İğne Işık: çay, öğle, üzüm, ĞÜŞİÖÇ ğüşıöç"
ISTANBUL = ZoneInfo("Europe/Istanbul")


def ticket(**changes) -> TicketPrint:
    fields = {
        "store_name": "Sıra Mağaza",
        "code": "B042",
        "service_name": "İade ve değişim",
        "people_ahead": 3,
        "eta_minutes": [9, 9],
        "issued_at": datetime(2026, 3, 14, 9, 5, tzinfo=ISTANBUL),
        "url": "https://sira.example/t/abc123",
        "footer": "Teşekkür ederiz! Güle güle.",
        "labels": ticket_labels("tr"),
    } | changes
    return TicketPrint(**fields)


@pytest.mark.parametrize(
    ("profile", "width"), [(None, 80), (None, 58), ("POS-5890", 58), ("TM-T20II", 80)]
)
def test_turkish_ticket_decodes_back_to_the_same_text(profile, width):
    printed = decode(render_ticket(ticket(footer=TURKISH), profile, width), profile)
    assert len(printed) == 1
    lines = printed[0].lines()
    text = "\n".join(lines)
    assert "Sıra Mağaza" in lines
    assert "İade ve değişim" in lines
    assert "14.03.2026 09:05" in lines
    assert "Önünüzdeki kişi: 3" in lines
    assert "Tahmini bekleme: 9 dk" in lines
    assert " ".join(text.split()).count(TURKISH) == 1  # wrapped, but every letter intact
    assert all(len(line) <= columns(width) for line in lines if line != "B042")
    assert printed[0].code == "B042"
    assert printed[0].qr_codes() == ["https://sira.example/t/abc123"] or profile == "POS-5890"


def test_turkish_letters_select_code_page_857_with_esc_t():
    data = render_ticket(ticket(store_name="Şişli", footer=""), None, 80)
    # The default profile has CP857 in slot 13: ESC t 13, then Ş=0x9E i ş=0x9F l i.
    assert b"\x1bt\x0d\x9ei\x9fli\n" in data
    assert decode(data)[0].lines()[0] == "Şişli"
    # A POS-5890 numbers its pages differently: magic encoding takes the lowest slot holding
    # the letter, CP852 in slot 54 (Ş=0xB8, ş=0xAD), and the decoder reads it back the same.
    small = render_ticket(ticket(store_name="Şişli"), "POS-5890", 58)
    assert b"\x1bt\x36\xb8i\xadli\n" in small
    assert decode(small, "POS-5890")[0].lines()[0] == "Şişli"


def test_malay_ticket_prints_in_plain_ascii():
    malay = ticket(
        service_name="Pemulangan dan pertukaran",
        labels=ticket_labels("ms"),
        footer="Terima kasih kerana menunggu.",
        store_name="Kedai Sıra",
    )
    printed = decode(render_ticket(malay, None, 58))[0]
    lines = printed.lines()
    assert "Pemulangan dan pertukaran" in lines
    assert "Orang di hadapan: 3" in lines
    assert "Anggaran menunggu: 9 min" in lines
    assert "Terima kasih kerana menunggu." in lines
    assert "Kedai Sıra" in lines


def test_a_profile_without_turkish_pages_prints_base_letters_not_question_marks():
    # ZJ-5870 has no CP857: ı is found in CP850, but ğ Ğ İ in none of its pages.
    printed = decode(render_ticket(ticket(footer="ğĞİı"), "ZJ-5870", 58), "ZJ-5870")[0]
    assert "gGIı" in printed.lines()
    assert "?" not in "\n".join(printed.lines())


@pytest.mark.parametrize(("width", "dots"), [(58, 384), (80, 576)])
def test_code_is_printed_in_the_largest_size_that_fits(width, dots):
    printed = decode(render_ticket(ticket(), None, width))[0]
    big = next(block for block in printed.blocks if block.text == "B042")
    assert big.style.width == big.style.height == code_size("B042", width) == 8
    assert big.style.width * 12 * len("B042") <= dots
    long_code = decode(render_ticket(ticket(code="ABC1234"), None, width))[0]
    size = next(b for b in long_code.blocks if b.text == "ABC1234").style.width
    assert size * 12 * 7 <= dots < (size + 1) * 12 * 7


def test_qr_is_native_where_the_profile_can_and_an_image_elsewhere():
    native = render_ticket(ticket(), "TM-T20II", 80)
    assert b"\x1d(k" in native and b"\x1dv0" not in native
    image = render_ticket(ticket(), "POS-5890", 58)
    assert b"\x1d(k" not in image and b"\x1dv0" in image
    picture = next(b for b in decode(image, "POS-5890")[0].blocks if b.kind == "image")
    assert picture.image_size[0] <= 384


def test_logo_footer_reprint_mark_and_cut(tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("L", (800, 200), 0).save(logo)
    data = render_ticket(ticket(logo_path=str(logo), reprint=True), None, 58)
    printed = decode(data)[0]
    first = printed.blocks[0]
    assert first.kind == "image" and first.image_size == (384, 96)  # scaled to the paper
    assert "(Yeniden basım)" in printed.lines()
    assert printed.lines()[-3:] != [] and "Güle güle." in " ".join(printed.lines())
    assert data.endswith(b"\x1dV\x00")  # full cut
    assert data.startswith(b"\x1b@")  # a clean printer state first


def test_an_unreadable_logo_is_left_out_and_an_unknown_profile_refused(tmp_path):
    broken = tmp_path / "logo.png"
    broken.write_bytes(b"not a picture")
    for path in (str(broken), str(tmp_path / "missing.png")):
        printed = decode(render_ticket(ticket(logo_path=path), None, 80))[0]
        assert printed.blocks[0].kind == "text" and printed.code == "B042"
    with pytest.raises(ValidationError) as refused:
        render_ticket(ticket(), "TM-NOPE", 80)
    assert refused.value.field == "printer_profile"


def test_next_in_line_says_so_instead_of_a_wait():
    printed = decode(render_ticket(ticket(people_ahead=0, eta_minutes=[0, 0]), None, 80))[0]
    assert "Tahmini bekleme: Sıradaki sizsiniz" in printed.lines()


def test_english_labels_are_the_default():
    assert ticket_labels("en") == TicketLabels()


def test_the_qr_code_is_large_and_says_to_keep_the_page_open():
    """12 dots a module on 80 mm paper (about 45 mm), 8 as an image on 58 mm (was 6 and 4)."""
    native = render_ticket(ticket(), "TM-T20II", 80)
    assert b"\x1d(k\x03\x001C\x0c" in native  # GS ( k fn 67: module size 12 dots
    image = decode(render_ticket(ticket(), "POS-5890", 58), "POS-5890")[0]
    picture = next(b for b in image.blocks if b.kind == "image")
    assert 200 <= picture.image_size[0] <= 384  # 8 dots a mm: 27 mm for this short address
    printed = decode(render_ticket(ticket(labels=ticket_labels("ms")), None, 80))[0]
    assert "Imbas dan biarkan halaman terbuka untuk mengikuti giliran anda" in " ".join(
        printed.lines()
    )


@pytest.mark.parametrize(
    ("language", "need", "said"),
    [
        ("tr", "elderly", "Öncelik: Yaşlı"),
        ("ms", "pregnancy", "Keutamaan: Hamil"),
        ("en", None, ""),
    ],
)
def test_the_stated_need_is_on_the_paper(language, need, said):
    printed = ticket_print(
        {
            "store_name": "Sıra",
            "timezone": "Europe/Istanbul",
            "code": "A001",
            "service_name": "Ödemeler",
            "language": language,
            "priority": need,
            "people_ahead": 0,
            "eta_s": 0,
            "created_at": "2026-03-14T06:05:00+00:00",
            "url": "https://sira.example/t/abc",
            "footer": "",
            "logo_path": None,
        }
    )
    assert printed.priority == said
    lines = decode(render_ticket(printed, None, 80))[0].lines()
    if need:
        assert said in lines
    else:
        assert not [line for line in lines if line.startswith("Priority")]


def test_an_unsure_wait_prints_as_a_range():
    printed = decode(render_ticket(ticket(people_ahead=7, eta_minutes=[15, 20]), None, 80))[0]
    assert "Tahmini bekleme: 15–20 dk" in printed.lines()


def test_with_no_counter_open_the_ticket_says_so_instead_of_a_wait():
    printed = decode(render_ticket(ticket(people_ahead=3, eta_minutes=None), None, 80))[0]
    assert "Tahmini bekleme: Bir gişenin açılması bekleniyor" in printed.lines()
