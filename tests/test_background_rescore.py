"""A profile edited in the app is rescored in a background job, with progress, recorded in job_runs."""

from __future__ import annotations

import json
import threading

import pytest

from config.errors import NotFoundError, PermissionDenied, ValidationError
from tests.plugins.app import editor_ctx, viewer_ctx
from ui.services import profiles
from ui.services.background import BackgroundJobs
from watcher.store import runs as run_store
from watcher.store import scores as score_store


@pytest.fixture
def ctx(populated_store):
    _, settings, store = populated_store
    return editor_ctx(settings, store)


@pytest.mark.slow
def test_saving_in_the_app_rescores_that_profile_in_the_background(ctx, encoder):
    from scoring.pipeline import score

    score(ctx.settings, ctx.store, encoder=encoder)
    managers = score_store.of_profile(ctx.store, "managers")
    before = score_store.of_profile(ctx.store, "frontline")
    saved = profiles.save_profile(ctx, "frontline", name="Frontline", interests=["forklift VR safety drills"],
                                  rescore=False)
    assert not saved.rescored
    assert score_store.of_profile(ctx.store, "frontline") == before
    seen: list[tuple[int, int]] = []
    status = profiles.start_rescore(ctx, "frontline", encoder=encoder)
    assert status.key == "rescore:frontline" and status.label == "frontline"
    while True:  # the request thread is free: it can poll while the job works
        now = profiles.rescore_status("frontline")
        if now.running:
            seen.append((now.done, now.total))
        if not profiles.wait_rescore("frontline", timeout=0.01).running:
            break
    done = profiles.rescore_status("frontline")
    assert done.state == "done" and done.message == str(len(before)) and done.fraction == 1.0, done
    assert all(d <= t for d, t in seen)
    after = score_store.of_profile(ctx.store, "frontline")
    assert set(after) == set(before) and after != before
    assert score_store.of_profile(ctx.store, "managers") == managers
    run = run_store.recent_job_runs(ctx.store, 1)[0]
    assert (run.job, run.status) == ("rescore", "ok")
    assert json.loads(run.counts or "{}") == {"profile": "frontline", "scored": len(before)}  # figures, no id
    profiles.forget_rescore("frontline")
    assert profiles.rescore_status("frontline") is None


def test_start_rescore_checks_rights_and_the_profile(ctx, populated_store):
    _, settings, store = populated_store
    with pytest.raises(PermissionDenied):
        profiles.start_rescore(viewer_ctx(settings, store), "frontline")
    with pytest.raises(NotFoundError):
        profiles.start_rescore(ctx, "nobody")


def test_a_second_start_joins_the_running_job_and_a_failure_is_one_line(ctx):
    jobs = BackgroundJobs()
    release = threading.Event()
    calls: list[int] = []

    def slow(store, progress):
        calls.append(1)
        progress("work", 1, 2)
        release.wait(10)
        return "finished"

    first = jobs.start("rescore:x", "x", ctx.settings.database_path, slow)
    second = jobs.start("rescore:x", "x", ctx.settings.database_path, slow)
    assert second.started == first.started and second.running
    release.set()
    assert jobs.wait("rescore:x", 10).message == "finished" and calls == [1]

    def broken(store, progress):
        raise ValidationError("profile x: give at least one interest")

    jobs.start("rescore:y", "y", ctx.settings.database_path, broken)
    failed = jobs.wait("rescore:y", 10)
    assert failed.state == "failed" and failed.message == "profile x: give at least one interest"
    run = run_store.recent_job_runs(ctx.store, 1)[0]
    assert run.status == "failed" and "give at least one interest" in (run.error or "")


@pytest.mark.slow
def test_the_rescoring_job_waits_for_the_scorer_of_the_same_database(ctx, encoder):
    """`veille score` (or the scheduler) holds the score lock: the app's rescoring waits, then runs."""
    import time

    from scoring.pipeline import score
    from watcher.service_lock import score_lock

    score(ctx.settings, ctx.store, encoder=encoder)
    profiles.save_profile(ctx, "frontline", name="Frontline", interests=["forklift VR safety drills"],
                          rescore=False)
    with score_lock(ctx.settings.database_path):
        status = profiles.start_rescore(ctx, "frontline", encoder=encoder)
        time.sleep(0.5)  # the job is up and blocked on the lock
        waiting = profiles.rescore_status("frontline")
        assert waiting.running and waiting.step == "waiting for the scorer" and status.running
    done = profiles.wait_rescore("frontline", timeout=60)
    assert done.state == "done" and int(done.message) > 0, done
    profiles.forget_rescore("frontline")
