"""A payment worker on Faust whose `payments.charged` record and JOB COMPLETE commit in one
Kafka transaction (clients/faust_jobs.py): killed at any moment, it never charges twice and
never loses a charge; a `read_committed` reader of `payments.charged` sees one record per job.

    python examples/payment_worker.py kafka://127.0.0.1:9092    # until Ctrl-C

The worker takes jobs of type `payment` (HONEYFLOW_PAYMENT_TYPE to change it) and writes to
`payments.charged` (HONEYFLOW_CHARGED_TOPIC).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import faust

from clients.faust_jobs import FaustJobWorker, Outbox, job_app
from clients.results import ActivatedJob


def payment_worker(url: str, job_type: str, charged_topic: str, **settings: Any) -> Any:
    app = job_app(job_type, url, **settings)
    worker = FaustJobWorker(
        app, job_type, url, timeout=float(os.environ.get("HONEYFLOW_JOB_TIMEOUT", 30))
    )

    @worker.handler
    async def charge(job: ActivatedJob, out: Outbox) -> dict[str, Any]:
        order = job.variables.get("orderId", job.process_instance_key)
        amount = job.variables.get("amount", 0)
        # The side effect: a record for the payment service's consumers. It is visible to
        # read_committed readers only once the job's COMPLETE commits with it.
        out.send(
            charged_topic,
            {"jobKey": job.key, "orderId": order, "amount": amount},
            key=str(order),
        )
        return {"paymentId": f"pay-{order}"}

    return app


def main() -> None:
    url = sys.argv.pop(1) if len(sys.argv) > 1 and sys.argv[1].startswith("kafka://") else ""
    app = payment_worker(
        url or "kafka://127.0.0.1:9092",
        os.environ.get("HONEYFLOW_PAYMENT_TYPE", "payment"),
        os.environ.get("HONEYFLOW_CHARGED_TOPIC", "payments.charged"),
        # A restarted worker takes its place in the group at once (static membership).
        consumer_group_instance_id=os.environ.get("HONEYFLOW_WORKER_ID") or None,
    )
    faust.Worker(app, loglevel="info").execute_from_commandline()


if __name__ == "__main__":
    main()
