"""The product's URLconf plus the framework floor: an empty DRF POST (benchmark only)."""

from django.urls import include, path

from benchmarks.views import EmptyPostApi

urlpatterns = [
    path("bench/empty/", EmptyPostApi.as_view(), name="bench_empty"),
    path("", include("telemed.urls")),
]
