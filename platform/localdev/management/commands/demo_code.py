import time
from typing import Any

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from localdev.demo_seeder import demo_totp_key


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of the demo admins and central staff (the key "
        "`make run` prints, as an authenticator app would show it)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        totp = TOTP(bytes.fromhex(demo_totp_key()), step=30, t0=0, digits=6)
        left = 30 - int(time.time()) % 30
        self.stdout.write(f"{totp.token():06d}  (valid for about {left} more seconds)")
