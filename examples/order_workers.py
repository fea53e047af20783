"""The workers of the order process (examples/order-process.bpmn): payment, inventory and
shipping. This is the reference for writing a worker: one decorated function per job type;
its parameters name the variables it needs; the dict it returns completes the job; an
exception fails it (and it is retried while retries are left, after a back-off of 1 s that
doubles with each failure: `retry_backoff=` on `worker.task`).

    python examples/order_workers.py kafka://127.0.0.1:9092    # until Ctrl-C or SIGTERM
"""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any

from clients.client import Client, connect
from clients.results import ActivatedJob
from clients.worker import Worker


def order_workers(client: Client, name: str = "order-workers") -> Worker:
    worker = Worker(client, name=name)

    @worker.task("payment", timeout=30, max_concurrency=8)
    def charge_payment(orderId: int, amount: float, job: ActivatedJob) -> dict[str, Any]:
        # The payment provider times out now and then: the first attempt for every seventh
        # order fails, the job goes back with one retry fewer and the next attempt succeeds.
        if orderId % 7 == 0 and job.retries == 3:
            raise TimeoutError(f"payment provider did not answer for order {orderId}")
        return {"paymentId": f"pay-{orderId}"}

    @worker.task("inventory", timeout=30, max_concurrency=8)
    def reserve_inventory(orderId: int, items: list[dict[str, Any]]) -> dict[str, Any]:
        return {"reservationId": f"res-{orderId}-{len(items)}"}

    @worker.task("shipping", timeout=30, max_concurrency=8)
    def ship_order(orderId: int, address: dict[str, Any]) -> dict[str, Any]:
        # An order without an address never gets here: the task's input mapping
        # `=shippingAddress` fails first and raises an incident on "Ship order".
        return {"trackingNumber": f"TRK-{address['zip']}-{orderId}"}

    return worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="kafka://HOST:PORT[?prefix=P] (or memory://)")
    parser.add_argument("--name", default="order-workers", help="worker name in the records")
    args = parser.parse_args()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with connect(args.url) as client:
        worker = order_workers(client, args.name)
        worker.start()
        print(f"{args.name}: working on payment, inventory, shipping", flush=True)
        stop.wait()
        worker.stop()  # lets running handlers finish and answer their jobs
    print(f"{args.name}: stopped", flush=True)


if __name__ == "__main__":
    main()
