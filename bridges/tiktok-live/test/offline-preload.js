// Loaded with `node --import` into a bridge under test: points
// tiktok-live-connector at the offline room whose base URL is in
// TIKTOK_LIVE_OFFLINE_ROOM, so the bridge runs unchanged without the network.
import { routeToOfflineRoom } from '../lib/offline.js';

const base = process.env.TIKTOK_LIVE_OFFLINE_ROOM;
if (!base?.startsWith('http://127.0.0.1:')) {
  throw new Error('TIKTOK_LIVE_OFFLINE_ROOM must be the offline room on 127.0.0.1');
}
routeToOfflineRoom(base);
