"""`make test` runs the suite in several processes: each one empties a Redis database of its own."""

from tests.conftest import redis_url_of_worker


def test_each_worker_has_its_own_redis_database():
    assert redis_url_of_worker("redis://127.0.0.1:6379/12", 0) == "redis://127.0.0.1:6379/12"
    assert redis_url_of_worker("redis://127.0.0.1:6379/12", 1) == "redis://127.0.0.1:6379/13"
    assert redis_url_of_worker("redis://127.0.0.1:6379", 2) == "redis://127.0.0.1:6379/2"
    assert (redis_url_of_worker("redis://:pw@db.example:6380/3?timeout=5", 1)
            == "redis://:pw@db.example:6380/4?timeout=5")
