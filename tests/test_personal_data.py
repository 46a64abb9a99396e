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
