"""The official SDK (projectdavid 1.113.1) against a mock served over real HTTP on a free port.

The SDK is used exactly as a frontend or backend team would: `Entity(base_url=…, api_key=…)`,
with its own response validation. One mock per test module; each test makes its own user."""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Iterator

import pytest

from mock_server import Settings, create_app
from tests.live_server import serve

ADMIN_KEY = "ad_SdkSuiteAdminKey0123456789abcdefghijklmnopq"
_emails = itertools.count(1)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    # The SDK loads a .env at import and reads these; pin them so nothing outside the test leaks in.
    os.environ["ENTITIES_API_KEY"] = ADMIN_KEY
    with serve(create_app(Settings(admin_key=ADMIN_KEY))) as url:
        os.environ["ENTITIES_BASE_URL"] = url
        yield url


@pytest.fixture(scope="module", autouse=True)
def quiet_sdk_logs():
    for name in ("projectdavid", "projectdavid_common", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


@pytest.fixture(scope="module")
def entity_for(base_url) -> Callable[[str], object]:
    from projectdavid import Entity

    return lambda key: Entity(base_url=base_url, api_key=key)


@pytest.fixture(scope="module")
def admin_sdk(entity_for):
    return entity_for(ADMIN_KEY)


@pytest.fixture
def new_user(admin_sdk, entity_for):
    """A fresh user, with an SDK client authenticated as them: returns (user, client)."""

    def make(full_name: str = "SDK User"):
        user = admin_sdk.users.create_user(email=f"sdk{next(_emails)}@example.com", full_name=full_name)
        key = admin_sdk.keys.create_key(user.id, key_name="sdk tests")
        return user, entity_for(key.plain_key)

    return make


@pytest.fixture
def user_sdk(new_user):
    return new_user()


DEMO_ASSISTANT = "asst_DemoWeatherAssistant01"
