from django.urls import path

from . import views

urlpatterns = [
    path("schools/<str:urn>/deadlines/", views.school_deadlines, name="deadlines"),
    path("deadlines/", views.trust_deadlines, name="deadlines-trust"),
    path("pupils/<int:pupil_id>/deadlines/", views.pupil_deadlines, name="pupil-deadlines"),
    path("pupils/<int:pupil_id>/ehc-requests/new/", views.new_request, name="ehc-request-new"),
    path("ehc-requests/<int:request_id>/", views.edit_request, name="ehc-request"),
    path("pupils/<int:pupil_id>/annual-review/", views.edit_review, name="annual-review"),
    path(
        "pupils/<int:pupil_id>/annual-reviews/<int:annual_review_id>/", views.edit_review, name="annual-review-earlier"
    ),
    path("pupils/<int:pupil_id>/support-reviews/new/", views.new_support_review, name="support-review-new"),
    path("account/calendar/", views.calendar_link, name="calendar-link"),
    path("calendar/<str:key>.ics", views.calendar_feed, name="calendar-feed"),
]
