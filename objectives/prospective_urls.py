from django.urls import path

from objectives import views_prospective

urlpatterns = [
    path("", views_prospective.prospective, name="prospective"),
]
