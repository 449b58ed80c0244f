// A TikTok LIVE room on 127.0.0.1, for running tiktok-live-connector 2.x
// without the network: a WebSocket push server that sends the frames it is
// given (as TikTok's does), plus the library's route table pointed at it.
//
// The library itself runs unchanged: `TikTokLiveConnection.connect()` asks
// its `RouteConfig` for the room id, the room info and the signed WebSocket
// URL (normally TikTok's web API and the Euler Stream sign server); the
// routes here answer from the offline room instead, and the library then
// opens its WebSocket to the room, enters it, and decodes and emits every
// frame the room sends.

import http from 'node:http';

import { WebSocketServer } from 'ws';
import * as tlc from 'tiktok-live-connector';

import { ROOM_ID, fetchResultV2 } from './room.js';

/** A push server standing in for TikTok's, on 127.0.0.1. */
export class OfflineRoom {
  constructor() {
    this.live = true;
    /** Frames pushed so far; the last `replay` go again to a client entering. */
    this.history = [];
    this.replay = 0;
    this.clients = new Set();
    this.entered = [];
    this.waiters = [];
    this.connects = 0;
  }

  /** Starts it on a free port. */
  static async start() {
    const room = new OfflineRoom();
    room.server = http.createServer((req, res) => room.#http(req, res));
    room.wss = new WebSocketServer({ server: room.server });
    room.wss.on('connection', (ws) => room.#accept(ws));
    await new Promise((resolve) => room.server.listen(0, '127.0.0.1', resolve));
    const { port } = room.server.address();
    room.base = `http://127.0.0.1:${port}`;
    room.pushServer = `ws://127.0.0.1:${port}/webcast/im/push/v2/`;
    return room;
  }

  #http(req, res) {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/room') {
      return reply(200, { roomId: ROOM_ID, live: this.live, pushServer: this.pushServer });
    }
    reply(404, { error: 'not found' });
  }

  #accept(ws) {
    this.connects += 1;
    this.clients.add(ws);
    ws.on('close', () => this.clients.delete(ws));
    ws.on('error', () => this.clients.delete(ws));
    ws.on('message', (data) => {
      let frame;
      try {
        frame = tlc.WebcastPushFrame.decode(new Uint8Array(data));
      } catch {
        return;
      }
      if (frame.payloadType === 'im_enter_room') {
        // TikTok sends a client entering the room its last messages again.
        if (this.replay > 0) for (const f of this.history.slice(-this.replay)) ws.send(f);
        this.entered.push(ws);
        for (const w of this.waiters.splice(0)) w(ws);
      }
    });
  }

  /** Resolves once a client has entered the room (after `since` entries). */
  async waitForEntry(since = 0, timeoutMs = 10_000) {
    if (this.entered.length > since) return this.entered[since];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no client entered the offline room')), timeoutMs);
      this.waiters.push((ws) => {
        clearTimeout(timer);
        resolve(ws);
      });
    });
  }

  /** Sends a push frame to every client in the room. */
  push(frame) {
    this.history.push(frame);
    for (const ws of this.clients) ws.send(frame);
  }

  /** The room drops every connection (as TikTok's edge does now and then). */
  drop() {
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
  }

  async close() {
    this.drop();
    await new Promise((resolve) => this.wss.close(resolve));
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * Points tiktok-live-connector 2.x's route table at an offline room served
 * from `base` (`http://127.0.0.1:port`): room id, room info, live status and
 * the signed WebSocket, with no network and no sign server.
 */
export function routeToOfflineRoom(base) {
  const room = async () => {
    const res = await fetch(`${base}/room`);
    if (!res.ok) throw new Error(`offline room: ${res.status}`);
    return res.json();
  };
  const R = tlc.RouteConfig;
  R.fetchRoomIdComposite = async () => (await room()).roomId;
  R.fetchIsLiveComposite = async () => (await room()).live;
  R.fetchRoomInfo = async () => {
    const r = await room();
    return { data: { id_str: r.roomId, status: r.live ? 2 : 4, title: 'offline room' } };
  };
  R.fetchSignedWebSocketFromProvider = async () => {
    const r = await room();
    return {
      fetchResult: fetchResultV2([], { cursor: '1', pushServer: r.pushServer }),
      fetchResultCookieHeader: '',
      fetchResultRoomId: r.roomId,
    };
  };
}
