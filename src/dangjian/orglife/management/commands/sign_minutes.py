"""``dangjian sign_minutes [--from-start] [--batch N] [--max-seconds S] [--no-progress]`` — sign the meetings'
minutes stored without a signature (those written before signatures were stored: migration
0007 no longer signs them), in batches of meeting ids, with a progress bar. Resumable: it goes
on from where the last run got to (``--from-start`` looks at every meeting again), and an
interrupted run loses at most the batches since its last checkpoint (already signed, they are
skipped quickly), and ``--max-seconds`` stops after the batch that passes the budget.
``dangjian nightly`` runs it with a budget, so a database of 10^7 unsigned meetings is signed
over a few nights; the near-duplicate rule signs what is still unsigned when it reads it
(``orglife.services.signatures``).

Then, in the time left, it stores the digests (``similarity.digests``) of the signatures
stored without one — those signed before digests were (migration 0013) — found by their index,
so a run with none left costs one lookup.

``dangjian sign_minutes --bands [--from-start]`` writes the band keys of the signed minutes
(``orglife.MinuteBand``) instead, going on after the last meeting that has them (the demo's raw
writer writes them last, and a stopped build leaves the rest unwritten; the near-duplicate rule
then judges every branch whole until they are complete); ``--from-start`` writes them all
again. The pairs of alike minutes (``orglife.MinutePair``) are measured again after them.

``dangjian sign_minutes --pairs`` measures every pair of alike minutes again
(``orglife.services.pairs.rebuild``) and reports what the kept pairs lacked or had too many —
none when every writer kept them. The nightly run builds them once when they are missing
(after the upgrade that adds them), from the digests and signatures as they are (a meeting
signed later is paired by its writer): all in one transaction, a few minutes at the largest
size, whatever the budget."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

# A checkpoint (an audit event) every this many batches, and at the end.
CHECKPOINT_EVERY = 50


class Command(BaseCommand):
    help = "Sign the meetings' minutes stored without a signature, resuming where it stopped."
    # A batch job, like the other long commands: no system checks before it starts.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--from-start", action="store_true", help="look at every meeting, not only new ones"
        )
        parser.add_argument("--batch", type=int, default=None, help="meeting ids per batch")
        parser.add_argument(
            "--max-seconds", type=float, default=None, help="stop after this long (resumable)"
        )
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--pairs",
            action="store_true",
            help="measure every pair of alike minutes again and report any drift",
        )
        parser.add_argument(
            "--bands",
            action="store_true",
            help="write the signed minutes' band keys, going on where they stop",
        )

    def handle(self, *args, from_start, batch, max_seconds, no_progress, bands, pairs, **options):
        import time

        from tqdm import tqdm

        from dangjian.core.audit import context
        from dangjian.orglife.services import signatures

        if bands:
            self.write_bands(from_start, no_progress)
            self.pair()
            return
        if pairs:
            self.pair()
            return

        step = batch or signatures.BATCH
        start = 0 if from_start else signatures.signed_upto()
        end = signatures.last_meeting()
        signed, cache, done = 0, {}, start
        began = time.monotonic()
        with (
            context(),
            tqdm(
                total=max(end - start, 0), disable=no_progress, desc=_("minutes"), unit="条"
            ) as bar,
        ):
            for i, lo in enumerate(range(start, end, step), start=1):
                hi = min(lo + step, end)
                signed += signatures.sign_stored_minutes(lo, hi, cache=cache)
                done = hi
                bar.update(hi - lo)
                if i % CHECKPOINT_EVERY == 0:
                    signatures.record_progress(done, signed)
                if max_seconds is not None and time.monotonic() - began >= max_seconds:
                    break
            if done != start or from_start:
                signatures.record_progress(done, signed)
            stopped = max_seconds is not None and time.monotonic() - began >= max_seconds
        digested = 0 if stopped else self.digest(began, max_seconds, step, no_progress)
        self.stdout.write(
            _("%(signed)d minutes signed; meetings up to number %(upto)d of %(last)d looked at.")
            % {"signed": signed, "upto": done, "last": end}
        )
        if digested:
            self.stdout.write(_("%(digested)d signatures digested.") % {"digested": digested})
        if not stopped:
            from dangjian.orglife.services import pairs as kept_pairs

            if kept_pairs.unpaired():
                self.pair()

    def pair(self) -> None:
        """Every pair of alike minutes measured again (``pairs.rebuild``), with the drift."""
        from dangjian.orglife.services import pairs

        drift = pairs.rebuild()
        self.stdout.write(
            _(
                "%(written)d pairs of alike minutes kept; drift: %(missing)d missing, %(extra)d extra."
            )
            % {"written": drift.written, "missing": drift.missing, "extra": drift.extra}
        )
        if drift.missing or drift.extra:
            self.stdout.write(_("Repaired; the next rule run evaluates everything again."))

    def digest(self, began: float, max_seconds: float | None, step: int, no_progress: bool) -> int:
        """The digests of the signatures stored without one (migration 0013), in the time
        left: the signing first, since the rule signs an unsigned text itself, slowly."""
        import time

        from tqdm import tqdm

        from dangjian.orglife.services import signatures

        digested = 0
        total = signatures.undigested().count()
        with tqdm(total=total, disable=no_progress, desc=_("digests"), unit="条") as bar:
            while max_seconds is None or time.monotonic() - began < max_seconds:
                made = signatures.digest_signed_minutes(step)
                if not made:
                    break
                digested += made
                bar.update(made)
        return digested

    def write_bands(self, from_start: bool, no_progress: bool) -> None:
        from tqdm import tqdm

        from dangjian.orglife.services import bands, signatures

        start = 0 if from_start else bands.last_banded()
        end = signatures.last_meeting()
        with tqdm(
            total=max(end - start, 0), disable=no_progress, desc=_("band keys"), unit="条"
        ) as bar:
            done = [start]

            def progress(upto: int) -> None:
                bar.update(upto - done[0])
                done[0] = upto

            written = bands.rebuild(after=start, progress=progress)
        self.stdout.write(
            _("%(written)d band keys written for the meetings after number %(after)d.")
            % {"written": written, "after": start}
        )
