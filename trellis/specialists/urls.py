from django.urls import path

from . import views

PUPIL = "pupils/<int:pupil_id>/specialists/"

urlpatterns = [
    path("specialist/", views.specialist_home, name="specialist-home"),
    path(PUPIL, views.pupil_specialists, name="pupil-specialists"),
    path(PUPIL + "advice/new/", views.add_advice, name="advice-new"),
    path(PUPIL + "advice/<int:advice_id>/report/", views.advice_report, name="advice-report"),
    path(
        PUPIL + "recommendations/<int:recommendation_id>/strategy/", views.make_strategy, name="recommendation-strategy"
    ),
    path(PUPIL + "recommendations/<int:recommendation_id>/target/", views.make_target, name="recommendation-target"),
    path(PUPIL + "referrals/new/", views.add_referral, name="referral-new"),
    path(PUPIL + "referrals/<int:referral_id>/", views.change_referral, name="referral-change"),
    path("schools/<str:urn>/referrals/", views.referral_waits, name="referral-waits"),
]
