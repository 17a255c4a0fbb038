"""Release one image tag: migrate first, roll out only if the migration succeeded.

    .venv/bin/python deploy/release.py 1a2b3c4            # release tag 1a2b3c4
    .venv/bin/python deploy/release.py 1a2b3c4 --render   # print the manifests, touch nothing
    .venv/bin/python deploy/release.py 1a2b3c4 --dry-run  # print the kubectl steps

Steps, in order:
1. render the overlay with the tag (kustomize, through `kubectl kustomize`);
2. apply the namespace, service account, config map and volume claim;
3. replace the migration Job (a Job's pod template cannot change in place) and wait for
   it: `migrate_schemas` migrates public, the template, and only the councils missing a
   migration, each council in one transaction, several at once. While it runs, the Job's
   progress is printed (councils done, remaining, failed, and each failure with its error).
   A council that fails does not stop the others; if any failed, or the Job failed, stop
   here, list the failures, and leave the running release alone. Every council is then
   either fully migrated or untouched, so running the release again resumes;
4. apply everything else; the Deployments roll (web and worker one pod at a time, beat
   stop-then-start) and the command waits until each has finished.

Migrations therefore run while the previous release still serves: they must be backward
compatible with it (expand now, contract in a later release), see deploy/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_OVERLAY = HERE / "k8s" / "overlays" / "production"
IMAGE_NAME = "caseload"  # the name the base's containers use; the overlay maps it
MIGRATE_JOB = "caseload-migrate"
# Applied before the migration Job: what the Job itself needs.
CONFIG_KINDS = ("Namespace", "ServiceAccount", "ConfigMap", "Secret", "PersistentVolumeClaim")

Runner = Callable[[Sequence[str], str | None], str]
# Lines migrate_schemas prints (tenants/migrating.py) that a release reports.
PROGRESS = re.compile(r"^migrate_schemas progress: .*$", re.MULTILINE)
FAILURE = re.compile(r"^migrate_schemas failed: (\S+): (.*)$", re.MULTILINE)


def kubectl() -> str:
    return os.environ.get("KUBECTL", "kubectl")


def run(args: Sequence[str], stdin: str | None = None) -> str:
    result = subprocess.run(  # noqa: S603 -- fixed kubectl argv built here
        list(args), input=stdin, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ReleaseError(f"{' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout


class ReleaseError(Exception):
    pass


def overlay_image(overlay: Path) -> str:
    """The registry name the overlay gives the `caseload` image."""
    kustomization = yaml.safe_load((overlay / "kustomization.yaml").read_text())
    for image in kustomization.get("images", []):
        if image.get("name") == IMAGE_NAME:
            return str(image.get("newName", IMAGE_NAME))
    return IMAGE_NAME


def render(overlay: Path, tag: str, runner: Runner = run) -> list[dict]:
    """The overlay's objects with every `caseload` container on `<registry>/caseload:<tag>`.

    A throwaway kustomization on top of the overlay sets the tag, so the overlay in git is
    not edited by a release."""
    if not tag or any(c in tag for c in " :/@"):
        raise ReleaseError(f"not an image tag: {tag!r}")
    with tempfile.TemporaryDirectory(prefix="caseload-release-") as tmp:
        wrapper = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": [os.path.relpath(overlay.resolve(), tmp)],
            "images": [{"name": overlay_image(overlay), "newTag": tag}],
        }
        (Path(tmp) / "kustomization.yaml").write_text(yaml.safe_dump(wrapper))
        output = runner([kubectl(), "kustomize", tmp], None)
    return [doc for doc in yaml.safe_load_all(output) if doc]


def _dump(docs: list[dict]) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False)


@dataclass
class Step:
    description: str
    args: list[str]
    stdin: str | None = None


def plan(docs: list[dict]) -> tuple[list[Step], Step, list[Step]]:
    """(steps before the migration wait, the Job status query, steps after it)."""
    namespaces = {d["metadata"].get("namespace") for d in docs} - {None}
    if len(namespaces) != 1:
        raise ReleaseError(f"expected one namespace in the manifests, got {sorted(namespaces)}")
    ns = namespaces.pop()
    k = kubectl()
    config = [d for d in docs if d["kind"] in CONFIG_KINDS]
    job = [d for d in docs if d["kind"] == "Job" and d["metadata"]["name"] == MIGRATE_JOB]
    if len(job) != 1:
        raise ReleaseError(f"the manifests have no Job {MIGRATE_JOB}")
    rest = [d for d in docs if d not in config and d not in job]
    deployments = [d["metadata"]["name"] for d in rest if d["kind"] == "Deployment"]
    before = [
        Step("apply configuration", [k, "apply", "-f", "-"], _dump(config)),
        Step(
            "remove the previous migration Job",
            [k, "-n", ns, "delete", "job", MIGRATE_JOB, "--ignore-not-found", "--wait=true"],
        ),
        Step("start the migration Job", [k, "apply", "-f", "-"], _dump(job)),
    ]
    status = Step("migration status", [k, "-n", ns, "get", "job", MIGRATE_JOB, "-o", "json"])
    after = [Step("apply the release", [k, "apply", "-f", "-"], _dump(rest))]
    after += [
        Step(
            f"wait for {name}",
            [k, "-n", ns, "rollout", "status", f"deployment/{name}", "--timeout=15m"],
        )
        for name in deployments
    ]
    return before, status, after


def job_outcome(job_json: str) -> str | None:
    """'complete', 'failed', or None while the Job is still running."""
    status = json.loads(job_json).get("status", {})
    for condition in status.get("conditions", []):
        if condition.get("status") == "True" and condition.get("type") in ("Complete", "Failed"):
            return "complete" if condition["type"] == "Complete" else "failed"
    return None


@dataclass
class MigrationProgress:
    """What the migration Job's log says so far."""

    progress: str = ""
    failures: dict[str, str] | None = None

    def update(self, log_text: str, log: Callable[[str], None]) -> None:
        lines = PROGRESS.findall(log_text)
        if lines and lines[-1] != self.progress:
            self.progress = lines[-1]
            log(f"release: {self.progress.removeprefix('migrate_schemas ')}")
        failures = dict(FAILURE.findall(log_text))
        known = self.failures or {}
        for schema, error in failures.items():
            if schema not in known:
                log(f"release: council {schema} failed to migrate: {error}")
        self.failures = {**known, **failures}


