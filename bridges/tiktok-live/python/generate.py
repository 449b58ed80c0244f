"""Writes crates/livehire-domain/src/live/fixtures/python.json: the events the
Python TikTokLive library emits for the fixtures' room, serialised to JSON.

The room's push frames come from fixtures/frames.js (built with
tiktok-live-connector's protobuf classes, gzipped, as TikTok's WebSocket
sends them), one a line: a step's name, a tab, the frame in base64. Each
frame goes through TikTokLive's own decode path, the one its WebSocket loop
runs: extract_webcast_push_frame, extract_webcast_response_message, then
the client's _parse_webcast_response, which yields the events it emits. Each
event is recorded as a tool forwarding it would send it:
{"event": event.get_type(), "data": event.to_dict()} (proto JSON, camelCase,
defaults left out). WebsocketResponseEvent, the transport's wrapper of every
message, is left out.

TikTokLive 7.0.1's to_dict() fails (NameError: name 'typing' is not
defined) on every event that carries a user or a gift: its ExtendedUser and
ExtendedGift resolve their inherited type hints against their own module.
The library already resolves its events' hints against the generated
parent's module (BaseEvent._type_hints); this script gives those two classes
the same, and changes nothing else.

Usage: node fixtures/frames.js | python python/generate.py
"""

import asyncio
import base64
import json
import sys
from importlib.metadata import version
from pathlib import Path

import TikTokLive.proto.custom_proto as custom_proto
from TikTokLive import TikTokLiveClient
from TikTokLive.client.ws.ws_utils import extract_webcast_push_frame, extract_webcast_response_message
from TikTokLive.events.base_event import BaseEvent

for cls in (custom_proto.ExtendedUser, custom_proto.ExtendedGift):
    cls._type_hints = classmethod(BaseEvent._type_hints.__func__)

REPO = Path(__file__).resolve().parents[3]
OUT = REPO / "crates" / "livehire-domain" / "src" / "live" / "fixtures" / "python.json"
TRANSPORT = {"WebsocketResponseEvent", "UnknownEvent"}


async def capture(lines):
    client = TikTokLiveClient(unique_id="@glowlabs.live")
    client._room_id = 7480000000000000000
    events = []
    for line in lines:
        step, frame = line.rstrip("\n").split("\t")
        response = extract_webcast_response_message(extract_webcast_push_frame(base64.b64decode(frame)))
        emitted = [e async for e in client._parse_webcast_response(response) if e.get_type() not in TRANSPORT]
        if not emitted:
            raise SystemExit(f"TikTokLive emitted nothing for {step}")
        events += [{"step": step, "event": e.get_type(), "data": e.to_dict()} for e in emitted]
    return events


def main():
    lines = [line for line in sys.stdin if line.strip()]
    fixture = {
        "library": f"TikTokLive@{version('TikTokLive')} (Python)",
        "generated_by": "bridges/tiktok-live/python/generate.py (node fixtures/frames.js | python python/generate.py); do not edit",
        "how": "each push frame through TikTokLive's own decode path (extract_webcast_push_frame, extract_webcast_response_message, "
               "TikTokLiveClient._parse_webcast_response); each event as {event: get_type(), data: to_dict()}",
        "room": "issue 15: viewer count 812, 2 joins, 2 chats, 1 question, likes 15 + 6, a follow, a share, a Rose streak of 3 "
                "and a 30-diamond gift, then the stream ends",
        "events": asyncio.run(capture(lines)),
    }
    text = json.dumps(fixture, indent=1, ensure_ascii=False) + "\n"
    if not OUT.exists() or OUT.read_text() != text:
        OUT.write_text(text)
        print(f"wrote {OUT.relative_to(REPO)} ({len(fixture['events'])} events)")


if __name__ == "__main__":
    main()
