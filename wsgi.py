"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from careers_app import create_app

app = create_app()
