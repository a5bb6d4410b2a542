from django.urls import path

from . import pupil_views, views

urlpatterns = [
    path("family/", views.family_home, name="family-home"),
    path("family/children/<int:pupil_id>/", views.child, name="family-child"),
    path("family/children/<int:pupil_id>/targets/", views.targets, name="family-targets"),
    path("family/children/<int:pupil_id>/report/", views.report, name="family-report"),
    path("family/children/<int:pupil_id>/shared/", views.shared_notes, name="family-shared"),
    path("family/children/<int:pupil_id>/views/", views.give_views, name="family-views"),
    path("family/children/<int:pupil_id>/agree/", views.agree, name="family-agree"),
    path("family/children/<int:pupil_id>/consent/", views.consent, name="family-consent"),
    path("invitation/<str:token>/", views.sign_up, name="family-sign-up"),
    path("pupils/<int:pupil_id>/family/", views.manage, name="pupil-family"),
    path("pupils/<int:pupil_id>/family/<int:carer_id>/restrict/", views.restrict, name="pupil-family-restrict"),
    path("my/", pupil_views.own_page, name="pupil-own"),
    path("pupils/<int:pupil_id>/sign-in/", pupil_views.pupil_sign_in, name="pupil-sign-in"),
    path("schools/<str:urn>/pupil-sign-in/", pupil_views.school_setting, name="school-pupil-sign-in"),
]
