#!/usr/bin/python3
"""The sync a user would write instead of opsync: consume the operator topic with confluent-kafka
and, for every event, send one request per vendor with the event's attributes (python3-requests,
one keep-alive session per vendor). No state, no coalescing, no diff against what the vendor has.

Used by bench/compare_bench, which starts it as a child process:

    /usr/bin/python3 bench/baseline/naive_sync.py --brokers HOST:PORT --topic T \
        --base-url http://127.0.0.1:PORT --vendors glia,plugchat,identitycall,iadvize,commpeak

It prints "ready" once partitions are assigned, then runs until SIGTERM.
"""

import argparse
import json
import os
import signal
import sys

import requests
from confluent_kafka import Consumer


def mapped(attributes):
    # The same fields the benchmark's opsync connector maps (bench/support/bench_connector.cc).
    out = {}
    for src, dst in (("display_name", "name"), ("email", "email"),
                     ("max_concurrent_chats", "max_chats"), ("teams", "teams")):
        if src in attributes:
            out[dst] = attributes[src]
    out["active"] = attributes.get("active", True)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--vendors", required=True)
    parser.add_argument("--group", default="naive-sync")
    args = parser.parse_args()

    running = True
    debug = bool(os.environ.get("NAIVE_SYNC_DEBUG"))

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    vendors = args.vendors.split(",")
    sessions = {v: requests.Session() for v in vendors}
    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": True,
    })

    def on_assign(c, partitions):
        print("ready", flush=True)

    consumer.subscribe([args.topic], on_assign=on_assign)
    consumed = 0
    while running:
        msg = consumer.poll(0.2)
        if msg is None or msg.error():
            continue
        try:
            event = json.loads(msg.value())
            data = event["data"]
            op_id = data["operator_id"]
            body = mapped(data.get("attributes", {}))
        except (ValueError, KeyError) as e:
            print(f"skipping bad event: {e}", file=sys.stderr)
            continue
        consumed += 1
        if debug and consumed % 100 == 0:
            print(f"naive_sync: {consumed} events", file=sys.stderr, flush=True)
        for v in vendors:
            try:
                r = sessions[v].post(f"{args.base_url}/{v}/operators/{op_id}", json=body, timeout=10)
                r.raise_for_status()
            except requests.RequestException as e:
                print(f"{v}: {e}", file=sys.stderr)
    consumer.close()


if __name__ == "__main__":
    main()
