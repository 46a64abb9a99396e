"""python manage.py seed_demo [--region skane|halland|norrbotten] [--units N] [--cases N] [--seed S]
[--if-empty]

Writes a demo region as CSV files and imports them through the ordinary importers, then computes today's
results. `--region` (default skane) picks whose: Skåne's demo is compliance/demo_region.py; for Halland
and Norrbotten it first loads the region's shipped rulebook file, and the demo (compliance/demo/) takes
its offerings from that version's catalogue and profiles. A database that already has another region's
units is refused (exit 2): one portal follows one region.
In development (DJANGO_DEBUG on) it also creates one demo user per role and prints the logins.
The demo users are in the group "Demo (endast utveckling)": servicelevel.auth refuses them whenever
DJANGO_DEBUG is off, so the published password never opens a production portal.
"""

import datetime as dt
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from compliance.demo import SPECS, demo_for
from compliance.demo_region import CAPABILITIES, MANAGER_AREA, DemoRegion
from compliance.services import recompute
from exemptions.models import SystemCapability
from servicelevel import region as deployment
from servicelevel.auth import demo_group
from servicelevel.importing import registry
from servicelevel.importing.run import ImportRejected, run_import
from servicelevel.models import Decision, Requirement
from servicelevel.rulebook_file import RulebookRefused
from servicelevel.rulebooks import load_shipped
from servicelevel.writes import no_unit, save_fact
from units.models import CareUnit, Offering, Provider
from units.permissions import Roles, ensure_groups, grant_provider, grant_units

REGIONS = ["skane", *SPECS]
REGION_NAMES = {"skane": "Region Skåne", "halland": "Region Halland", "norrbotten": "Region Norrbotten"}
ORDER = ["units", "periods", "offerings", "booking", "admin_roles", "targets", "exemptions", "cases"]
DEMO_PASSWORD = "demo-2026"
DEMO_USERS = [
    # username, role, staff (may use the admin: Koncernstab's tool for the catalogue), full name
    ("koncernstab", Roles.KONCERNSTAB, True, "Karin Koncernstab"),
    ("styrning", Roles.HS_STYRNING, False, "Sven Styrning"),
    ("ledning", Roles.LEDNING, False, "Lena Ledning"),
    ("enhetschef", Roles.VERKSAMHETSCHEF, False, "Erik Enhetschef"),
    ("vardgivare", Roles.VARDGIVARE, False, "Vera Vårdgivare"),
]


