"""Enqueueing after commit when the broker is down: the change stands, and once the broker has
refused one task the others of the moment are left to their sweeps instead of each waiting out
its own connection timeouts."""

import logging

from trust import queue


class Refusing:
    """A task whose broker refuses it, counting the tries."""

    name = "tests.refused"

    def __init__(self):
        self.tries = 0

    def delay(self, *args, **kwargs):
        self.tries += 1
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


class Taking(Refusing):
    def delay(self, *args, **kwargs):
        self.tries += 1


def test_after_one_refusal_the_broker_is_not_tried_again_for_a_while(
    db, caplog, django_capture_on_commit_callbacks
):
    refused, other = Refusing(), Taking()
    with caplog.at_level(logging.WARNING, logger="trust.queue"), \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue.enqueue_on_commit(refused, 1)
        queue.enqueue_on_commit(other, 2)
        queue.enqueue_on_commit(refused, 3)
    assert len(callbacks) == 3
    assert refused.tries == 1 and other.tries == 0
    assert "left to its periodic sweep" in caplog.text
    assert queue.broker_paused()


def test_the_broker_is_tried_again_after_the_pause(db, monkeypatch):
    refused = Refusing()
    assert queue.send_now(refused) is False
    clock = queue.time.monotonic() + queue.BROKER_PAUSE + 1
    monkeypatch.setattr(queue.time, "monotonic", lambda: clock)
    taking = Taking()
    assert queue.send_now(taking) is True
    assert taking.tries == 1


def test_a_broker_that_takes_tasks_is_never_paused(db):
    taking = Taking()
    assert all(queue.send_now(taking, n) for n in range(3))
    assert taking.tries == 3 and not queue.broker_paused()
