import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
application = get_wsgi_application()

# Imported after the application is set up: its settings and apps are what the worker freezes.
from dangjian.core.collector import tune_for_requests  # noqa: E402

tune_for_requests()
