"""Create forms that forgive: each carries a one-time token (caseload.forms.OnceForm), and
`submit_once` runs its create service once per token. Sent again, the form is answered with
what was already made ("This case was already created: FIFE-2026-00042") instead of a
duplicate. Forms of other apps (reminders' BF form, correspondence's) use the same service.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

from accounts.models import User
from caseload.models import FormSubmission
from core.errors import Conflict

T = TypeVar("T")
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


class AlreadySubmitted(Conflict):
    """The form was sent before with this token: `path` is what it made (empty when the
    token is someone else's, whose object is not this user's to be told about)."""

    code = "already_submitted"

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message, extra={"path": path} if path else None)
        self.path = path


def _answer(submission: FormSubmission, *, user: User, what: str) -> AlreadySubmitted:
    if submission.user_id != user.pk:
        return AlreadySubmitted("This form was already sent. Open it again to start afresh.")
    if not submission.label:
        return AlreadySubmitted(f"This {what} was already sent and is being saved.")
    return AlreadySubmitted(
        f"This {what} was already created: {submission.label}", path=submission.path
    )


@transaction.atomic
def submit_once(
    *,
    user: User,
    token: str,
    kind: str,
    create: Callable[[], T],
    describe: Callable[[T], tuple[str, str]],
) -> T:
    """Run `create()` (a create service) unless `token` was already used, in one transaction
    with the token's record; `describe(obj)` gives the (label, path) shown when the same form
    comes back. A form with no token (an old page, a test client) just creates. Two sends at
    once: the second waits on the first's token row and then gets AlreadySubmitted. If
    `create` fails, the token stays unused, so the corrected form can be sent again."""
    token = (token or "").strip().lower()
    if not TOKEN_RE.match(token):
        return create()
    existing = FormSubmission.objects.filter(token=token).first()
    if existing is not None:
        raise _answer(existing, user=user, what=kind)
    try:
        with transaction.atomic():
            submission = FormSubmission.objects.create(token=token, user=user, kind=kind)
    except IntegrityError:
        raise _answer(FormSubmission.objects.get(token=token), user=user, what=kind) from None
    made = create()
    submission.label, submission.path = describe(made)
    submission.save(update_fields=["label", "path"])
    return made
