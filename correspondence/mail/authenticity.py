"""Is an inbound message really from the address in its From header?

Mail may change a case or a referral only when its sender is authenticated. A message is,
when one of these says its From domain is genuine (in this order):

1. the ESP's own verdict, passed in by the webhook receiver (Amazon SES's DMARC verdict,
   SendGrid's DKIM results), through django-anymail;
2. the topmost Authentication-Results header (RFC 8601), when its authserv-id is one of
   INBOUND_TRUSTED_AUTHSERV_IDS: `dmarc=pass`, or `dkim=pass` / `spf=pass` for a domain
   aligned with From. Only the topmost is read: the trusted host must add one to every
   message it accepts, so any such header a sender forged sits below it;
3. a DKIM signature checked here (dkimpy, DNS through INBOUND_DKIM_DNSFUNC or dnspython),
   by a domain aligned with From, over the From header, without an `l=` body length (which
   would let anyone append text).

"Aligned" is DMARC's relaxed alignment without a public-suffix list: the authenticated
domain is the From domain or a parent of it (signing for a parent needs that parent's DNS).
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dkim
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

_RESULT_RE = re.compile(r"\b(dmarc|dkim|spf)\s*=\s*(\w+)([^;]*)", re.I)
_PROPERTY_RE = re.compile(
    r"\b(header\.from|header\.d|header\.i|smtp\.mailfrom|smtp\.from)\s*=\s*"
    r"\"?([^\s;\"]+)",
    re.I,
)


@dataclass(frozen=True)
class SenderVerdict:
    authenticated: bool
    # How it was decided, for people: "dkim (d=example.org)", "authentication-results
    # (mx.example.net): dmarc=pass", or why not.
    detail: str
    # An ESP's verdict that names the domains it authenticated (not aligned with From yet);
    # empty when the verdict already took From into account (DMARC).
    domains: tuple[str, ...] = ()


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower().rstrip(".")


def aligned(authenticated_domain: str, from_domain: str) -> bool:
    d = authenticated_domain.strip().lower().rstrip(".").lstrip("@")
    if "@" in d:
        d = domain_of(d)
    if not d or not from_domain or d.count(".") < 1:
        return False
    return from_domain == d or from_domain.endswith("." + d)


def _header_block(raw: bytes) -> Any:
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def verdict_from_authentication_results(raw: bytes, from_domain: str) -> SenderVerdict | None:
    trusted = {h.lower() for h in getattr(settings, "INBOUND_TRUSTED_AUTHSERV_IDS", [])}
    if not trusted:
        return None
    headers = _header_block(raw).get_all("Authentication-Results") or []
    if not headers:
        return None
    top = " ".join(str(headers[0]).split())
    authserv_id = top.split(";", 1)[0].strip().split()[0].lower() if top else ""
    if authserv_id not in trusted:
        return None
    for method, result, props in _RESULT_RE.findall(top):
        if result.lower() != "pass":
            continue
        found = dict((k.lower(), v) for k, v in _PROPERTY_RE.findall(props))
        method = method.lower()
        if method == "dmarc" and aligned(found.get("header.from", from_domain), from_domain):
            return SenderVerdict(True, f"authentication-results ({authserv_id}): dmarc=pass")
        if method == "dkim":
            signer = found.get("header.d") or found.get("header.i", "")
            if aligned(signer, from_domain):
                return SenderVerdict(True, f"authentication-results ({authserv_id}): dkim=pass")
        if method == "spf":
            sender = found.get("smtp.mailfrom") or found.get("smtp.from", "")
            if aligned(domain_of(sender) if "@" in sender else sender, from_domain):
                return SenderVerdict(True, f"authentication-results ({authserv_id}): spf=pass")
    return SenderVerdict(False, f"authentication-results ({authserv_id}): no aligned pass")


def _dnsfunc() -> Callable[..., Any]:
    path = getattr(settings, "INBOUND_DKIM_DNSFUNC", "")
    return import_string(path) if path else dkim.dnsplug.get_txt


def verdict_from_dkim(raw: bytes, from_domain: str) -> SenderVerdict | None:
    if not getattr(settings, "INBOUND_VERIFY_DKIM", True):
        return None
    try:
        checker = dkim.DKIM(raw, logger=logger)
        signatures = _header_block(raw).get_all("DKIM-Signature") or []
    except Exception:  # a message too broken to parse has no valid signature either
        return SenderVerdict(False, "dkim: unreadable message")
    if not signatures:
        return None
    reasons = []
    for index in range(min(len(signatures), 5)):
        try:
            valid = checker.verify(idx=index, dnsfunc=_dnsfunc())
        except dkim.DKIMException as exc:
            reasons.append(f"dkim: {exc}")
            continue
        fields = checker.signature_fields or {}
        signer = (fields.get(b"d") or b"").decode(errors="replace")
        signed = [h.strip().lower() for h in (fields.get(b"h") or b"").decode().split(":")]
        if not valid:
            reasons.append(f"dkim (d={signer}): signature does not verify")
        elif b"l" in fields:
            reasons.append(f"dkim (d={signer}): signs only part of the body (l=)")
        elif "from" not in signed:
            reasons.append(f"dkim (d={signer}): From is not signed")
        elif not aligned(signer, from_domain):
            reasons.append(f"dkim (d={signer}): not the From domain {from_domain}")
        else:
            return SenderVerdict(True, f"dkim (d={signer})")
    return SenderVerdict(False, "; ".join(reasons)[:300])


_SENDGRID_DKIM_RE = re.compile(r"@([A-Za-z0-9.-]+)\s*:\s*(\w+)")


def verdict_from_esp(esp_name: str, esp_event: Any) -> SenderVerdict | None:
    """The ESP's own verdict, where django-anymail hands over its raw event: Amazon SES's
    DMARC verdict (alignment included), SendGrid's per-domain DKIM results. None for an ESP
    that states none (its Authentication-Results header, if trusted, is read instead)."""
    try:
        if esp_name == "amazon_ses" and isinstance(esp_event, dict):
            status = esp_event.get("receipt", {}).get("dmarcVerdict", {}).get("status", "")
            return SenderVerdict(status.upper() == "PASS", f"amazon ses: dmarc={status.lower()}")
        if esp_name == "sendgrid" and hasattr(esp_event, "POST"):
            results = _SENDGRID_DKIM_RE.findall(esp_event.POST.get("dkim", ""))
            if not results:
                return None
            passed = tuple(d.lower() for d, r in results if r.lower() == "pass")
            return SenderVerdict(
                bool(passed), "sendgrid: dkim " + (", ".join(passed) or "none passed"), passed
            )
    except (AttributeError, TypeError):
        return None
    return None


def sender_verdict(
    *, raw: bytes, from_email: str, esp_verdict: SenderVerdict | None = None
) -> SenderVerdict:
    """Whether the From address of `raw` is authenticated (see the module docstring)."""
    from_domain = domain_of(from_email)
    if not from_domain:
        return SenderVerdict(False, "no From address")
    if (
        esp_verdict is not None
        and esp_verdict.authenticated
        and (not esp_verdict.domains or any(aligned(d, from_domain) for d in esp_verdict.domains))
    ):
        return esp_verdict
    checks = [
        verdict_from_authentication_results(raw, from_domain),
        verdict_from_dkim(raw, from_domain),
    ]
    for verdict in checks:
        if verdict is not None and verdict.authenticated:
            return verdict
    reasons = [v.detail for v in [esp_verdict, *checks] if v is not None]
    return SenderVerdict(False, "; ".join(reasons)[:300] or "no DKIM signature or verdict")
