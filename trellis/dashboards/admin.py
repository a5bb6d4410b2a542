from django.contrib import admin

from .models import NationalFigure


@admin.register(NationalFigure)
class NationalFigureAdmin(admin.ModelAdmin):
    list_display = ["measure", "group", "need", "destination", "percent", "year", "source", "school"]
    list_filter = ["measure", "year"]
