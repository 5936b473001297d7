#!/usr/bin/python3
"""The sync a user would write instead of opsync: consume the operator topic with confluent-kafka
and, for every event, send one request to each vendor's real update call with the whole record
the event carries (python3-requests, one keep-alive session per vendor). No state, no
coalescing, no diff against what the vendor has, no retries, no rate limiting.

The five calls follow /work/shared/vendors.md and the simulators (docs/vendorsim.md):

    glia          POST  /operators/{id}                       (bearer token from
                                                               /operator_authentication/tokens)
    plugchat      PUT   /integrator/account/{account}/operators  {id, name, active, departments}
    identitycall  PATCH /api/v1/public/operators/{id}
    iadvize       PUT   /api/2/operator/{id}                  (JSON body, X-API-Key)
    commpeak      PUT   /api/users/{id}                       (HTTP Basic)

Vendor ids come from the event's `external_ids` (keyed by vendor name, as opsync's connector
instance names), so no lookups are needed. Credentials default to the simulators' test values.

Used by bench/compare_bench, which starts it as a child process:

    /usr/bin/python3 bench/baseline/naive_sync.py --brokers HOST:PORT --topic T \\
        --vendor glia=http://127.0.0.1:P1 --vendor plugchat=http://127.0.0.1:P2 ...

It prints "ready" once partitions are assigned, then runs until SIGTERM; on exit it prints
`naive_sync: N events, M requests, F failed` to stderr.
"""

import argparse
import base64
import json
import signal
import sys

import requests
from confluent_kafka import Consumer

GLIA_ACCEPT = "application/vnd.salemove.v1+json"


def display_name(a):
    if a.get("display_name"):
        return a["display_name"]
    return " ".join(p for p in (a.get("given_name"), a.get("family_name")) if p)


class Glia:
    def __init__(self, base, key_id, key_secret):
        self.base, self.key_id, self.key_secret = base, key_id, key_secret
        self.session = requests.Session()
        self.session.headers.update({"Accept": GLIA_ACCEPT})
        self.token = None

    def authenticate(self):
        r = self.session.post(f"{self.base}/operator_authentication/tokens",
                              json={"api_key_id": self.key_id, "api_key_secret": self.key_secret},
                              timeout=10)
        r.raise_for_status()
        self.token = r.json()["token"]

    def send(self, vendor_id, a, active):
        if self.token is None:
            self.authenticate()
        body = {"name": display_name(a), "enabled": active}
        if "email" in a:
            body["email"] = a["email"]
        if a.get("max_concurrent_chats"):
            body["max_engagement_count"] = a["max_concurrent_chats"]
        for attempt in (0, 1):
            r = self.session.post(f"{self.base}/operators/{vendor_id}", json=body, timeout=10,
                                  headers={"Authorization": f"Bearer {self.token}"})
            if r.status_code == 401 and attempt == 0:
                self.authenticate()
                continue
            return r


class PlugChat:
    def __init__(self, base, account, token):
        self.url = f"{base}/integrator/account/{account}/operators"
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}"})

    def send(self, vendor_id, a, active):
        # The whole required set, every time; departments would need a team table: none here.
        body = {"id": vendor_id, "name": display_name(a), "active": active, "departments": []}
        return self.session.put(self.url, json=body, timeout=10)


class IdentityCall:
    def __init__(self, base, key):
        self.base = f"{base}/api/v1/public"
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {key}"})

    def send(self, vendor_id, a, active):
        body = {"name": display_name(a), "active": active}
        if "email" in a:
            body["email"] = a["email"]
        if "phone" in a:
            body["phone_number"] = a["phone"]
        return self.session.patch(f"{self.base}/operators/{vendor_id}", json=body, timeout=10)


