"""An email backend for the crash test: writes each message to a spool folder that the
test (another process) reads, and can hang just before or just after "sending" so the
test can SIGKILL the worker at that exact point."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

HANG_BEFORE = "HANG_BEFORE_SEND"
HANG_AFTER = "HANG_AFTER_SEND"
AT_SEND = "worker-is-sending"
AFTER_SEND = "worker-has-sent"


class SpoolEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        spool = Path(os.environ["MAILER_TEST_SPOOL"])
        for message in email_messages:
            if (spool / HANG_BEFORE).exists():
                (spool / AT_SEND).write_text(str(os.getpid()))
                time.sleep(600)
            (spool / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
            if (spool / HANG_AFTER).exists():
                (spool / AFTER_SEND).write_text(str(os.getpid()))
                time.sleep(600)
        return len(email_messages)
