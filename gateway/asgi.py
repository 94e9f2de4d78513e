"""The ASGI entry point uvicorn imports (in each worker process)."""
from gateway.app import create_app
from gateway.logs import ensure_logging
from gateway.memory import collect_young_less_often, freeze_startup_heap, limit_malloc_arenas
from gateway.settings import Settings

limit_malloc_arenas()  # before the app starts any thread (importing it starts none): see gateway/memory.py

settings = Settings.from_env()
# `invoice-gateway serve` has configured logging already; this covers `uvicorn gateway.asgi:app`
# run by hand: JSON logs, and the redaction filter on uvicorn's handlers (its access log too).
ensure_logging(settings.log_level, settings.log_json)
app = create_app(settings, started=[freeze_startup_heap, collect_young_less_often])  # see gateway/memory.py
