from tests.caseload.conftest import (  # noqa: F401  (fixtures re-exported for this folder)
    _fast_password_hasher,
    cast,
    media_root,
)
from tests.correspondence.conftest import (  # noqa: F401  (the inbound mail tests' fixtures)
    _email_settings,
    _media_in_tmp,
    people,
    scene,
)
