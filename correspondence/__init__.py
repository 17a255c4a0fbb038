"""Correspondence: templates, letters, officer replies without an account, inbound email
and batch replies.

Two Django apps in one package, split by where their tables live:

- `correspondence.shared` (SHARED_APPS, label `correspondence_shared`): the central body's
  templates in `public`, seeded with the standard five, readable from every council's schema.
- `correspondence` (TENANT_APPS): per council, its own template copies (same key: the copy
  replaces the shared one there), letterhead, reply links, Message-IDs for threading, inbound
  mail and the triage queue, batches.

Case history, attachments and referrals belong to caseload and are written only through
caseload.services; email goes only through mailer.services.outbox_enqueue.
"""
