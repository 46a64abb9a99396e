"""python manage.py load_rulebook PATH [--dry-run]

Loads one rulebook file (docs/rulebooks.md) as a version of its decision. Exit 0 loaded or unchanged
(`rulebook: NUMBER VERSION (REGION): N requirements, loaded`); 1 refused (every problem on stderr as
`FILE:LINE: key: message`, nothing written); 2 wrong usage. `--dry-run` checks the file and prints what
would be loaded and its effect on today's results (units whose level or any status would change)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from compliance.rulebook_effect import STATUS_WORDS, effect
from compliance.services import today
from servicelevel import rulebooks
from servicelevel.rulebook_file import RulebookRefused

EFFECT_LINES = 50  # units listed by --dry-run; the total is always printed


class Command(BaseCommand):
    help = "Läs in en regelboksfil (en version av ett beslut)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Regelboksfilen (YAML).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Kontrollera och visa effekten, skriv inget."
        )

    def handle(self, *args, path: str, dry_run: bool, **options):
        try:
            with open(path, encoding="utf-8") as stream:
                text = stream.read()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "inte UTF-8"
            raise CommandError(f"kan inte läsa {path}: {reason}", returncode=2) from None
        try:
            rulebook, stored = rulebooks.read(text, path)
        except RulebookRefused as refused:
            for line in refused.lines():
                self.stderr.write(line)
            self.stderr.write(f"rulebook: filen avvisades, {len(refused.problems)} fel; inget har skrivits.")
            sys.exit(1)
        d = rulebook.decision
        count = len(rulebook.requirements)
        head = f"rulebook: {d.number} {d.version} ({rulebook.region.code}): {count} requirements"
        if dry_run:
            self._dry_run(head, rulebook, stored)
            return
        loaded = rulebooks.load(rulebook, source=path)
        self.stdout.write(f"{head}, {'loaded' if loaded.created else 'unchanged'}")

    def _dry_run(self, head, rulebook, stored):
        if stored is not None:
            self.stdout.write(f"{head}, unchanged (dry run)")
            return
        self.stdout.write(f"{head}, would be loaded (dry run; nothing written)")
        result = effect(rulebook, today())
        self.stdout.write(f"effect on {result.as_of}: {result.before} → {result.after}: {result.summary()}")
        for change in result.changes[:EFFECT_LINES]:
            parts = [f"{s.code} {STATUS_WORDS[s.before]} → {STATUS_WORDS[s.after]}" for s in change.statuses]
            if change.level_changed:
                parts.insert(0, f"nivå {_level(change.level_before)} → {_level(change.level_after)}")
            self.stdout.write(f"  {change.hsa_id} {change.name}: " + "; ".join(parts))
        if len(result.changes) > EFFECT_LINES:
            self.stdout.write(f"  … och {len(result.changes) - EFFECT_LINES} enheter till")


def _level(level):
    return "–" if level is None else str(level)
