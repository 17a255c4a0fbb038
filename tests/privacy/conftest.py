"""The caseload cast (council A's people, an outsider in B) for the privacy tests."""

from tests.caseload.conftest import _fast_password_hasher, cast, media_root

__all__ = ["_fast_password_hasher", "cast", "media_root"]
