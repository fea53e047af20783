"""The payment worker of examples/payment_worker.py written with the plain Python Worker:
it produces its `payments.charged` record with a plain producer, then completes the job —
two writes that a SIGKILL can separate (tests/kafka_runtime/test_faust_jobs.py).

    python -m tests.kafka_runtime.plain_payment_worker URL JOB_TYPE CHARGED_TOPIC INSTANCE_ID
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

from confluent_kafka import Producer

from clients.client import connect
from clients.kafka_address import parse_kafka_url
from clients.results import ActivatedJob
from clients.worker import Worker


def main() -> None:
    url, job_type, charged_topic, instance_id = sys.argv[1:5]
    # Static membership: a restarted worker takes its place in the group at once.
    client = connect(url, kafka_options={"group.instance.id": instance_id})
    producer = Producer({**parse_kafka_url(url).config, "enable.idempotence": True, "linger.ms": 1})
    worker = Worker(client, name=f"plain-{instance_id}")

    @worker.task(job_type, timeout=3, max_jobs=64, max_concurrency=64, retry_backoff=0)
    def charge(job: ActivatedJob) -> dict[str, Any]:
        record = {"jobKey": job.key, "orderId": job.process_instance_key}
        producer.produce(charged_topic, json.dumps(record).encode(), key=str(job.key))
        producer.flush(30)  # the charge is out; a kill here loses the COMPLETE
        return {"paymentId": f"pay-{job.key}"}

    worker.start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
