from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "trellis.plans"
    verbose_name = "Plans, targets and reviews"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_delete

        from trellis.pupils.models import Pupil

        from . import rollup
        from .models import Plan, Review, Target
        from .tally import forget_deleted_review

        pre_delete.connect(forget_deleted_review, sender=Review, dispatch_uid="review-tally")
        # The progress rollups follow every saved or deleted target, plan and pupil (refresh_summary,
        # which writes with update(), calls rollup.refresh itself). The services run in
        # rollup.deferred(), so these refresh once at a service's end; other saves, at once.
        post_save.connect(rollup.target_saved, sender=Target, dispatch_uid="rollup-target-saved")
        post_delete.connect(rollup.target_deleted, sender=Target, dispatch_uid="rollup-target-deleted")
        post_save.connect(rollup.plan_saved, sender=Plan, dispatch_uid="rollup-plan-saved")
        post_save.connect(rollup.pupil_saved, sender=Pupil, dispatch_uid="rollup-pupil-saved")
