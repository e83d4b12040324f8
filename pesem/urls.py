from django.contrib import admin
from django.urls import include, path

from objectives import views as objective_views

urlpatterns = [
    path("", objective_views.home, name="home"),
    path("", include("indicators.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
