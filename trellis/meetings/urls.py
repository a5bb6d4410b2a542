from django.urls import path

from . import views

urlpatterns = [
    path("schools/<str:urn>/meetings/", views.meeting_list, name="meetings"),
    path("schools/<str:urn>/meetings/new/", views.schedule, name="meeting-new"),
    path("schools/<str:urn>/meetings/reasons/", views.reasons, name="meeting-reasons"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/invite/", views.invite, name="meeting-invite"),
    path("meetings/<int:meeting_id>/pupils/<int:pupil_id>/prepare/", views.prepare_pupil, name="meeting-prepare"),
    path("meetings/<int:meeting_id>/pupils/<int:pupil_id>/record/", views.record_pupil, name="meeting-record"),
    path("meetings/<int:meeting_id>/pupils/<int:pupil_id>/actions/new/", views.new_action, name="meeting-action-new"),
    path(
        "meetings/<int:meeting_id>/pupils/<int:pupil_id>/decisions/new/",
        views.new_decision,
        name="meeting-decision-new",
    ),
    path("meetings/<int:meeting_id>/pupils/<int:pupil_id>/for-parents/", views.parents_record, name="meeting-parents"),
    path("actions/<int:action_id>/done/", views.action_done, name="meeting-action-done"),
    path("my-actions/", views.my_actions, name="my-actions"),
]
