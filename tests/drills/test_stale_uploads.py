"""Partial uploads left by a killed web worker are removed when a worker starts; live ones,
other files and other people's files stay."""

from __future__ import annotations

import os
import time

import pytest
from django.core.exceptions import MiddlewareNotUsed

from pplearn.faults import StaleUploadSweepMiddleware, upload_temp_files_sweep

HOURS = 3600


@pytest.fixture
def upload_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def make(folder, name: str, *, age_hours: float):
    path = folder / name
    path.write_bytes(b"partial")
    moment = time.time() - age_hours * HOURS
    os.utime(path, (moment, moment))
    return path


def test_only_old_partial_uploads_are_removed(upload_dir):
    old = make(upload_dir, "tmpab12cd34.upload.mp4", age_hours=7)
    old_no_extension = make(upload_dir, "tmpzz99yy88.upload", age_hours=30)
    live = make(upload_dir, "tmpef56gh78.upload.pdf", age_hours=0.5)
    other = make(upload_dir, "notes.upload.txt", age_hours=48)
    cache = make(upload_dir, "tmp-cache.json", age_hours=48)

    assert upload_temp_files_sweep() == 2

    assert not old.exists()
    assert not old_no_extension.exists()
    assert live.exists()
    assert other.exists()
    assert cache.exists()


def test_the_middleware_sweeps_at_start_and_steps_aside(upload_dir):
    old = make(upload_dir, "tmpab12cd34.upload.mov", age_hours=8)

    with pytest.raises(MiddlewareNotUsed):
        StaleUploadSweepMiddleware(lambda request: None)

    assert not old.exists()


def test_a_folder_link_is_not_followed(upload_dir, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    target = make(elsewhere, "keep.bin", age_hours=10)
    link = upload_dir / "tmpab12cd34.upload.bin"
    link.symlink_to(target)
    moment = time.time() - 10 * HOURS
    os.utime(link, (moment, moment), follow_symlinks=False)

    assert upload_temp_files_sweep() == 0
    assert target.exists()
