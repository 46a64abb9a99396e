"""The REST API at /api/v1/ (docs/api.md). Thin: parse → one selector (api/selectors.py) → serialize.
Authentication is the Bearer token (api/authentication.py), rights are the pages' (units.permissions):
401 without a valid token, 403 for a scope or role that may not, 404 for a unit the person may not see."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from servicelevel import import_jobs
from servicelevel.audit import audit
from servicelevel.importing import registry
from servicelevel.models import ImportJob
from servicelevel.security import content_security_policy

from . import selectors
from . import serializers as s
from .permissions import HasToken, ImportsFiles, ReadsImports, ReadsRulebook

ERRORS = {
    401: OpenApiResponse(
        s.Error, description="Ingen giltig nyckel (saknas, fel, utgången eller återkallad)."
    ),
    403: OpenApiResponse(s.Error, description="Nyckelns behörighet eller personens roll räcker inte."),
    429: OpenApiResponse(s.Error, description="För många anrop med nyckeln; se Retry-After."),
}
# A 400 names what is wrong: {"as_of": ["…"]}, or {"detail": "…"}.
BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Ett ogiltigt värde; svaret namnger parametern."
)
NOT_FOUND = {404: OpenApiResponse(s.Error, description="Finns inte, eller personen får inte se det.")}
CURSOR = OpenApiParameter("cursor", str, description="Markören från föregående svars next/previous.")
AS_OF = OpenApiParameter("as_of", str, description="Datum ÅÅÅÅ-MM-DD (standard i dag).")
PAGE_SIZE = OpenApiParameter("page_size", int, description="Högst 1000")


class Pages(CursorPagination):
    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"


class UnitPages(Pages):
    ordering = "hsa_id"


class ExemptionPages(Pages):
    ordering = "id"


class UnitList(APIView):
    permission_classes = [HasToken]

    @extend_schema(
        operation_id="units_list",
        summary="Enheterna personen får se, med resultaten per datum",
        parameters=[
            AS_OF,
            OpenApiParameter("forvaltning", int, description="Förvaltningens id"),
            OpenApiParameter("vardomrade", int, description="Vårdområdets id"),
            OpenApiParameter("provider", int, description="Vårdgivarens id"),
            OpenApiParameter(
                "level", str, description="Nivå (0, 1, …) eller ”ingen”; när regelverket har en trappa"
            ),
            PAGE_SIZE,
            CURSOR,
        ],
        responses={200: s.UnitPage, 400: BAD_REQUEST, **ERRORS, **NOT_FOUND},
    )
    def get(self, request):
        rows, shown = selectors.units(request.user, request.query_params)
        pages = UnitPages()
        page = pages.paginate_queryset(rows, request, view=self)
        for unit in page:
            unit.as_of = shown
            unit.url = request.build_absolute_uri(reverse("api:unit", args=[unit.hsa_id]))
        return pages.get_paginated_response(s.UnitListItem(page, many=True).data)


class UnitDetail(APIView):
    permission_classes = [HasToken]

    @extend_schema(
        operation_id="unit_detail",
        summary="En enhets bedömning: nivå, krav med skäl, svarstid",
        parameters=[AS_OF],
        responses={200: s.UnitDetail, 400: BAD_REQUEST, **ERRORS, **NOT_FOUND},
    )
    def get(self, request, hsa_id: str):
        return Response(s.UnitDetail(selectors.unit(request.user, hsa_id, request.query_params)).data)


class RulebookView(APIView):
    permission_classes = [ReadsRulebook]

    @extend_schema(
        summary="Regelverket i kraft (eller per ?as_of=) som regelboksfilen",
        parameters=[AS_OF],
        responses={200: s.Rulebook, 400: BAD_REQUEST, **ERRORS, **NOT_FOUND},
    )
    def get(self, request):
        return Response(s.Rulebook(selectors.rulebook(request.query_params)).data)


def _exemption_url(request, exemption) -> str:
    return request.build_absolute_uri(reverse("api:exemption", args=[exemption.exemption_id]))


class ExemptionList(APIView):
    permission_classes = [HasToken]

    @extend_schema(
        operation_id="exemptions_list",
        summary="Avstegen för enheterna personen får se",
        parameters=[
            OpenApiParameter("unit", str, description="Enhetens HSA-id"),
            OpenApiParameter(
                "status", str, description="draft, submitted, approved, rejected, revoked, expired"
            ),
            PAGE_SIZE,
            CURSOR,
        ],
        responses={200: s.ExemptionPage, 400: BAD_REQUEST, **ERRORS, **NOT_FOUND},
    )
    def get(self, request):
        pages = ExemptionPages()
        page = pages.paginate_queryset(
            selectors.exemptions(request.user, request.query_params), request, self
        )
        for exemption in page:
            exemption.url = _exemption_url(request, exemption)
        return pages.get_paginated_response(s.Exemption(page, many=True).data)


class ExemptionDetail(APIView):
    permission_classes = [HasToken]

    @extend_schema(
        operation_id="exemption_detail",
        summary="Ett avsteg",
        responses={200: s.ExemptionDetail, **ERRORS, **NOT_FOUND},
    )
    def get(self, request, exemption_id: str):
        exemption = selectors.exemption(request.user, exemption_id)
        exemption.url = _exemption_url(request, exemption)
        return Response(s.ExemptionDetail(exemption).data)


def _job_url(request, job: ImportJob) -> str:
    return request.build_absolute_uri(reverse("api:import_job", args=[job.pk]))


class ImportStart(APIView):
    permission_classes = [ImportsFiles]
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Importera en fil (samma import som import_data, allt eller inget)",
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(registry.KINDS))],
        request={"multipart/form-data": s.ImportUpload},
        responses={202: s.ImportStarted, 400: BAD_REQUEST, **ERRORS, **NOT_FOUND},
    )
    def post(self, request, kind: str):
        if kind not in registry.kinds():
            raise NotFound(
                f"Det finns inget importslag ”{kind[:40]}”; slagen är {', '.join(registry.kinds())}."
            )
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Skicka filen i fältet ”file” (multipart/form-data)."]})
        if Path(upload.name).suffix.lower() not in import_jobs.ALLOWED_SUFFIXES:
            raise ValidationError(
                {"file": ["Filen ska vara en CSV-fil (.csv, .txt) eller en Excel-fil (.xlsx)."]}
            )
        if upload.size > import_jobs.MAX_UPLOAD_BYTES:
            raise ValidationError({"file": ["Filen är större än 500 MB; dela upp den."]})
        job = import_jobs.start_import(kind=kind, upload=upload, actor=request.user)
        audit(
            action="api_import_started",
            object_type="importjob",
            object_id=job.pk,
            actor=request.user,
            detail={"kind": kind, "filename": job.filename, "token": request.auth.name},
        )
        url = _job_url(request, job)
        body = s.ImportStarted({"id": job.pk, "status": job.status, "url": url}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": url})


class ImportJobView(APIView):
    permission_classes = [ReadsImports]

    @extend_schema(
        summary="En imports läge och meddelanden med radnummer",
        parameters=[OpenApiParameter("job_id", int, OpenApiParameter.PATH)],
        responses={200: s.ImportJob, **ERRORS, **NOT_FOUND},
    )
    def get(self, request, job_id: str):
        pk = int(job_id)
        job = ImportJob.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
        if job is None:
            raise NotFound("Importen finns inte.")
        data = {
            "id": job.pk,
            "kind": job.kind,
            "filename": job.filename,
            "status": job.status,
            "done": not job.running,
            "summary": job.summary,
            "message": job.message,
            "problems": selectors.problems(job),
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
        }
        return Response(s.ImportJob(data).data)

    @extend_schema(exclude=True)
    def post(self, request, job_id: str):
        """POST imports/<a number>/: a number is no import kind."""
        raise NotFound(f"Det finns inget importslag ”{job_id}”; slagen är {', '.join(registry.kinds())}.")


class NotFoundView(APIView):
    """Anything else under /api/: a 404 in JSON, as every other answer of the API."""

    permission_classes = []
    authentication_classes = []
    throttle_classes = []

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        raise NotFound("Adressen finns inte i API:t; se /api/docs/.")

    post = get


class Docs(SpectacularRedocView):
    """Redoc from drf-spectacular-sidecar's vendored files, without the web fonts of drf-spectacular's
    own template (no CDN). Redoc renders in a web worker from a blob: and sets inline styles."""

    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.headers["Content-Security-Policy"] = content_security_policy() + "; worker-src 'self' blob:"
        return response
