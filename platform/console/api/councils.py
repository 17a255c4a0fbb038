"""Central API: the council directory, onboarding a council, and an onboarding job's status."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from console.models import OnboardingJob
from console.permissions import IsCentralStaff
from console.selectors.directory import council_directory_rows
from console.services import onboarding_job_create
from console.views.councils import job_progress


class HealthSerializer(serializers.Serializer):
    state = serializers.CharField(source="label")
    reasons = serializers.ListField(child=serializers.CharField())


class CouncilListApi(APIView):
    """GET: every council with licence state, trial end, seats used out of cap, last
    activity and health. POST: onboard a council; answers 202 with the job to follow."""

    permission_classes = [IsCentralStaff]

    class OutputSerializer(serializers.Serializer):
        slug = serializers.CharField(source="council.slug")
        name = serializers.CharField(source="council.name")
        status = serializers.CharField(source="council.status")
        domain = serializers.CharField()
        licence_state = serializers.CharField()
        trial_ends_at = serializers.DateTimeField(allow_null=True)
        seats_used = serializers.IntegerField(allow_null=True)
        seats_cap = serializers.IntegerField(allow_null=True)
        last_activity_at = serializers.DateTimeField(allow_null=True)
        health = HealthSerializer()

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        slug = serializers.CharField(max_length=50)
        contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
        trial_days = serializers.IntegerField(min_value=1, max_value=365, default=90)
        seats = serializers.IntegerField(min_value=1, max_value=500, default=10)
        admin_email = serializers.EmailField()
        admin_name = serializers.CharField(
            max_length=200, required=False, allow_blank=True, default=""
        )

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = council_directory_rows(
            q=request.query_params.get("q", ""),
            sort=request.query_params.get("sort", "name"),
            desc=request.query_params.get("dir") == "desc",
        )
        return Response(self.OutputSerializer(rows, many=True).data)

    @extend_schema(request=InputSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = onboarding_job_create(
            actor=str(getattr(request.user, "email", "")), **data.validated_data
        )
        return Response(
            job_as_dict(job),
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": job_url(job)},
        )


def job_url(job: OnboardingJob) -> str:
    return reverse("api-platform-onboarding-job", kwargs={"pk": job.pk})


def job_as_dict(job: OnboardingJob) -> dict:
    progress = job_progress(job)
    return {
        "id": job.pk,
        "status": job.status,
        "stage": progress["stage"],
        "stages": progress["stages"],
        "failed_stage": job.failed_stage or None,
        "error": job.error or None,
        "slug": job.slug,
        "name": job.name,
        "council": job.council.slug if job.council_id and job.council else None,
        "welcome_email_status": job.welcome_email.status if job.welcome_email else None,
        "status_url": job_url(job),
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


class OnboardingJobApi(APIView):
    permission_classes = [IsCentralStaff]

    @extend_schema(responses={200: None})
    def get(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(
            OnboardingJob.objects.select_related("council", "welcome_email"), pk=pk
        )
        return Response(job_as_dict(job))