def job_logs(ns: str, runner: Runner, tail: int = 2000) -> str:
    try:
        return runner([kubectl(), "-n", ns, "logs", f"job/{MIGRATE_JOB}", f"--tail={tail}"], None)
    except ReleaseError as exc:
        # No pod yet, or its log is gone: report what kubectl said, keep waiting.
        return str(exc)


def release(
    docs: list[dict],
    *,
    runner: Runner = run,
    poll_seconds: float = 5.0,
    timeout_seconds: float = 3600.0,
    log: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    before, status, after = plan(docs)
    for step in before:
        log(f"release: {step.description}")
        runner(step.args, step.stdin)
    log("release: waiting for the migration Job")
    ns = status.args[status.args.index("-n") + 1]
    progress = MigrationProgress()
    waited = 0.0
    while (outcome := job_outcome(runner(status.args, None))) is None:
        if waited >= timeout_seconds:
            raise ReleaseError(
                "the migration Job did not finish in time; nothing was rolled out "
                f"({progress.progress or 'no progress reported'})"
            )
        progress.update(job_logs(ns, runner), log)
        sleep(poll_seconds)
        waited += poll_seconds
    logs = job_logs(ns, runner)
    progress.update(logs, log)
    if outcome == "failed":
        # The last attempt's failures (a retried Job's first attempt may have failed
        # councils that its second attempt migrated).
        failures = dict(FAILURE.findall(logs)) or progress.failures or {}
        listed = "".join(f"\n  {schema}: {error}" for schema, error in sorted(failures.items()))
        summary = (
            f"{len(failures)} councils failed to migrate (each rolled back whole; the others "
            f"are migrated; run the release again once fixed):{listed}"
            if failures
            else "\n".join(logs.splitlines()[-50:])
        )
        raise ReleaseError(f"migrations failed; the running release is untouched.\n{summary}")
    for step in after:
        log(f"release: {step.description}")
        runner(step.args, step.stdin)
    log("release: done")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", help="the image tag to release (e.g. the git commit)")
    parser.add_argument("--overlay", type=Path, default=DEFAULT_OVERLAY)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--render", action="store_true", help="print the manifests and stop")
    mode.add_argument("--dry-run", action="store_true", help="print the kubectl steps")
    args = parser.parse_args(argv)
    try:
        docs = render(args.overlay, args.tag)
        if args.render:
            sys.stdout.write(_dump(docs))
            return 0
        if args.dry_run:
            before, status, after = plan(docs)
            for step in [*before, status, *after]:
                print(f"# {step.description}\n{' '.join(step.args)}")
            return 0
        release(docs)
    except ReleaseError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
