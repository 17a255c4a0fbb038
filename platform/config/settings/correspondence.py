"""Correspondence: officer reply links and inbound email (correspondence/)."""

from config.settings.env import env

# Days an officer's "reply to this enquiry" link works after the email that carried it.
CORRESPONDENCE_REPLY_LINK_DAYS = env.int("CORRESPONDENCE_REPLY_LINK_DAYS", default=30)
# Requests a link page accepts per link per hour, and per client address per hour.
CORRESPONDENCE_REPLY_RATE_PER_LINK = env.int("CORRESPONDENCE_REPLY_RATE_PER_LINK", default=30)
CORRESPONDENCE_REPLY_RATE_PER_IP = env.int("CORRESPONDENCE_REPLY_RATE_PER_IP", default=120)

# Inbound mail. Each council's address is <slug>@<INBOUND_EMAIL_DOMAIN> (also accepted:
# cases+<slug>@<INBOUND_EMAIL_DOMAIN>). Empty means inbound mail is not set up: emails then
# carry the councillor's own Reply-To instead of the council's inbound address.
INBOUND_EMAIL_DOMAIN = env("INBOUND_EMAIL_DOMAIN", default="").strip().lower()
# Optional mailbox to poll instead of (or as well as) an ESP webhook, e.g.
# imaps://user:password@imap.example.org:993/INBOX. `manage.py inbound_poll` reads it.
INBOUND_IMAP_URL = env("INBOUND_IMAP_URL", default="")
# Basic-auth "user:password" that the ESP's inbound webhook (django-anymail) must present.
ANYMAIL_WEBHOOK_SECRET = env("ANYMAIL_WEBHOOK_SECRET", default="")

# Inbound mail changes a case or a referral only when its sender is authenticated
# (correspondence.mail.authenticity); anything else waits in triage, marked unverified.
# The authserv-ids whose Authentication-Results header is believed (the receiving MTA's, or
# the ESP's, e.g. "amazonses.com"): the host must add one to every message it accepts.
INBOUND_TRUSTED_AUTHSERV_IDS = env.list("INBOUND_TRUSTED_AUTHSERV_IDS", default=[])
# Check DKIM signatures here (dkimpy; the DNS lookups use dnspython).
INBOUND_VERIFY_DKIM = env.bool("INBOUND_VERIFY_DKIM", default=True)
# Dotted path of dkimpy's `dnsfunc(name, timeout=...)`; empty means dkimpy's own (tests
# point it at a stub that serves their test key's record).
INBOUND_DKIM_DNSFUNC = env("INBOUND_DKIM_DNSFUNC", default="")
