"""Billing's API on a council's host (included from config.urls_tenant under api/v1/)."""

from django.urls import path

from billing.api.council import ExportApi, InvoiceListApi, LicenceApi, PortalApi, SeatsApi

urlpatterns = [
    path("billing/", LicenceApi.as_view(), name="api-billing-licence"),
    path("billing/invoices/", InvoiceListApi.as_view(), name="api-billing-invoices"),
    path("billing/seats/", SeatsApi.as_view(), name="api-billing-seats"),
    path("billing/portal/", PortalApi.as_view(), name="api-billing-portal"),
    path("export/", ExportApi.as_view(), name="api-export"),
]
