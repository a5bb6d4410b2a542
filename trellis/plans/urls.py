from django.urls import include, path

from . import views

urlpatterns = [
    path("pupils/<int:pupil_id>/plans/", views.pupil_plans, name="pupil-plans"),
    path("pupils/<int:pupil_id>/plans/new/", views.new_plan, name="plan-new"),
    path("pupils/<int:pupil_id>/progress/", views.pupil_progress, name="pupil-progress"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/edit/", views.edit_plan, name="plan-edit"),
    path("plans/<int:plan_id>/state/", views.change_plan_state, name="plan-state"),
    path("plans/<int:plan_id>/targets/new/", views.new_target, name="target-new"),
    path("plans/<int:plan_id>/targets/smart-check/", views.smart_check, name="target-smart-check"),
    path("targets/<int:target_id>/", views.target_detail, name="target"),
    path("targets/<int:target_id>/edit/", views.edit_target, name="target-edit"),
    path("targets/<int:target_id>/roll-over/", views.roll_over, name="target-roll-over"),
    path("targets/<int:target_id>/review/", views.review_row, name="target-review-row"),
    path("reviews/<int:review_id>/", views.correct_review, name="review-correct"),
    path("targets/<int:target_id>/steps/<int:step_id>/", views.tick_small_step, name="target-step"),
    path("schools/<str:urn>/reviews/", views.review_entry, name="review-entry"),
    path("schools/<str:urn>/targets/", views.class_overview, name="target-overview"),
    path("schools/<str:urn>/smart-check/", views.smart_list, name="smart-list"),
    path("", include("trellis.assessment.urls")),
]
