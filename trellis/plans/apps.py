from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "trellis.plans"
    verbose_name = "Plans, targets and reviews"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from .models import Review
        from .tally import forget_deleted_review

        pre_delete.connect(forget_deleted_review, sender=Review, dispatch_uid="review-tally")
