"""The FastAPI application factory: API routers under /api/v1, the web console, health and metrics."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import text

from yikatong import __version__, errors_http, jobs
from yikatong.access.api import router as access_router
from yikatong.attendance.api import router as attendance_router
from yikatong.audit.api import router as audit_router
from yikatong.auth.api import router as auth_router
from yikatong.auth.person_api import router as person_router
from yikatong.cards.api import router as cards_router
from yikatong.config import Settings, get_settings
from yikatong.db import Database
from yikatong.enterprises.api import router as enterprises_router
from yikatong.keys import vault as key_vault
from yikatong.keys.api import router as keys_router
from yikatong.knowledge.api import router as kb_router
from yikatong.members.api import router as members_router
from yikatong.offline.api import router as offline_router
from yikatong.ota import channel as ota_channel
from yikatong.purse.api import router as purse_router
from yikatong.servicedesk.api import router as tickets_router
from yikatong.servicedesk.report_api import router as service_reports_router
from yikatong.servicedesk.teams_api import router as service_teams_router
from yikatong.servicedesk.tmf_api import router as tmf621_router
from yikatong.terminals.api import router as terminals_router
from yikatong.metrics import Metrics, MetricsMiddleware
from yikatong.notify.api import router as notify_router

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, database: Database | None = None,
               start_worker: bool = False) -> FastAPI:
    """``start_worker`` runs the notification worker and the periodic jobs (yikatong.jobs) in threads
    while the app serves (``ykt serve``)."""
    settings = settings or get_settings()
    db = database or Database(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    app = FastAPI(
        title="Yikatong (一卡通) platform API",
        version=__version__,
        description="Enterprise one-card platform: enterprises, members, cards, purse, terminals, service desk.",
        lifespan=jobs.lifespan(db, settings) if start_worker else None,
    )
    app.state.db = db
    app.state.settings = settings
    key_vault.configure_from_settings(settings)  # a malformed YKT_KEY_ENCRYPTION_KEY fails here, at start
    ota_channel.configure_from_settings(settings)  # the development card store unless configured otherwise

    # Routes are matched in order: the terminals' hot paths (purchases at canteen rush hour) first.
    for router in (purse_router, terminals_router, auth_router, person_router, enterprises_router, members_router,
                   cards_router, notify_router, audit_router, service_reports_router, kb_router,
                   tickets_router, service_teams_router, keys_router, offline_router, attendance_router,
                   access_router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(tmf621_router)  # the TM Forum path, outside /api/v1
    errors_http.install(app)

    from yikatong.web import mount as mount_web

    mount_web(app)

    @app.get("/healthz", tags=["operations"], summary="Liveness and database reachability")
    def healthz() -> dict:
        with db.read() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "database": db.dialect, "version": __version__}

    metrics = Metrics()
    app.add_route("/metrics", metrics.endpoint, include_in_schema=False)
    app.add_middleware(MetricsMiddleware, metrics=metrics, api_prefix=API_PREFIX)
    return app
