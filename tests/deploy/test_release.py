"""deploy/release.py: the tag reaches every container, and migrations gate the rollout.

Rendering is real (kustomize); the cluster is a fake kubectl that records the calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence

import pytest
import yaml

from tests.deploy.conftest import DEPLOY, PRODUCTION, kubectl_bin, workloads

sys.path.insert(0, str(DEPLOY))
try:
    import release
finally:
    sys.path.remove(str(DEPLOY))


@pytest.fixture(autouse=True)
def _kubectl(monkeypatch) -> None:
    monkeypatch.setenv("KUBECTL", kubectl_bin())


def _job_json(condition: str | None) -> str:
    conditions = [{"type": condition, "status": "True"}] if condition else []
    return json.dumps({"status": {"conditions": conditions}})


class FakeCluster:
    """Records kubectl calls; the migration Job reports the given statuses in turn."""

    def __init__(self, *job_statuses: str | None, log: str = "") -> None:
        self.calls: list[tuple[list[str], str | None]] = []
        self.statuses = list(job_statuses)
        self.log = log or "django.db.utils.ProgrammingError: boom"

    def __call__(self, args: Sequence[str], stdin: str | None) -> str:
        args = list(args)
        self.calls.append((args, stdin))
        if args[-4:-2] == ["job", "caseload-migrate"] and "get" in args:
            return _job_json(self.statuses.pop(0))
        if "logs" in args:
            return self.log
        return ""

    def verbs(self) -> list[str]:
        out = []
        for args, stdin in self.calls:
            verb = next(a for a in args[1:] if not a.startswith("-") and a != "caseload")
            kinds = sorted({d["kind"] for d in yaml.safe_load_all(stdin or "") if d})
            out.append(f"{verb} {','.join(kinds)}".strip())
        return out


def test_render_sets_the_tag_on_every_container_without_editing_the_overlay() -> None:
    before = (PRODUCTION / "kustomization.yaml").read_text()
    docs = release.render(PRODUCTION, "4f2c9e1")
    assert (PRODUCTION / "kustomization.yaml").read_text() == before
    image = release.overlay_image(PRODUCTION)
    containers = [c for d in workloads(docs) for c in d["spec"]["template"]["spec"]["containers"]]
    assert len(containers) == 4  # web, worker, beat, migrate
    assert {c["image"] for c in containers} == {f"{image}:4f2c9e1"}


@pytest.mark.parametrize("tag", ["", "a b", "x:y", "reg/img"])
def test_render_refuses_what_is_not_a_tag(tag: str) -> None:
    with pytest.raises(release.ReleaseError):
        release.render(PRODUCTION, tag)


def test_release_migrates_before_rolling_out() -> None:
    docs = release.render(PRODUCTION, "4f2c9e1")
    cluster = FakeCluster(None, None, "Complete")
    release.release(docs, runner=cluster, log=lambda _m: None, sleep=lambda _s: None)
    verbs = cluster.verbs()
    assert verbs[0] == "apply ConfigMap,Namespace,PersistentVolumeClaim,ServiceAccount"
    assert verbs[1] == "delete"
    assert verbs[2] == "apply Job"
    # Polled until Complete, reading the Job's progress in between.
    assert verbs[3:9] == ["get", "logs", "get", "logs", "get", "logs"]
    assert verbs[9] == (
        "apply Deployment,HorizontalPodAutoscaler,Ingress,PodDisruptionBudget,Service"
    )
    assert verbs[10:] == ["rollout"] * 3
    rolled = [args[-2] for args, _ in cluster.calls[10:]]
    assert rolled == [
        "deployment/caseload-beat",
        "deployment/caseload-web",
        "deployment/caseload-worker",
    ]
    # The Job applied is the release's: same image as the Deployments after it.
    job = next(d for d in yaml.safe_load_all(cluster.calls[2][1] or "") if d)
    assert job["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":4f2c9e1")


def test_failed_migration_leaves_the_running_release_alone() -> None:
    docs = release.render(PRODUCTION, "4f2c9e1")
    cluster = FakeCluster(None, "Failed")
    with pytest.raises(release.ReleaseError, match="migrations failed") as failure:
        release.release(docs, runner=cluster, log=lambda _m: None, sleep=lambda _s: None)
    assert "boom" in str(failure.value)  # the Job's log is shown
    verbs = cluster.verbs()
    assert not any(v.startswith("apply Deployment") for v in verbs)
    assert "rollout" not in verbs


def test_progress_and_each_failed_council_are_reported_and_nothing_rolls_out() -> None:
    docs = release.render(PRODUCTION, "4f2c9e1")
    log = (
        "migrate_schemas: 3 of 3 councils to migrate\n"
        "migrate_schemas progress: 0 done, 3 remaining, 0 failed\n"
        "migrate_schemas progress: 1 done, 2 remaining, 0 failed\n"
        'migrate_schemas failed: fife: ProgrammingError: relation "x_idx" already exists\n'
        "migrate_schemas progress: 2 done, 0 remaining, 1 failed\n"
    )
    cluster = FakeCluster(None, "Failed", log=log)
    lines: list[str] = []
    with pytest.raises(release.ReleaseError, match="1 councils failed to migrate") as failure:
        release.release(docs, runner=cluster, log=lines.append, sleep=lambda _s: None)
    assert 'fife: ProgrammingError: relation "x_idx" already exists' in str(failure.value)
    assert "release: progress: 2 done, 0 remaining, 1 failed" in lines
    assert any(line.startswith("release: council fife failed to migrate") for line in lines)
    assert "rollout" not in cluster.verbs()


def test_a_migration_that_never_ends_times_out_without_rolling_out() -> None:
    docs = release.render(PRODUCTION, "4f2c9e1")
    cluster = FakeCluster(*([None] * 10))
    with pytest.raises(release.ReleaseError, match="did not finish"):
        release.release(
            docs,
            runner=cluster,
            poll_seconds=1,
            timeout_seconds=5,
            log=lambda _m: None,
            sleep=lambda _s: None,
        )
    assert "rollout" not in cluster.verbs()


def test_command_line_render_and_dry_run() -> None:
    env = {**os.environ, "KUBECTL": kubectl_bin()}
    script = str(DEPLOY / "release.py")
    rendered = subprocess.run(
        [sys.executable, script, "9d8e7f6", "--render"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    images = {
        c["image"]
        for d in yaml.safe_load_all(rendered)
        if d and d["kind"] in ("Deployment", "Job")
        for c in d["spec"]["template"]["spec"]["containers"]
    }
    assert len(images) == 1 and images.pop().endswith(":9d8e7f6")
    dry = subprocess.run(
        [sys.executable, script, "9d8e7f6", "--dry-run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    lines = [line for line in dry.splitlines() if not line.startswith("#")]
    assert lines[2].endswith("apply -f -")  # the Job
    assert "get job caseload-migrate -o json" in lines[3]
    assert "rollout status deployment/caseload-web" in dry
