#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into tests/fuzz/corpus/<target>/ (docs/fuzzing.md).

Seeds come from the tests' and docs' inputs: events in both CloudEvents modes and broken ones,
config/example.yaml, the vendors' answers and error shapes (docs/vendorsim.md). Run it again after
changing it; libFuzzer adds what it finds to the same folders when run through scripts/fuzz.sh.
"""
import hashlib
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fuzz" / "corpus"


def write(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


# --- event decoder: byte 0 flags, byte 1 key length, key, value (event_decoder_fuzz.cc) ---
BINARY, STRUCTURED, SMALL, INPUT_HEADERS = 0x01, 0x02, 0x04, 0x08


def event(flags, key, value, headers=None):
    body = value
    if headers is not None:
        flags |= INPUT_HEADERS
        body = "".join(f"{k}:{v}\n" for k, v in headers) + "\n" + value
    k = key.encode()
    write("event_decoder_fuzz", bytes([flags, len(k)]) + k + body.encode())


structured = {
    "specversion": "1.0", "id": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", "source": "hr/workday",
    "type": "operator.updated", "time": "2026-11-22T10:15:00Z", "subject": "emp-00042",
    "data": {"operator_id": "emp-00042", "revision": 17, "mode": "patch",
             "attributes": {"email": "jane.doe@example.com", "phone": "+1 (555) 123-4567",
                            "active": True}}}
full_attributes = {
    "given_name": "Zoë", "family_name": "李 小龙", "display_name": "Jane Doe",
    "email": "o'brien+cc@mail.example.co.uk", "phone": "0044 20 7946 0958",
    "phone_extension": "042", "sip_uri": "SIP:jane@PBX.example.com:5060", "active": False,
    "role": "manager", "teams": ["Billing", "Tier 2"], "languages": ["EN", "pt"],
    "locale": "pt_br", "timezone": "america/new_york", "max_concurrent_chats": 3,
    "channels": {"chat": True, "voice": False}, "external_ids": {"glia": "a1b2", "plugchat-eu": "77"}}
created = {"specversion": "1.0", "id": "evt-1", "source": "hr/workday", "type": "operator.created",
           "data": {"operator_id": "emp-00042", "revision": 1, "attributes": full_attributes}}
deleted = {"specversion": "1.0", "id": "evt-2", "source": "hr/workday", "type": "operator.deleted",
           "time": "2026-11-22T12:15:00.250+02:00", "data": {"operator_id": "emp-00042"}}
for ev in (structured, created, deleted):
    event(STRUCTURED, "emp-00042", json.dumps(ev))
    event(0, "emp-00042", json.dumps(ev))
    event(STRUCTURED | SMALL, "emp-00042", json.dumps(ev))
binary_data = {"operator_id": "emp-00042", "revision": 18,
               "attributes": {"role": "manager", "teams": ["Billing", "Tier 2"]}}
event(0, "emp-00042", json.dumps(binary_data), [
    ("ce_specversion", "1.0"), ("ce_id", "9f0c2e51-7a44-4c1f-8e0b-1f6a1b0b9e10"),
    ("ce_source", "idp/okta"), ("ce_type", "operator.updated"),
    ("ce_time", "2026-11-22T10:20:00Z"), ("content-type", "application/json")])
event(BINARY, "emp-00042", json.dumps({"operator_id": "emp-00042", "attributes": full_attributes}))
event(BINARY, "fuzz-1", json.dumps({"operator_id": "fuzz-1", "mode": "snapshot", "attributes": {}}))
# Invalid ones: each decode_reason.
event(STRUCTURED, "", json.dumps(structured))                               # missing_key
event(STRUCTURED, "emp-1", "")                                              # tombstone
event(STRUCTURED, "emp-1", "{not json")
event(STRUCTURED, "emp-1", "[" * 40 + "]" * 40)                              # too deep
event(STRUCTURED, "emp-1", json.dumps({**structured, "specversion": "0.3"}))
event(STRUCTURED, "emp-00042", json.dumps({**structured, "data_base64": "e30="}))
event(BINARY, "emp-00042", json.dumps({"operator_id": "emp-00042", "revision": 17.0}))
event(BINARY, "emp-00042", json.dumps({"operator_id": "emp-00042", "attributes": {
    "email": "a@b@example.com", "phone": "+0123456789", "teams": ["A", "A"], "languages": ["xx"],
    "timezone": "Mars/Olympus", "channels": {"sms": True}, "external_ids": {"Glia": "1"}}}))
event(BINARY, "emp-00042", json.dumps({"operator_id": "emp-00042", "attributes": {
    "given_name": "Jane\nDoe", "sip_uri": "sip:jane doe@x.com", "locale": "zh-Hans-CN",
    "max_concurrent_chats": 1001, "active": "true", "role": "Admin"}}))
event(BINARY, "other", json.dumps({"operator_id": "emp-00042"}))
event(STRUCTURED, "emp-1", "\xff\xfe{}")

# --- configuration loader: the example and variations ---
example = (ROOT / "config" / "example.yaml").read_text()
write("config_fuzz", example)
write("config_fuzz", example.replace("kafka:", "kafka:\n  unknown_key: 1", 1))
write("config_fuzz", "kafka:\n  brokers: [\"${OPSYNC_FUZZ_VAR}:9092\"]\n  topic: t\n  "
      "group_id: g\n  dead_letter_topic: t\nstate:\n  directory: /tmp/x\n")
write("config_fuzz", "kafka: {brokers: [], topic: a, group_id: g, dead_letter_topic: b}\n"
      "admin: {listen: '[::1]:0', bearer_token_file: token}\nlogging: {level: verbose}\n"
      "connectors:\n  Bad Name: {type: glia}\n  x: {type: nope, enabled: maybe}\n")
write("config_fuzz", "a: &a [*a]\n")
write("config_fuzz", "kafka:\n  brokers: ${OPSYNC_FUZZ_UNSET}\n  max_message_bytes: 10MiB\n"
      "state:\n  batch_max_delay: 50ms\n  processed_event_retention: 7d\n")
write("config_fuzz", "\t- [\n")

# --- HTTP dates and pacing headers ---
for d in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
          "Sun Nov  6 08:49:37 1994", "Mon, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT",
          "Fri, 29 Feb 2000 12:00:00 GMT", "Sat, 30 Feb 2001 25:61:61 GMT", "Sunday, 06-Nov-77 08:49:37 GMT",
          "Sun, 06 Nov 1994 08:49:37 UTC", ""]:
    write("http_date_fuzz", d)
for h in ["429\nRetry-After: 120\n", "503\nRetry-After: Sun, 06 Nov 1994 08:49:37 GMT\n",
          "200\nX-RateLimit-Remaining: 0\nX-RateLimit-Reset: 1717200060\n",
          "429\nx-rate-limit-remaining: 0\nx-rate-limit-reset: 30\n",
          "200\nRateLimit-Remaining: 0\nRateLimit-Reset: 99999999999999999999\n",
          "429\nRetry-After: -5\n", "429\nRetry-After: 18446744073709551616\n",
          "503\nRetry-After: Wed, 21 Oct 2099 07:28:00 GMT\nRetry-After: 3\n"]:
    write("retry_policy_fuzz", h)

# --- connectors: byte 0 scenario flags, then responses separated by "\n~~~\n" ---
KNOWN_ID, DELETED, CREATE, HARD_DELETE, ODD_ID, RETRY = 1, 2, 4, 8, 16, 32


def script(target, flags, *responses):
    write(target, bytes([flags]) + "\n~~~\n".join(responses).encode())


def resp(status, body="", headers=()):
    return f"{status}\n" + "".join(f"{k}: {v}\n" for k, v in headers) + "\n" + body


def errors(target, shapes):
    for flags in (KNOWN_ID, 0):
        for status, body, *hdr in shapes:
            script(target, flags, *( [resp(200, '{"token":"t"}')] if target == "glia_response_fuzz" and flags else []),
                   resp(status, body, hdr[0] if hdr else ()))


def json_line(o):
    return json.dumps(o)


# Glia: token, paged list, create, update; errors {"error","message","errors":{field:[..]}}.
G = "glia_response_fuzz"
token = resp(200, '{"token":"tok-1","expires_in":3600}')
page1 = resp(200, json_line({"operators": [{"id": "other", "email": "someone@example.com"}],
                             "next_page": "http://glia.test/operators?include_disabled=true&page=2",
                             "last_page": "http://glia.test/operators?include_disabled=true&page=2"}))
page2 = resp(200, json_line({"operators": [{"id": "f42811bc-8519-4d33-bbb1-36d4555ecb0a",
                                            "email": "jane.doe@example.com"}], "next_page": None}))
script(G, 0, token, page1, page2, resp(200, '{"id":"f42811bc-8519-4d33-bbb1-36d4555ecb0a"}'))
script(G, CREATE, token, resp(200, '{"operators":[],"next_page":null}'),
       resp(201, '{"id":"new-operator-1","name":"Jane Doe"}'))
script(G, KNOWN_ID, token, resp(200, "{}"))
script(G, KNOWN_ID | DELETED | HARD_DELETE, token, resp(204))
script(G, KNOWN_ID | DELETED, token, resp(200, "{}"))
script(G, KNOWN_ID, resp(401, '{"error":"Unauthorized"}'), token, resp(200, "{}"))
script(G, KNOWN_ID, token, resp(401, '{"error":"Unauthorized"}'), token, resp(200, "{}"))
script(G, 0, token, resp(200, '{"operators":{"id":1},"next_page":"x"}'))
script(G, KNOWN_ID | ODD_ID, token, resp(200, "{}"))
glia_errors = [(422, json_line({"error": "Unprocessable Entity", "message": "Validation failed",
                                "errors": {"phone_extension": ["is valid only if phone is also set or was set beforehand"]}})),
               (429, '{"error":"Too Many Requests","message":"Too many requests"}', [("Retry-After", "2")]),
               (503, '{"error":"Service Unavailable","message":"Injected server error"}'),
               (404, '{"error":"Not Found","message":"Operator not found"}'), (500, "<html>oops</html>")]
errors(G, glia_errors)

# Plug Chat: {"success": false, "message": "...", "errors": [...]}.
P = "plugchat_response_fuzz"
script(P, 0, resp(200, json_line({"success": True, "operators": [{"id": 77, "email": "jane.doe@example.com"}]})),
       resp(200, '{"success":true,"message":"Operador atualizado"}'))
script(P, CREATE, resp(200, '{"success":true,"operators":[]}'), resp(200, '{"success":true,"id":"78"}'))
script(P, KNOWN_ID, resp(200, '{"success":true}'))
script(P, KNOWN_ID | DELETED, resp(200, '{"success":true}'))
script(P, KNOWN_ID, resp(200, '{"success":false,"message":"Operador não encontrado"}'))
errors(P, [(400, json_line({"success": False, "message": "O campo e-mail é obrigatório",
                            "errors": ["O campo e-mail é obrigatório", "Telefone inválido"]})),
           (404, '{"success":false,"message":"Operador não encontrado"}'),
           (429, '{"success":false,"message":"Too many requests"}', [("Retry-After", "1")]),
           (503, '{"success":false,"message":"Injected server error"}')])

# IdentityCall: {"data": [...]} lookups, {"error": "..."}, 422 {"errors": [...]}.
I = "identitycall_response_fuzz"
script(I, 0, resp(200, json_line({"data": [{"id": 5, "email": "jane.doe@example.com"}]})), resp(200, '{"data":{"id":5}}'))
script(I, CREATE, resp(200, '{"data":[]}'), resp(201, '{"data":{"id":6}}'))
script(I, KNOWN_ID, resp(200, '{"data":{"id":4242}}'))
script(I, KNOWN_ID | DELETED | HARD_DELETE, resp(204))
errors(I, [(401, '{"error":"Invalid API key"}'), (403, '{"error":"Write permission required"}'),
           (404, '{"error":"Resource not found"}'), (400, '{"error":"Request body must be a JSON object"}'),
           (422, json_line({"errors": ["phone_number is invalid", {"field": "email", "message": "taken"}]})),
           (429, '{"error":"Too many requests"}', [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", "1800000030")])])

# iAdvize: {"meta": {"status", "message"}, "data": ...}.
A = "iadvize_response_fuzz"
script(A, 0, resp(200, json_line({"meta": {"status": "success"}, "data": [{"id": 4242, "email": "jane.doe@example.com"}]})),
       resp(200, '{"meta":{"status":"success"},"data":{"id":4242}}'),
       resp(200, '{"meta":{"status":"success","message":"Operator is now available for chat channel."}}'))
script(A, CREATE, resp(200, '{"meta":{"status":"success"},"data":[]}'),
       resp(201, '{"meta":{"status":"success"},"data":{"id":4243}}'))
script(A, KNOWN_ID, resp(200, '{"meta":{"status":"success"},"data":{"id":4242}}'),
       resp(200, '{"meta":{"status":"success"}}'), resp(200, '{"meta":{"status":"success"}}'))
script(A, KNOWN_ID | DELETED, resp(200, '{"meta":{"status":"success"}}'), resp(200, '{"meta":{"status":"success"}}'))
script(A, KNOWN_ID | DELETED | HARD_DELETE, resp(200, '{"meta":{"status":"success"}}'))
errors(A, [(200, '{"meta":{"status":"fail","message":"group_id is invalid"}}'),
           (200, '{"meta":{"status":"error","message":"Internal"}}'),
           (400, '{"meta":{"status":"fail","message":"Bad request"}}'),
           (503, '{"meta":{"status":"error","message":"Injected server error"}}'),
           (429, '{"meta":{"status":"fail","message":"Too many requests"}}', [("Retry-After", "5")])])

# CommPeak: {"users": [...]} lookups; {"status":"error","message","errors":{field: msg}}.
C = "commpeak_response_fuzz"
script(C, 0, resp(200, json_line({"users": [{"id": 12, "email": "jane.doe@example.com"}]})), resp(200, '{"id":12}'))
script(C, KNOWN_ID, resp(200, '{"id":4242}'))
script(C, KNOWN_ID | DELETED, resp(200, '{"id":4242}'))
errors(C, [(422, json_line({"status": "error", "message": "Validation failed", "errors": {"email": "is taken"}})),
           (404, '{"status":"error","message":"User not found"}'),
           (429, '{"status":"error","message":"Too many requests"}', [("RateLimit-Remaining", "0"), ("RateLimit-Reset", "7")]),
           (500, '{"status":"error","message":"Injected server error"}')])

# The vendors' own documentation pages (/work/shared/seeds , when present) as
# error bodies: large, non-JSON answers.
for f in sorted(pathlib.Path("/work/shared/seeds").glob("*.txt")):
    body = f.read_text(errors="replace")[:4000]
    for target in (G, P, I, A, C):
        script(target, KNOWN_ID, *( [token] if target == G else []), resp(502, body))
