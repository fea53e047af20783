"""Scenarios: which version a call activity calls (`zeebe:calledElement bindingType`):
`latest`, `deployment` (the version deployed together with the calling process) and
`versionTag` (the latest version with that `zeebe:versionTag`); the incidents when there is
none, the deployment check of a static 'deployment' binding, and the resources of a
deployment being versioned together (which the 'deployment' binding relies on)."""

from __future__ import annotations

import pytest

from clients.client import Client
from clients.errors import InvalidArgumentError
from tests.engine.conftest import called_instance, completed_elements, events, scenario


def _called(client: Client, parent: int) -> tuple[int, str]:
    """(version, job type) of the instance the parent called."""
    child = called_instance(client, parent)
    [job] = events(client, valueType="JOB", intent="CREATED", processInstanceKey=child["key"])
    return child["value"]["version"], job["value"]["type"]


def test_deployment_binding_calls_the_version_deployed_with_the_caller(client: Client) -> None:
    client.deploy(scenario("bound_child_v1.bpmn"), scenario("bind_deployment.bpmn"))
    client.deploy(scenario("bound_child_v2.bpmn"), scenario("bind_latest.bpmn"))
    by_deployment = client.create_instance("bind_deployment")
    by_latest = client.create_instance("bind_latest")
    assert _called(client, by_deployment) == (1, "bound-v1")
    assert _called(client, by_latest) == (2, "bound-v2")


def test_resources_of_a_deployment_are_versioned_together(client: Client) -> None:
    client.deploy(scenario("bound_child_v1.bpmn"), scenario("bind_deployment.bpmn"))
    client.deploy(scenario("bound_child_v2.bpmn"))
    # The caller is unchanged, but deployed with a changed child: both get a new version.
    third = client.deploy(scenario("bound_child_v1.bpmn"), scenario("bind_deployment.bpmn"))
    versions = {p.bpmn_process_id: (p.version, p.duplicate) for p in third.processes}
    assert versions == {"bound_child": (3, False), "bind_deployment": (2, False)}
    new = client.create_instance("bind_deployment")
    old = client.create_instance("bind_deployment", version=1)
    assert _called(client, new) == (3, "bound-v1")
    assert _called(client, old) == (1, "bound-v1")
    # Nothing changed at all: every process keeps its version.
    again = client.deploy(scenario("bound_child_v1.bpmn"), scenario("bind_deployment.bpmn"))
    assert {(p.version, p.duplicate) for p in again.processes} == {(3, True), (2, True)}
    assert {p.process_definition_key for p in again.processes} == {
        p.process_definition_key for p in third.processes
    }


def test_a_static_deployment_binding_needs_the_called_process_in_the_deployment(
    client: Client,
) -> None:
    client.deploy(scenario("bound_child_v1.bpmn"))
    with pytest.raises(InvalidArgumentError) as error:
        client.deploy(scenario("bind_deployment.bpmn"))
    assert error.value.reason == (
        "Expected to deploy new resources, but encountered the following errors:\n"
        "'bind_deployment.bpmn':\n"
        "- Element: call > extensionElements > calledElement\n"
        "    - ERROR: Expected to find process with id 'bound_child' in current deployment,"
        " but not found.\n"
    )


def test_version_tag_binding_calls_the_latest_version_with_the_tag(client: Client) -> None:
    client.deploy(scenario("bound_child_v1.bpmn"))
    client.deploy(scenario("bound_child_v2.bpmn"))
    client.deploy(scenario("bind_tag.bpmn"))
    parent = client.create_instance("bind_tag", {"childId": "bound_child"})
    assert _called(client, parent) == (1, "bound-v1")
    [job] = client.activate_jobs("bound-v1", max_jobs=1, timeout=60)
    client.complete_job(job.key)
    assert completed_elements(client, parent)[-1] == "bind_tag"


def test_a_missing_version_tag_is_an_incident_resolved_after_deploying_it(
    client: Client,
) -> None:
    client.deploy(scenario("bound_child_v2.bpmn"), scenario("bind_tag.bpmn"))
    parent = client.create_instance("bind_tag", {"childId": "bound_child"})
    [incident] = events(client, valueType="INCIDENT", intent="CREATED")
    assert incident["value"]["errorType"] == "CALLED_ELEMENT_ERROR"
    assert incident["value"]["errorMessage"] == (
        "Expected to call process with BPMN process id 'bound_child' and version tag 'v1',"
        " but no such process found. To resolve this incident, deploy a process with the"
        " given process id and version tag."
    )
    client.deploy(scenario("bound_child_v1.bpmn"))
    client.resolve_incident(incident["key"])
    assert _called(client, parent) == (2, "bound-v1")


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            'processId="bound_child" bindingType="newest"',
            "Attribute 'bindingType' must be one of: deployment, latest, versionTag",
        ),
        (
            'processId="bound_child" bindingType="versionTag"',
            "Attribute 'versionTag' must be present and not empty if 'bindingType' is 'versionTag'",
        ),
    ],
)
def test_an_invalid_binding_is_rejected_at_deployment(
    client: Client, attributes: str, message: str
) -> None:
    resource = (
        scenario("bind_latest.bpmn")
        .read_bytes()
        .replace(b'processId="bound_child" bindingType="latest"', attributes.encode())
    )
    with pytest.raises(InvalidArgumentError) as error:
        client.deploy(resource)
    assert message in error.value.reason
    assert "calledElement" in error.value.reason
