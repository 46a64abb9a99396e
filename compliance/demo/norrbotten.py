"""Region Norrbotten's demo: Division Närsjukvård's hälsocentraler (Luleå, Boden, Piteå, Kalix,
Haparanda, Kiruna, Gällivare, the inland), Division Länssjukvård (Sunderbyn, Piteå, Kalix, Kiruna and
Gällivare), and the vårdval's private hälsocentraler. Decision 678-2021 (seed 003): a basutbud of five
e-services on 1177 for every mottagning, Digitalen and digitala vårdbesök. Journal and booking system:
VAS (the units import's booking system `annat`); the private hälsocentraler book in PMO.
"""

from __future__ import annotations

from .base import ExemptionPlan, RegionSpec, UnitShape

PRIVATE = "Vårdval primärvård (privata vårdgivare)"
AREAS = {
    "Division Närsjukvård": [
        "Hälsocentraler Luleå och Boden",
        "Hälsocentraler Piteå älvdal",
        "Hälsocentraler Östra Norrbotten",
        "Hälsocentraler Malmfälten",
        "Hälsocentraler Inlandet",
    ],
    "Division Länssjukvård": [
        "Länsmedicinskt centrum",
        "Länskirurgiskt centrum",
        "Kvinnosjukvård och barn",
        "Psykiatri Norrbotten",
        "Diagnostik Norrbotten",
    ],
    PRIVATE: ["Privata hälsocentraler Norrbotten"],
}
HOSPITALS = ["Sunderbyn", "Piteå", "Kalix", "Kiruna", "Gällivare"]
AREA_PLACES = {
    "Hälsocentraler Luleå och Boden": [
        "Hertsön",
        "Bergnäset",
        "Gammelstad",
        "Örnäset",
        "Mjölkudden",
        "Råneå",
        "Heden",
        "Sävast",
        "Boden Centrum",
        "Harads",
        "Björkskatan",
    ],  # fmt: skip
    "Hälsocentraler Piteå älvdal": ["Öjebyn", "Norrfjärden", "Hortlax", "Piteå Centrum", "Älvsbyn"],
    "Hälsocentraler Östra Norrbotten": ["Kalix", "Haparanda", "Överkalix", "Övertorneå", "Pajala"],
    "Hälsocentraler Malmfälten": ["Kiruna", "Malmberget", "Gällivare", "Vittangi", "Karesuando"],
    "Hälsocentraler Inlandet": ["Arvidsjaur", "Arjeplog", "Jokkmokk", "Porjus"],
    "Länsmedicinskt centrum": HOSPITALS,
    "Länskirurgiskt centrum": HOSPITALS,
    "Kvinnosjukvård och barn": ["Sunderbyn", "Piteå", "Kalix", "Gällivare"],
    "Psykiatri Norrbotten": ["Luleå", "Piteå", "Boden", "Kalix", "Kiruna", "Gällivare"],
    "Diagnostik Norrbotten": HOSPITALS,
    "Privata hälsocentraler Norrbotten": ["Luleå Centrum", "Boden", "Piteå", "Kiruna", "Kallax"],
}
PROVIDERS = {PRIVATE: ["Praktikertjänst AB", "Capio Vårdcentral AB", "Norrlandsläkarna AB"]}
CLINICS = {
    "Länsmedicinskt centrum": ["Medicinmottagningen", "Hjärtmottagningen", "Diabetesmottagningen",
                               "Lungmottagningen", "Hudmottagningen"],
    "Länskirurgiskt centrum": ["Kirurgmottagningen", "Ortopedmottagningen", "Ögonmottagningen",
                               "Öron-näsa-halsmottagningen", "Urologmottagningen"],
    "Kvinnosjukvård och barn": ["Kvinnokliniken", "Barn- och ungdomsmottagningen", "Barnmorskemottagningen"],
}  # fmt: skip


def unit_for(rng, fvg: str, area: str, place: str, provider: str) -> UnitShape:
    if fvg == PRIVATE:
        return UnitShape(f"{provider.split()[0]} Hälsocentral {place}", "mottagning", "PMO", True)
    if area.startswith("Hälsocentraler"):
        return UnitShape(f"Hälsocentralen {place}", "mottagning", "annat", True)
    if area == "Diagnostik Norrbotten":
        name = rng.choice(["Röntgen", "Laboratoriemedicin", "Klinisk fysiologi"])
        return UnitShape(f"{name} {place}", "annan", rng.choice(["ingen", "annat"]), unit_kind="TUE")
    if area == "Psykiatri Norrbotten":
        if rng.random() < 0.25:
            return UnitShape(f"Psykiatrisk avdelning {place}", "avdelning", "ingen")
        return UnitShape(f"Psykiatriska öppenvårdsmottagningen {place}", "mottagning", "annat")
    if rng.random() < 0.25:
        ward = rng.choice(["medicin", "kirurgi", "ortopedi", "geriatrik"])
        return UnitShape(
            f"Avdelning {rng.randint(1, 60)} {ward} {place}", "avdelning", rng.choice(["ingen", "annat"])
        )
    return UnitShape(f"{rng.choice(CLINICS[area])} {place}", "mottagning", "annat")


SPEC = RegionSpec(
    code="norrbotten",
    org="2321000230",
    areas=AREAS,
    area_places=AREA_PLACES,
    providers=PROVIDERS,
    unit_maker=unit_for,
    manager_area="Hälsocentraler Luleå och Boden",
    manager_area_units=7,
    case_services=["KONTAKTA-MIG", "KONTAKTA-MIG", "FORNYA-RECEPT", "RADGIVNING", "AV-OMBOKA", "BESTALL-TID"],
    # Norrbotten's decision has no booking requirement: no row in the booking systems' table.
    capabilities=[],
    exemptions=[
        ExemptionPlan(
            "BU-ETJANSTER",
            "patientsakerhet",
            "Av/omboka tid erbjuds inte: behandlingstiderna planeras tillsammans med patienten.",
            3,
            lambda unit: unit.unit_type == "mottagning",
        ),
        ExemptionPlan(
            "BU-OVRIGA",
            "teknisk",
            "Digitala vårdbesök: utrustning för videomöten saknas på mottagningen, införs under året.",
            3,
            lambda unit: unit.unit_type == "mottagning",
        ),
    ],
    local_services=["Egen chatt med hälsocentralen", "Lokalt formulär inför besök"],
)
