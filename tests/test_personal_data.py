import pytest

from compliance.personal_data import looks_like_personnummer


@pytest.mark.parametrize(
    "text",
    [
        "19121212-1212",
        "121212-1212",
        "191212121212",
        "1212121212",
        "121212+1212",
        "20000229-1234",
        "850709-9805",
        "ärende för 19850709-9805",
        "121272-1212",
        "121291-1212",
        "990101-0000",
    ],
)
def test_it_recognises_personal_identity_numbers(text):
    assert looks_like_personnummer(text)


@pytest.mark.parametrize(
    "text",
    [
        "2026-06-19T15:00:00+02:00",
        "ARENDE-2026-000123",
        "121312-1212",
        "121200-1212",
        "121232-1212",
        "121260-1212",
        "121292-1212",
        "12121212121212",
        "SE2321000255-A1B2",
        "KONTAKT",
        "",
        "12345",
    ],
)
def test_it_lets_other_values_through(text):
    assert not looks_like_personnummer(text)


@pytest.mark.parametrize(
    "text",
    [
        "19121212 1212",
        "121212 1212",
        "19121212–1212",  # en dash
        "19121212—1212",  # em dash
        "19121212−1212",  # minus sign
        "19121212‑1212",  # non-breaking hyphen
        "121212_1212",
        "19121212\u00a01212",  # no-break space
        "１２１２１２-１２１２",  # full-width digits
        "１９１２１２１２－１２１２",  # full-width digits and hyphen-minus
        "１２１２１２＋１２１２",
        "١٢١٢١٢-١٢١٢",  # Arabic-Indic digits
        "१२१२१२-१२१२",  # Devanagari digits
        "ärende ١٢١٢١٢ ١٢١٢",
    ],
)
def test_it_recognises_personal_identity_numbers_written_with_look_alikes(text):
    assert looks_like_personnummer(text)


@pytest.mark.parametrize(
    "text",
    [
        "121212\x1f1212",  # two cells of a row joined by the cases importer: no match across them
        "121212  1212",  # two separators
        "2026-06-19 15:00",
        "Vårdcentralen Höör 2026",
        "１２１３１２-１２１２",  # month 13, in full-width digits
    ],
)
def test_look_alikes_do_not_make_other_values_match(text):
    assert not looks_like_personnummer(text)
