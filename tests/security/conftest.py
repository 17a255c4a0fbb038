from tests.caseload.conftest import (  # noqa: F401  (fixtures re-exported for this folder)
    _fast_password_hasher,
    cast,
    media_root,
)
