from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("schools/<str:urn>/", views.school_overview, name="school"),
    path("schools/<str:urn>/register/", views.register, name="register"),
    path("schools/<str:urn>/office-access/", views.office_access, name="office-access"),
    re_path(r"^schools/(?P<urn>\w+)/register\.(?P<download>csv|xlsx)$", views.register, name="register-download"),
    path("pupils/<int:pupil_id>/", views.pupil_profile, name="pupil"),
    path("pupils/<int:pupil_id>/sen-status/", views.change_sen_status, name="pupil-sen-status"),
    path("pupils/<int:pupil_id>/needs/", views.change_needs, name="pupil-needs"),
    path("pupils/<int:pupil_id>/ehc-plan/", views.change_ehc_plan, name="pupil-ehc-plan"),
    path("pupils/<int:pupil_id>/share/", views.share_pupil, name="pupil-share"),
    path("pupils/<int:pupil_id>/shares/<int:share_id>/end/", views.end_share, name="pupil-share-end"),
    path("pupils/<int:pupil_id>/confidential/", views.change_confidential, name="pupil-confidential"),
]