class IAdvize:
    def __init__(self, base, key):
        self.base = f"{base}/api/2"
        self.session = requests.Session()
        self.session.headers.update({"X-API-Key": key})

    def send(self, vendor_id, a, active):
        body = {}
        if "given_name" in a:
            body["first_name"] = a["given_name"]
        if a.get("family_name") or a.get("display_name"):
            body["name"] = a.get("family_name") or a["display_name"]
        if "email" in a:
            body["email"] = a["email"]
        if "max_concurrent_chats" in a:
            body["chat_max_number"] = a["max_concurrent_chats"]
        return self.session.put(f"{self.base}/operator/{vendor_id}", json=body, timeout=10)


class CommPeak:
    def __init__(self, base, user, password):
        self.base = base
        self.session = requests.Session()
        basic = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.session.headers.update({"Authorization": f"Basic {basic}"})

    def send(self, vendor_id, a, active):
        body = {"is_active": 1 if active else 0}
        if "given_name" in a:
            body["first_name"] = a["given_name"]
        if "family_name" in a:
            body["last_name"] = a["family_name"]
        if "email" in a:
            body["email"] = a["email"]
        if "max_concurrent_chats" in a:
            body["max_concurrent_sessions"] = str(a["max_concurrent_chats"])
        return self.session.put(f"{self.base}/api/users/{vendor_id}", json=body, timeout=10)


def make_vendor(name, base, args):
    if name == "glia":
        return Glia(base, args.glia_key_id, args.glia_key_secret)
    if name == "plugchat":
        return PlugChat(base, args.plugchat_account, args.plugchat_token)
    if name == "identitycall":
        return IdentityCall(base, args.identitycall_key)
    if name == "iadvize":
        return IAdvize(base, args.iadvize_key)
    if name == "commpeak":
        return CommPeak(base, args.commpeak_user, args.commpeak_password)
    raise SystemExit(f"naive_sync: unknown vendor {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--vendor", action="append", default=[], metavar="NAME=BASE_URL",
                        help="a vendor and its base URL (repeat for each vendor)")
    parser.add_argument("--group", default="naive-sync")
    parser.add_argument("--glia-key-id", default="opsync-glia-key-id")
    parser.add_argument("--glia-key-secret", default="opsync-glia-key-secret")
    parser.add_argument("--plugchat-account", default="opsync-account")
    parser.add_argument("--plugchat-token", default="opsync-plugchat-integrator-token")
    parser.add_argument("--identitycall-key", default="idc_opsyncsimfullaccess0000000000001")
    parser.add_argument("--iadvize-key", default="opsync-iadvize-rest-key")
    parser.add_argument("--commpeak-user", default="opsync")
    parser.add_argument("--commpeak-password", default="opsync-commpeak-password")
    args = parser.parse_args()

    vendors = []
    for spec in args.vendor:
        name, _, base = spec.partition("=")
        vendors.append((name, make_vendor(name, base.rstrip("/"), args)))

    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": True,
    })

    def on_assign(c, partitions):
        print("ready", flush=True)

    consumer.subscribe([args.topic], on_assign=on_assign)
    consumed = sent = failed = 0
    while running:
        msg = consumer.poll(0.2)
        if msg is None or msg.error():
            continue
        try:
            event = json.loads(msg.value())
            data = event["data"]
            attributes = data.get("attributes") or {}
            ids = attributes.get("external_ids") or {}
            active = attributes.get("active", True) and event["type"] != "operator.deleted"
        except (ValueError, KeyError, TypeError) as e:
            print(f"naive_sync: skipping bad event: {e}", file=sys.stderr)
            continue
        consumed += 1
        for name, vendor in vendors:
            if name not in ids:
                continue
            sent += 1
            try:
                r = vendor.send(ids[name], attributes, active)
                if r.status_code >= 300:
                    failed += 1
                    if failed <= 10:
                        print(f"naive_sync: {name} {r.status_code}: {r.text[:200]}",
                              file=sys.stderr)
            except requests.RequestException as e:
                failed += 1
                print(f"naive_sync: {name}: {e}", file=sys.stderr)
    consumer.close()
    print(f"naive_sync: {consumed} events, {sent} requests, {failed} failed", file=sys.stderr,
          flush=True)


if __name__ == "__main__":
    main()