class Command(BaseCommand):
    help = "Skapa en demoregion (Skåne, Halland eller Norrbotten) genom de vanliga importerna."

    def add_arguments(self, parser):
        parser.add_argument(
            "--region", choices=REGIONS, default="skane", help="Regionen vars beslut demon följer."
        )
        parser.add_argument("--units", type=int, default=120)
        parser.add_argument("--cases", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty", action="store_true", help="Gör ingenting om det redan finns enheter."
        )
        parser.add_argument("--today", help="Dagens datum för demon (ÅÅÅÅ-MM-DD), standard i dag.")

    def handle(self, *args, region, units, cases, seed, if_empty, today, **options):
        if if_empty and CareUnit.objects.exists():
            self.stdout.write("seed_demo: databasen har redan enheter; inget ändrat.")
            self._print_logins()
            return
        self._refuse_another_region(region)
        day = dt.date.fromisoformat(today) if today else timezone.localdate()
        started = time.monotonic()
        if region == "skane":  # exactly the demo it has always been: its results are pinned
            demo = DemoRegion(units=units, cases=cases, seed=seed, today=day)
            capabilities, manager_area = CAPABILITIES, MANAGER_AREA
        else:
            decision = self._load_rulebook(region, day)
            # The units import's `profile` column and offerings of kind `kanal` are new: the demo fills
            # them only once the importers take them (before, units are judged by their type, and the
            # channel requirements find no channel).
            demo = demo_for(
                decision,
                profile_column=any(c.name == "profile" for c in registry.get("units").columns),
                channels=hasattr(Offering.Kind, "KANAL"),
                units=units,
                cases=cases,
                seed=seed,
                today=day,
            )
            capabilities, manager_area = SPECS[region].capabilities, SPECS[region].manager_area
        with tempfile.TemporaryDirectory(prefix="demo-region-") as folder:
            paths = demo.write_all(Path(folder))
            for kind in ORDER:
                try:
                    report = run_import(kind, paths[kind])
                except ImportRejected as rejected:
                    raise CommandError("\n".join(rejected.lines()[:20])) from None
                self.stdout.write(f"  {report.summary()}")
        self._capabilities(capabilities, day)
        # History, as the nightly run would have stored it: the end of each month the demo's cases cover,
        # so the dashboard's months and trends have points; then today. (Facts such as offerings are
        # today's: the demo has no older ones, so they hold from the beginning.)
        for month_end in demo.month_ends():
            recompute(as_of=month_end)
        recompute(as_of=day)  # the demo's --today is its own today, even when it has passed
        self.stdout.write(
            f"seed_demo: {units} enheter och {cases} ärenden klara på {time.monotonic() - started:.0f} s."
        )
        self._demo_users(manager_area)

    def _refuse_another_region(self, region):
        """One portal, one region: a demo on top of another region's units would mix two decisions."""
        configured = deployment.configured()
        if configured and configured != region:
            raise CommandError(
                f"Portalen följer {configured} (SERVICELEVEL_REGION): en demo för {region} kräver "
                f"SERVICELEVEL_REGION={region} eller att inställningen tas bort.",
                returncode=2,
            )
        if CareUnit.objects.exists() and deployment.region_code() != region:
            raise CommandError(
                f"Databasen har redan enheter för en annan region ({deployment.region_name()}): demon för "
                f"{REGION_NAMES[region]} görs på en ny, tom databas (skapa den och kör migrate först).",
                returncode=2,
            )

    def _load_rulebook(self, region, day):
        """The region's shipped rulebook file (migrate stored Skåne's): loaded last, it is the version the
        portal follows when SERVICELEVEL_REGION is unset (servicelevel/region.py)."""
        try:
            for loaded in load_shipped(region):
                state = "inläst" if loaded.created else "oförändrad"
                self.stdout.write(f"  regelverk: {loaded.decision.label} ({region}) {state}")
        except RulebookRefused as refused:
            raise CommandError("\n".join(refused.lines()[:20])) from None
        if deployment.region_code() != region:
            raise CommandError(
                f"Portalen följer {deployment.region_code()}, inte {region}: "
                f"sätt SERVICELEVEL_REGION={region}.",
                returncode=2,
            )
        return Decision.in_force(day)

    def _capabilities(self, capabilities, day):
        """The booking systems' table (/avsteg/system/) has no import: its rows go through the write path
        as the region's own (no person), validated and audited like Koncernstab's edits."""
        requirements = {
            r.code: r
            for r in Requirement.objects.filter(
                decision=Decision.in_force(day), code__in={c[1] for c in capabilities}
            )
        }
        kept = set(SystemCapability.objects.values_list("booking_system", "requirement__code"))
        written = 0
        for system, code, supported, note in capabilities:
            if code in requirements and (system, code) not in kept:
                capability = SystemCapability(
                    booking_system=system, requirement=requirements[code], supported=supported, note=note
                )
                save_fact(capability, actor=None, touches=no_unit)
                written += 1
        self.stdout.write(f"  bokningssystemens stöd: {written} rader")

    def _demo_users(self, manager_area):
        if not settings.DEBUG:
            self.stdout.write("Demoanvändare skapas bara i utvecklingsläge (DJANGO_DEBUG=1).")
            return
        groups = ensure_groups()
        demo = demo_group()
        User = get_user_model()
        for username, role, staff, full_name in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            first, last = full_name.split(" ", 1)
            user.first_name, user.last_name, user.is_staff = first, last, staff
            user.is_superuser = (
                username == "koncernstab"
            )  # maintains the catalogue in the admin until the portal's pages exist
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([groups[role], demo])
        manager = User.objects.get(username="enhetschef")
        area_units = CareUnit.objects.filter(vardomrade__name=manager_area, provider__isnull=True)
        grant_units(manager, area_units)
        # The provider's user holds the provider itself, so units a later import adds are theirs too.
        provider = Provider.objects.order_by("name").first()
        if provider:
            grant_provider(User.objects.get(username="vardgivare"), provider)
        self._print_logins()

    def _print_logins(self):
        if not settings.DEBUG:
            return
        self.stdout.write("\nDemoinloggningar (endast utveckling), lösenord för alla: " + DEMO_PASSWORD)
        for username, role, _staff, _name in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {role}")
