"""The HTTP floor: a bare Flask "hello" that bench/harness.py serves under the same gunicorn
settings as the app, so every page can be set beside the cost of HTTP + WSGI + Flask alone."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
