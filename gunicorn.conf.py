"""gunicorn's settings, read from the working directory (``make serve-production``).

A worker accepts connections once its matching index is loaded and warm, instead of making its
first matches request wait for the load (see ``webapp.tenders.services.warmup``).
"""


def post_worker_init(worker):
    from webapp.tenders.services.index import settle_heap
    from webapp.tenders.services.warmup import warm_up_worker

    warm_up_worker(worker.wsgi)
    settle_heap()
