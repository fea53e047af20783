"""BPMN element processing: element processors per element family, composed from small
behaviours (lifecycle transitions, variables and mappings, jobs, incidents), registered by
element type in `element_registry`."""
