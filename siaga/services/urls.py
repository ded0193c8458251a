"""Back office of the public services (mounted at ``services/``). Each part keeps its own patterns."""

from siaga.services import urls_documents, urls_office

app_name = "services"

urlpatterns = [*urls_office.urlpatterns, *urls_documents.urlpatterns]
