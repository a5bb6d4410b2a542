from django.urls import path

from . import views

urlpatterns = [
    path("schools/<str:urn>/plans/past-review/", views.plans_past_review, name="plans-past-review"),
    path("account/weekly-email/", views.weekly_email, name="weekly-email"),
]
