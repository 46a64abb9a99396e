"""The content of decision 2026-0000277 and the starter catalogue (spec/CATALOGUE.md), as data.

Loaded by migration 0002 on `migrate` as it stood then; migration 0009 gave each requirement its kind and
parameters (docs/rules.md). Kept as it was: the migration history reads it.
"""

DECISION = {
    "number": "2026-0000277",
    "title": "Gemensam servicenivå av digitala tjänster inom hälso- och sjukvården för invånare",
    "version": "2.0",
    "in_force_from": "2026-05-11",
}

# (code, group, level, name, section, is_trend, parameters)
REQUIREMENTS = [
    ("TB1-VISA", "TB", 1, "Visa bokade tider", "2.1.1", False, {}),
    ("TB1-AVBOKA", "TB", 1, "Avboka tid", "2.1.1", False, {}),
    ("TB2-OMBOKA", "TB", 2, "Omboka tid", "2.1.1", False, {}),
    ("TB2-OMBOKA-ANDEL", "TB", 2, "Andelen ombokningsbara tider ökar", "2.1.1", True, {}),
    (
        "TB2-FRAMFORHALLNING",
        "TB",
        2,
        "Tider med åtta veckors framförhållning",
        "2.1.1",
        False,
        {"weeks": 8},
    ),
    ("TB3-OPPEN-KALLELSE", "TB", 3, "Boka tid – initierad av vården (öppen kallelse)", "2.1.1", False, {}),
    ("TB3-OPPEN-KALLELSE-ANDEL", "TB", 3, "Andelen tider via öppen kallelse ökar", "2.1.1", True, {}),
    ("TB3-INVANARBOKNING", "TB", 3, "Boka tid – initierad av invånaren", "2.1.1", False, {}),
    (
        "TB3-INVANARBOKNING-ANDEL",
        "TB",
        3,
        "Andelen tider som invånaren själv kan boka ökar",
        "2.1.1",
        True,
        {},
    ),
    ("AH0-DIGITAL-KONTAKT", "AH", None, "Digital kontakt med enheten", "2.2, FAQ basutbud", False, {}),
    (
        "AH1-REGIONALA-TJANSTER",
        "AH",
        None,
        "Regionala ärendehanteringstjänster, alltid öppna",
        "2.2 mål 1",
        False,
        {},
    ),
    ("AH2-REGIONALA-MALLAR", "AH", None, "Regionala mallar för vårdinitierat ärende", "2.2 mål 2", False, {}),
    ("AH3-BASUTBUD", "AH", None, "Basutbud", "2.2, FAQ basutbud", False, {}),
    (
        "SV1-SVARSTID",
        "SV",
        None,
        "Svar inom 2 vardagar (24 timmar på vardagar för enheter med vårdgarantins kontakt samma dag)",
        "2.3",
        False,
        {"threshold": 0.95},
    ),
    (
        "AR1-LOKAL-ADMIN",
        "AR",
        None,
        "Lokal administratör endast med övergripande uppdrag",
        "2.4 mål 1",
        False,
        {},
    ),
    ("AR2-BEHORIGHETSADMIN", "AR", None, "En till två behörighetsadministratörer", "2.4 mål 2", False, {}),
]

# (code, name, digital_contact)
SERVICES = [
    ("KONTAKT", "Kontakta mottagningen", True),
    ("KONTAKTA-MIG", "Kontakta mig", True),
    ("FORNYA-RECEPT", "Förnya recept", False),
    ("AV-OMBOKA", "Av- och omboka tid", False),
    ("BESTALL-TID", "Beställa tid", False),
    ("RADGIVNING", "Rådgivning", False),
    ("EGEN-VARDBEGARAN", "Egen vårdbegäran", False),
    ("PROVSVAR", "Svar på röntgen och provtagning", False),
    ("FORNYA-HJALPMEDEL", "Förnya hjälpmedel", False),
    ("INTYG", "Begära intyg", False),
    ("JOURNALKOPIA", "Beställa journalkopior", False),
    ("RESEVACCINATION", "Vaccination inför utlandsresa – hälsodeklaration", False),
    ("SYNPUNKTER", "Synpunkter och klagomål", False),
    ("TOLK", "Boka, av- och omboka tid med tolk", False),
    ("EGENREMISS", "Egenremiss", False),
    ("REMISSTATUS", "Har min remiss kommit fram?", False),
    ("LEVNADSVANOR", "Råd och stöd om levnadsvanor", False),
    ("FORMULAR", "Formulär före, under eller efter vård", False),
    ("FORBRUKNINGSARTIKLAR", "Beställa förbrukningsartiklar", False),
    ("HALSODEKLARATION", "Hälsodeklaration inför vårdkontakt", False),
]

TEMPLATES = [
    ("MALL-MEDDELANDE", "Meddelande från vården"),
    ("MALL-FORMULAR", "Formulär från vården"),
    ("MALL-INFOR-BESOK", "Information inför besök"),
    ("MALL-UPPFOLJNING", "Uppföljning efter vård"),
]

PROFILES = {
    "mottagning": ["FORNYA-RECEPT", "AV-OMBOKA", "BESTALL-TID", "RADGIVNING"],
    "avdelning": [],
    "annan": [],
}
