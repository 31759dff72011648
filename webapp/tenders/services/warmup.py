"""A serving worker's warm-up: its first matches request, made before it takes connections."""

import logging
import time

from flask import Flask
from sqlmodel import Session, select

from models import Enterprise
from webapp.db import ENGINE_KEY
from webapp.tenders.services.index import FIRST_LOAD_WAIT_S, wait_for_first_load
from webapp.tenders.services.listing import MatchFilters, ranked_for

log = logging.getLogger("matchmaker.index")


def warm_up_worker(app: Flask, timeout: float = FIRST_LOAD_WAIT_S) -> None:
    """At a serving worker's start, before it accepts connections (gunicorn's
    ``post_worker_init``, see gunicorn.conf.py): wait for the start-up load of the index, then
    make one enterprise's ranked list as a matches request does, and forget its scores.

    That does once what a worker's first matches request would otherwise pay for: the first
    database connection and the compilation of the list's queries, the products' first
    reading of every page of the mapped arrays (each first reading of a page is a fault), the
    decoding of the lots explained, and the locale data, time zones and number patterns the
    read models format with. The score cache is emptied again, so no request is answered from
    the warm-up's work: the first request is timed as any later one with a new profile.
    """
    started = time.perf_counter()
    loaded = wait_for_first_load(app, timeout)
    with app.test_request_context("/"), Session(app.extensions[ENGINE_KEY]) as db:
        enterprise = db.exec(select(Enterprise).order_by(Enterprise.id).limit(1)).first()
        if loaded is not None and enterprise is not None:
            ranked_for(db, enterprise, MatchFilters())
            loaded.forget_scores()
        db.rollback()
    log.info("worker ready in %.2fs (index %s)", time.perf_counter() - started,
             loaded.version if loaded is not None else "none")
