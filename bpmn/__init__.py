"""BPMN 2.0 XML into a validated, frozen executable model; FEEL expressions."""
