"""Errors of correspondence beyond core.errors."""

from core.errors import ApplicationError


class LinkGone(ApplicationError):
    """An officer's reply link that was real but no longer works (expired, revoked, or the
    referral is closed). 410: the officer should contact the council instead."""

    status_code = 410
    code = "link_gone"
