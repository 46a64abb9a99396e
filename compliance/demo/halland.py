"""Region Halland's demo: Närsjukvården's vårdcentraler in Kungsbacka, Varberg, Falkenberg, Halmstad,
Laholm and Hylte, Hallands sjukhus in Halmstad, Varberg and Kungsbacka, Psykiatri Halland, Folktandvården
and the vårdval's private vårdcentraler. Decision RS220477 (seed 002): a grundutbud of 17 e-services,
Journalen, NPÖ, distanskontakt and web booking; its exception ("Boka tid direkt" cannot be offered, so
"beställa tid" is used) is an exemption on WT-BOKA. Journal and booking system: VAS (the units import's
booking system `annat`); the private vårdcentraler book in PMO.
"""

from __future__ import annotations

from .base import ExemptionPlan, RegionSpec, UnitShape

AREAS = {
    "Närsjukvården Halland": [
        "Vårdcentralerna Halland Söder",
        "Vårdcentralerna Halland Mitt",
        "Vårdcentralerna Halland Norr",
        "Barn- och ungdomshälsa Närsjukvården",
    ],
    "Hallands sjukhus": [
        "Område medicin",
        "Område kirurgi",
        "Område kvinna och barn",
        "Område ortopedi och rehabilitering",
        "Område diagnostik",
    ],
    "Psykiatri Halland": ["Vuxenpsykiatri Halland", "Barn- och ungdomspsykiatri Halland"],
    "Folktandvården Halland": ["Folktandvården Halland"],
    "Vårdval Halland (privata vårdgivare)": ["Vårdval Halland Söder", "Vårdval Halland Norr"],
}
HOSPITALS = ["Halmstad", "Varberg", "Kungsbacka"]
AREA_PLACES = {
    "Vårdcentralerna Halland Söder": [
        "Andersberg",
        "Halmstad Centrum",
        "Getinge",
        "Oskarström",
        "Laholm",
        "Hyltebruk",
        "Harplinge",
        "Söndrum",
        "Fyllinge",
        "Sannarp",
        "Frennarp",
        "Knäred",
    ],  # fmt: skip
    "Vårdcentralerna Halland Mitt": [
        "Varberg Centrum",
        "Falkenberg",
        "Tvååker",
        "Veddige",
        "Ullared",
        "Vessigebro",
        "Träslövsläge",
        "Skrea",
    ],  # fmt: skip
    "Vårdcentralerna Halland Norr": [
        "Kungsbacka",
        "Onsala",
        "Åsa",
        "Frillesås",
        "Kullavik",
        "Fjärås",
        "Särö",
    ],
    "Barn- och ungdomshälsa Närsjukvården": ["Halmstad", "Varberg", "Falkenberg", "Kungsbacka", "Laholm"],
    "Område medicin": HOSPITALS,
    "Område kirurgi": HOSPITALS,
    "Område kvinna och barn": HOSPITALS,
    "Område ortopedi och rehabilitering": HOSPITALS,
    "Område diagnostik": HOSPITALS,
    "Vuxenpsykiatri Halland": ["Halmstad", "Varberg", "Falkenberg", "Kungsbacka"],
    "Barn- och ungdomspsykiatri Halland": ["Halmstad", "Varberg", "Kungsbacka"],
    "Folktandvården Halland": [
        "Halmstad Centrum",
        "Andersberg",
        "Varberg",
        "Falkenberg",
        "Kungsbacka",
        "Laholm",
        "Hyltebruk",
        "Onsala",
    ],  # fmt: skip
    "Vårdval Halland Söder": ["Halmstad Centrum", "Halmstad Väster", "Laholm", "Falkenberg", "Tylösand"],
    "Vårdval Halland Norr": ["Varberg", "Kungsbacka", "Onsala", "Kullavik", "Åsa"],
}
PRIVATE = "Vårdval Halland (privata vårdgivare)"
PROVIDERS = {
    PRIVATE: ["Capio Vårdcentral AB", "Praktikertjänst AB", "Achima Care AB", "Läkarhuset Halland AB"]
}
SPECIALTIES = {
    "Område medicin": ["Hjärtmottagningen", "Diabetesmottagningen", "Lungmottagningen", "Njurmottagningen",
                       "Medicinmottagningen", "Strokemottagningen"],
    "Område kirurgi": ["Kirurgmottagningen", "Urologmottagningen", "Ögonmottagningen",
                       "Öron-näsa-halsmottagningen", "Onkologimottagningen"],
    "Område kvinna och barn": ["Kvinnokliniken", "Barn- och ungdomsmottagningen", "Barnmorskemottagningen"],
    "Område ortopedi och rehabilitering": ["Ortopedmottagningen", "Rehabiliteringsmottagningen",
                                           "Handkirurgiska mottagningen"],
}  # fmt: skip


