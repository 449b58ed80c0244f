"""schemathesis hooks for livehire's run (see run.py).

Two kinds of request carry facts no schema can state, so the run supplies
them the way a real client would:

* live events and imported recordings must be stamped inside the session's
  window (between its start, or the task's posting, and now): every `ts` in
  such a body is set to the present;
* TikTok Shop's order webhook is signed: its body names the shop connected
  by run.py and a fresh timestamp, and carries the HMAC-SHA256 signature of
  app key + body, keyed by the app secret, in `Authorization`.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import time

import schemathesis

SHOP = json.loads(os.environ.get("LIVEHIRE_ST_SHOP", "{}"))


def _now() -> str:
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _stamp(value):
    if isinstance(value, dict):
        return {k: (_now() if k == "ts" else _stamp(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_stamp(v) for v in value]
    return value


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """An event batch as NDJSON: one JSON value per line."""
    items = value if isinstance(value, list) else [value]
    return {"data": "".join(json.dumps(v) + "\n" for v in items).encode()}


@schemathesis.hook
def before_call(context, case, kwargs):
    op_id = case.operation.definition.raw.get("operationId")
    if op_id in ("sessions_events_post", "sessions_import") and isinstance(case.body, (dict, list)):
        case.body = _stamp(case.body)


@schemathesis.auth(refresh_interval=None).apply_to(operation_id="tiktok_shop_webhook")
class ShopSignature:
    """The webhook's security scheme: the body, naming the shop connected by
    run.py with a fresh timestamp, signed with that shop's app secret."""

    def get(self, case, context):
        return SHOP

    def set(self, case, shop, context):
        if not shop or not isinstance(case.body, dict):
            return
        body = dict(case.body)
        body["shop_id"] = shop["shop_id"]
        body["timestamp"] = int(time.time())
        case.body = body
        # The bytes the transport sends: `json.dumps` as requests does.
        raw = json.dumps(body, allow_nan=False).encode()
        mac = hmac.new(shop["app_secret"].encode(), shop["app_key"].encode() + raw, hashlib.sha256)
        case.headers = {**(case.headers or {}), "Authorization": mac.hexdigest()}
