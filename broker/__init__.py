"""The Kafka side of Honeyflow: local cluster launcher, topics, the record protocol and codec."""
