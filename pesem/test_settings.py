"""Settings for the test suite: production settings with a throwaway key."""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-production-use-0123456789"
)
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from pesem.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user fixtures
# The test client speaks plain HTTP to the application, as the proxy would after TLS.
SECURE_SSL_REDIRECT = False
# Templates reference static files by name; the manifest exists only after collectstatic.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests never run collectstatic: whitenoise finds files through the finders instead.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Pages, fragments and report files are kept as in production (PESEM_PAGE_CACHE on, the
# database cache): tests/conftest.py runs on-commit callbacks where production commits, so
# every write moves the data version, and empties the cache before each test.
PESEM_PAGE_CACHE = True
