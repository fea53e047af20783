"""Zeebe's gateway protocol (`gateway_protocol.Gateway` over gRPC) in front of the engine on
Kafka, so that existing Camunda 8 clients (pyzeebe, zbctl, the Java, Go and Node clients) run
unchanged: each RPC becomes the command our Python client sends, its answer the response.
Stateless; docs/gateway.md says what differs from Zeebe's gateway."""