def unit_for(rng, fvg: str, area: str, place: str, provider: str) -> UnitShape:
    if fvg == PRIVATE:
        # The vårdval's vårdcentraler: PMO, a base offering with Vårdval (the citizen's choice).
        return UnitShape(
            f"{provider.split()[0]} Vårdcentral {place}", "mottagning", "PMO", True, profile="mottagning"
        )
    if area.startswith("Vårdcentralerna"):
        return UnitShape(f"Vårdcentralen {place}", "mottagning", "annat", True, profile="mottagning")
    if area.startswith("Barn- och ungdomshälsa"):
        return UnitShape(f"BVC {place}", "mottagning", "annat", profile="specialistmottagning")
    if fvg == "Folktandvården Halland":
        return UnitShape(f"Folktandvården {place}", "mottagning", "annat", profile="specialistmottagning")
    if fvg == "Psykiatri Halland":
        # Behandling via nätet (KBT) is asked "där så är tillämpligt": psychiatry's mottagningar.
        if rng.random() < 0.2:
            return UnitShape(f"Psykiatrisk avdelning {place}", "avdelning", "ingen", profile="avdelning")
        kind = "BUP" if area.startswith("Barn") else "Psykiatrisk öppenvårdsmottagning"
        return UnitShape(f"{kind} {place}", "mottagning", "annat", profile="mottagning-behandling")
    if area == "Område diagnostik":
        name = rng.choice(["Röntgen", "Klinisk fysiologi", "Provtagningen"])
        return UnitShape(
            f"{name} {place}", "annan", rng.choice(["ingen", "annat"]), profile="annan", unit_kind="TUE"
        )
    if rng.random() < 0.25:
        ward = rng.choice(["medicin", "kirurgi", "ortopedi", "geriatrik", "infektion"])
        return UnitShape(f"Avdelning {rng.randint(1, 60)} {ward} {place}", "avdelning",
                         rng.choice(["ingen", "annat"]), profile="avdelning")  # fmt: skip
    return UnitShape(
        f"{rng.choice(SPECIALTIES[area])} {place}", "mottagning", "annat", profile="specialistmottagning"
    )


def _books(unit) -> bool:
    return unit.booking_system != "ingen"


SPEC = RegionSpec(
    code="halland",
    org="2321000115",
    areas=AREAS,
    area_places=AREA_PLACES,
    providers=PROVIDERS,
    unit_maker=unit_for,
    manager_area="Vårdcentralerna Halland Söder",
    manager_area_units=7,
    case_services=[
        "KONTAKTA-MIG",
        "KONTAKTA-MIG",
        "FORNYA-RECEPT",
        "RADGIVNING",
        "AV-OMBOKA",
        "BOKA-BESTALL-TID",
        "INTYG",
    ],  # fmt: skip
    # What each booking system supports of the webbtidbok's requirements (Koncernstab's table).
    capabilities=[
        ("annat", "WT-SE-ALLA", True, "VAS: alla bokade tider visas i 1177:s webbtidbok."),
        ("annat", "WT-OMBOKA-ALLA", True, "VAS: direktkoppling mot journalsystemet, alla yrkeskategorier."),
        ("annat", "WT-AVBOKA-ALLA", True, "VAS: direktkoppling mot journalsystemet, alla yrkeskategorier."),
        ("annat", "WT-BOKA", True, "VAS: tider kan bokas direkt eller via öppen kallelse."),
        ("PMO", "WT-SE-ALLA", True, "Bokade tider visas i 1177:s webbtidbok."),
        ("PMO", "WT-OMBOKA-ALLA", True, "Ombokning går även till samma dag."),
        ("PMO", "WT-BOKA", False, "PMO stödjer ännu inte öppen kallelse; direktbokning finns."),
    ],
    # The decision's own exception: "Boka tid direkt" cannot be offered for technical or medical reasons,
    # "beställa tid" is used instead, approved by Region Halland and time-limited.
    exemptions=[
        ExemptionPlan(
            "WT-BOKA",
            "teknisk",
            "Boka tid direkt kan inte erbjudas av tekniska skäl; e-tjänsten Beställa tid används.",
            3,
            _books,
        ),
        ExemptionPlan(
            "WT-BOKA",
            "patientsakerhet",
            "Tid bokas efter medicinsk bedömning; e-tjänsten Beställa tid används i stället.",
            2,
            _books,
        ),
        ExemptionPlan(
            "WT-OMBOKA-ALLA",
            "patientsakerhet",
            "Behandlingstider planeras med patienten och kan inte ombokas på nätet.",
            1,
            lambda unit: _books(unit) and unit.unit_type == "mottagning",
        ),
    ],
    local_services=["Egen tidbokslösning", "Egen chatt med mottagningen", "Lokalt hälsoformulär"],
)
