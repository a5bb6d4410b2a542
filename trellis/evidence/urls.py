from django.urls import path

from . import views, voice

urlpatterns = [
    path("pupils/<int:pupil_id>/evidence/", views.evidence_page, name="pupil-evidence"),
    path("pupils/<int:pupil_id>/evidence/notes/new/", views.add_note, name="evidence-note-new"),
    path("pupils/<int:pupil_id>/evidence/notes/<int:note_id>/file/", views.note_file, name="evidence-note-file"),
    path("pupils/<int:pupil_id>/evidence/notes/<int:note_id>/", views.change_note, name="evidence-note-change"),
    path("pupils/<int:pupil_id>/evidence/voice/new/", views.add_voice, name="evidence-voice-new"),
    path("pupils/<int:pupil_id>/voice/", voice.voice_page, name="pupil-voice"),
    path("voice/unlock/", voice.leave_voice, name="pupil-voice-leave"),
    path("pupils/<int:pupil_id>/evidence/weeks/new/", views.record_week, name="evidence-week-new"),
    path("pupils/<int:pupil_id>/evidence/exclusions/new/", views.add_exclusion, name="evidence-exclusion-new"),
    path(
        "pupils/<int:pupil_id>/evidence/exclusions/<int:exclusion_id>/",
        views.change_exclusion,
        name="evidence-exclusion-change",
    ),
    path("schools/<str:urn>/weekly/import/", views.import_weeks, name="weekly-import"),
]
