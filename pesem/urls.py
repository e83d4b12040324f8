from django.contrib import admin
from django.urls import include, path

from objectives import views as objective_views
from pesem.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("plan/", objective_views.home, name="plan"),
    path("cuenta/", objective_views.account, name="account"),
    path("objetivos/<int:number>/", objective_views.objective_detail, name="objective_detail"),
    path("prospectiva/", include("objectives.prospective_urls")),
    path("", include("indicators.urls")),
    path("", include("actors.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
