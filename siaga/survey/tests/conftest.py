from siaga.delivery.tests.conftest import post  # noqa: F401 - shared fixtures
from siaga.services.tests.conftest import desk, make_application, make_citizen  # noqa: F401
