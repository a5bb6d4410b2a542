from django.urls import path

from . import release_views as releases
from . import report_views, views

urlpatterns = [
    path("pupils/<int:pupil_id>/documents/<slug:kind>/", views.pupil_document, name="pupil-document"),
    path(
        "pupils/<int:pupil_id>/documents/<slug:kind>.pdf",
        views.pupil_document,
        {"fmt": "pdf"},
        name="pupil-document-pdf",
    ),
    path("pupils/<int:pupil_id>/documents/transition.zip", views.transition_package, name="pupil-transition-package"),
    path("pupils/<int:pupil_id>/documents/<slug:kind>/versions/", releases.versions, name="document-versions"),
    path("pupils/<int:pupil_id>/drafts/<int:draft_id>/", releases.draft_page, name="document-draft"),
    path("pupils/<int:pupil_id>/drafts/<int:draft_id>/preview/", releases.draft_preview, name="document-draft-preview"),
    path("pupils/<int:pupil_id>/drafts/<int:draft_id>/release/", releases.release, name="document-release"),
    path("pupils/<int:pupil_id>/released/<int:release_id>/", releases.released, name="document-released"),
    path("pupils/<int:pupil_id>/released/<int:release_id>.pdf", releases.released_pdf, name="document-released-pdf"),
    path(
        "family/children/<int:pupil_id>/documents/<int:release_id>.pdf",
        releases.family_document,
        name="family-document",
    ),
    path("schools/<str:urn>/documents/batch/", releases.batch_page, name="document-batch"),
    path("jobs/<int:pk>/zip/", releases.batch_download, name="document-batch-download"),
    path("schools/<str:urn>/documents/<slug:kind>/", views.school_document, name="school-document"),
    path(
        "schools/<str:urn>/documents/<slug:kind>.pdf", views.school_document, {"fmt": "pdf"}, name="school-document-pdf"
    ),
]

# The SEN information report: public (no sign-in), then the SENCO's pages.
REPORT = "schools/<str:urn>/sen-information-report"
urlpatterns += [
    path(f"{REPORT}/", report_views.public_report, name="information-report"),
    path(f"{REPORT}.pdf", report_views.public_report, {"fmt": "pdf"}, name="information-report-pdf"),
    path(f"{REPORT}/draft/", report_views.draft, name="information-report-draft"),
    path(f"{REPORT}/draft/start/", report_views.start, name="information-report-start"),
    path(f"{REPORT}/draft/headings/<slug:heading>/", report_views.section, name="information-report-section"),
    path(f"{REPORT}/draft/contacts/", report_views.contacts, name="information-report-contacts"),
    path(f"{REPORT}/draft/training/", report_views.add_training, name="information-report-training"),
    path(
        f"{REPORT}/draft/training/<int:training_id>/remove/",
        report_views.remove_training,
        name="information-report-training-remove",
    ),
    path(f"{REPORT}/draft/publish/", report_views.publish, name="information-report-publish"),
    # An earlier year's, e.g. 2025-26 (after the draft's paths: "draft" is no year).
    path(f"{REPORT}/<slug:year>/", report_views.public_report, name="information-report-year"),
    path(f"{REPORT}/<slug:year>.pdf", report_views.public_report, {"fmt": "pdf"}, name="information-report-year-pdf"),
]
