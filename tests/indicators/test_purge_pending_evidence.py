"""Evidence kept for an unsaved grid is deleted after some days; recent files stay."""

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def test_old_pending_files_are_deleted_and_recent_ones_kept(media):
    old = default_storage.save("evidencia-pendiente/7/" + "a" * 32 + "/acta.pdf", ContentFile(b"x"))
    new = default_storage.save("evidencia-pendiente/7/" + "b" * 32 + "/foto.png", ContentFile(b"y"))
    three_days_ago = time.time() - 3 * 86400
    os.utime(media / old, (three_days_ago, three_days_ago))
    out = io.StringIO()
    call_command("purge_pending_evidence", stdout=out)
    assert "borrados: 1" in out.getvalue()
    assert not default_storage.exists(old) and default_storage.exists(new)


def test_bad_days_is_a_spanish_error(media):
    with pytest.raises(CommandError, match="al menos 1"):
        call_command("purge_pending_evidence", "--days", "0")
