"""A URL configuration for API tests: the site plus ``delivery_router`` and ``survey_router`` under
/api/v1/ with the main API's authentication and error handlers (until ``siaga/api/urls.py`` mounts them)."""

from django.urls import path
from ninja import NinjaAPI

from siaga.api.urls import api
from siaga.delivery.api import router as delivery_router
from siaga.survey.api import router as survey_router
from siaga.urls import urlpatterns as site

mounted = {router for _prefix, router in api._routers}
if delivery_router in mounted:
    urlpatterns = site
else:
    test_api = NinjaAPI(auth=api.auth, urls_namespace="api_delivery_tests")
    test_api._exception_handlers = api._exception_handlers
    test_api.add_router("/v1/", delivery_router)
    test_api.add_router("/v1/", survey_router)
    urlpatterns = [path("api/", test_api.urls), *site]
