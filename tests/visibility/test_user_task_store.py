"""The task list in the query store: user tasks and forms projected from the records the
in-process engine wrote, queried by state, assignee, candidate group and instance, one task
with its form, on SQLite and PostgreSQL, in batches of any size."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clients.client import connect
from processors.exporter.errors import NotFoundError
from processors.exporter.queries import Queries
from processors.exporter.store import open_store
from tests.engine.conftest import events, scenario
from tests.visibility.projection_helpers import apply_records


def _records() -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Four tasks: one open for clerks and managers claimed by ann, one completed, one
    canceled with its instance, one open with a deployed form; and their keys."""
    with connect("memory://?partitions=2") as client:
        client.deploy(scenario("camunda_user_task.bpmn"))
        client.deploy(scenario("camunda_user_task_form.bpmn"), scenario("review.form"))
        keys: dict[str, int] = {}
        for name in ("claimed", "completed", "canceled"):
            instance = client.create_instance("camunda_user_task")
            [task] = events(
                client, valueType="USER_TASK", intent="CREATED", processInstanceKey=instance
            )
            keys[name] = task["key"]
            keys[f"{name}_instance"] = instance
        client.claim_user_task(keys["claimed"], "ann")
        client.update_user_task(keys["claimed"], candidate_groups=["clerks", "audit"], priority=5)
        client.complete_user_task(keys["completed"], {"approved": True})
        client.cancel_instance(keys["canceled_instance"])
        instance = client.create_instance("camunda_user_task_form")
        [task] = events(
            client, valueType="USER_TASK", intent="CREATED", processInstanceKey=instance
        )
        keys["form"] = task["key"]
        # the JSON of the records as Kafka carries them (lists, not tuples)
        records = json.loads(json.dumps(client.records()))
    return records, keys


RECORDS, KEYS = _records()


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_tasks_by_state_assignee_and_group(store_url: str, batch_size: int) -> None:
    with open_store(store_url) as store:
        apply_records(store, RECORDS, batch_size=batch_size)
        q = Queries(store)
        open_keys = {t.user_task_key for t in q.user_tasks(state="CREATED")}
        assert open_keys == {KEYS["claimed"], KEYS["form"]}
        assert [t.user_task_key for t in q.user_tasks(state="COMPLETED")] == [KEYS["completed"]]
        assert [t.user_task_key for t in q.user_tasks(state="CANCELED")] == [KEYS["canceled"]]
        assert [t.user_task_key for t in q.user_tasks(assignee="ann")] == [KEYS["claimed"]]
        # the update replaced managers by audit
        assert [t.user_task_key for t in q.user_tasks(candidate_group="audit")] == [KEYS["claimed"]]
        managers = {t.user_task_key for t in q.user_tasks(candidate_group="managers")}
        assert managers == {KEYS["completed"], KEYS["canceled"]}
        assert [t.user_task_key for t in q.user_tasks(candidate_user="ann", state="CREATED")] == [
            KEYS["claimed"]
        ]
        [unassigned] = q.user_tasks(assignee="", state="CREATED")
        assert unassigned.user_task_key == KEYS["form"]
        instance_tasks = q.user_tasks(process_instance_key=KEYS["completed_instance"])
        assert [t.user_task_key for t in instance_tasks] == [KEYS["completed"]]


def test_one_task_with_its_values_and_form(store_url: str) -> None:
    with open_store(store_url) as store:
        apply_records(store, RECORDS)
        q = Queries(store)
        claimed = q.user_task(KEYS["claimed"])
        task = claimed.task
        assert (task.state, task.assignee, task.priority) == ("CREATED", "ann", 5)
        assert task.candidate_groups == ("clerks", "audit") and task.candidate_users == ("ann",)
        assert task.due_date == "2030-01-31T12:00:00Z" and task.completion_time is None
        assert task.external_form_reference == "https://forms.example/review"
        assert claimed.form is None
        done = q.user_task(KEYS["completed"]).task
        assert done.state == "COMPLETED" and done.completion_time is not None
        with_form = q.user_task(KEYS["form"])
        assert with_form.form is not None and with_form.task.form_id == "review-form"
        assert with_form.form.form_key == with_form.task.form_key
        assert json.loads(with_form.form.schema)["id"] == "review-form"
        assert q.latest_form("review-form").version == 1
        assert with_form.to_json()["form"]["formId"] == "review-form"
        with pytest.raises(NotFoundError):
            q.user_task(1)


def test_applying_the_records_again_changes_nothing(store_url: str) -> None:
    with open_store(store_url) as store:
        apply_records(store, RECORDS, batch_size=3)
        q = Queries(store)
        before = [t.to_json() for t in q.user_tasks(limit=100)]
        assert apply_records(store, RECORDS, batch_size=11) == 0
        assert [t.to_json() for t in q.user_tasks(limit=100)] == before
