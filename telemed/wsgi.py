import os

from django.core.wsgi import get_wsgi_application

from telemed.runtime import tune_gc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telemed.settings")
application = get_wsgi_application()
# After the app is loaded, so Django's long-lived objects are frozen out of the collector.
tune_gc()
