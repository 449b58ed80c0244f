// What happens in a TikTok LIVE room, encoded as TikTok sends it: protobuf
// messages in a gzipped push frame, built with the connector libraries' own
// protobuf classes (tiktok-live-connector 2.x: `tiktok-live-proto`, which it
// re-exports; 1.x: its bundled `tiktokSchema.proto` through protobufjs).
//
// A room is described once as steps ({kind, at, user, …}); `frameV2` and
// `frameV1` encode steps into what each library's WebSocket handler decodes.

import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

import * as tlc from 'tiktok-live-connector';

const require = createRequire(import.meta.url);

/** The fixtures' room starts here: 2033-05-18T03:33:20Z. */
export const FIXTURE_T0 = 2_000_000_000_000;

/** The room the fixtures are recorded in. */
export const ROOM_ID = '7480000000000000000';

/** Viewers of the recorded room: TikTok's numeric ids and @handles. */
export const AMY = {
  id: '7044640112358049001',
  handle: 'amy.glow',
  nickname: 'Amy',
  secUid: 'MS4wLjABAAAAamy0glow',
};
export const BO = {
  id: '7044640112358049002',
  handle: 'bo_beauty',
  nickname: 'Bo',
  secUid: 'MS4wLjABAAAAbo0beauty',
};

/** Gifts as TikTok's gift list describes them. `type` 1 is a streakable gift. */
export const ROSE = { id: 5655, name: 'Rose', diamonds: 1, type: 1 };
export const DOUGHNUT = { id: 5879, name: 'Doughnut', diamonds: 30, type: 2 };

/**
 * The 17 events of issue 15, as steps from `t0` (epoch ms): the room's viewer
 * count (812), two viewers join, two chats, a question, likes of 15 and 6, a
 * follow and a share, a Rose streak of 3 (three in-progress updates, then its
 * end), a 30-diamond Doughnut, and the stream's end.
 *
 * `seq` numbers the messages; their ids are `msgBase + seq`.
 */
export function issue15Room(t0) {
  const at = (s) => t0 + s * 1000;
  const streak = '7480000000000009001';
  return [
    { kind: 'roomUser', at: at(1), viewers: 812, totalUser: 1530 },
    { kind: 'join', at: at(2), user: AMY },
    { kind: 'join', at: at(3), user: BO },
    { kind: 'chat', at: at(4), user: AMY, text: 'Price for two?' },
    { kind: 'chat', at: at(5), user: BO, text: 'Love the serum' },
    { kind: 'question', at: at(6), user: AMY, text: 'Does it ship to Shenzhen?', questionId: '7480000000000008001' },
    { kind: 'like', at: at(7), user: BO, count: 15, total: 99015 },
    { kind: 'like', at: at(8), user: AMY, count: 6, total: 99021 },
    { kind: 'follow', at: at(9), user: AMY },
    { kind: 'share', at: at(10), user: BO },
    { kind: 'gift', at: at(11), user: BO, gift: ROSE, repeat: 1, end: false, group: streak },
    { kind: 'gift', at: at(12), user: BO, gift: ROSE, repeat: 2, end: false, group: streak },
    { kind: 'gift', at: at(13), user: BO, gift: ROSE, repeat: 3, end: false, group: streak },
    { kind: 'gift', at: at(13) + 500, user: BO, gift: ROSE, repeat: 3, end: true, group: streak },
    { kind: 'gift', at: at(14), user: AMY, gift: DOUGHNUT, repeat: 1, end: false, group: '7480000000000009002' },
    { kind: 'control', at: at(15), action: 3 },
  ].map((step, i) => ({ ...step, msgId: (7480000000000000100n + BigInt(i + 1)).toString() }));
}

/** A step's name in the fixtures: `chat amy.glow`, `gift Rose x3 (streak end)`. */
export function stepLabel(step) {
  switch (step.kind) {
    case 'gift':
      return `gift ${step.gift.name} x${step.repeat}${step.end ? ' (streak end)' : ''}`;
    case 'control':
      return `control action ${step.action}`;
    default:
      return step.user ? `${step.kind} ${step.user.handle}` : step.kind;
  }
}

// ---------------------------------------------------------------------------
// tiktok-live-connector 2.x (TikTokLiveConnection, tiktok-live-proto v3)

/** A message of protobuf type `Type` with every field at its default, then `fields`. */
function make(Type, fields = {}) {
  return Object.assign(Type.decode(new Uint8Array(0)), fields);
}

function userV2(u) {
  return make(tlc.User, {
    id: u.id,
    idStr: u.id,
    nickname: u.nickname,
    displayId: u.handle,
    secUid: u.secUid,
    followInfo: make(tlc.FollowInfo, { followingCount: '12', followerCount: '3', followStatus: '0' }),
  });
}

function commonV2(method, step, displayText) {
  return make(tlc.CommonMessageData, {
    method,
    msgId: step.msgId,
    roomId: ROOM_ID,
    createTime: String(step.at),
    isShowMsg: true,
    displayText: displayText && make(tlc.MessageCommonText, displayText),
  });
}

/** One step as the protobuf message TikTok pushes: [method, payload]. */
function messageV2(step) {
  const user = step.user && userV2(step.user);
  const encode = (Type, method, fields, displayText) => [
    method,
    Type.encode(make(Type, { common: commonV2(method, step, displayText), ...fields })).finish(),
  ];
  switch (step.kind) {
    case 'roomUser':
      return encode(tlc.WebcastRoomUserSeqMessage, 'WebcastRoomUserSeqMessage', {
        total: String(step.viewers),
        totalUser: String(step.totalUser),
        popStr: String(step.viewers),
      });
    case 'join':
      return encode(tlc.WebcastMemberMessage, 'WebcastMemberMessage', {
        user,
        action: tlc.MemberMessageAction.MEMBER_MESSAGE_ACTION_JOINED,
        memberCount: 812,
      }, { key: 'live_room_enter_toast', defaultPattern: '{0:user} joined' });
    case 'chat':
      return encode(tlc.WebcastChatMessage, 'WebcastChatMessage', {
        user,
        content: step.text,
        contentLanguage: 'en',
      });
    case 'question':
      return encode(tlc.WebcastQuestionNewMessage, 'WebcastQuestionNewMessage', {
        data: make(tlc.Question, {
          questionId: step.questionId,
          content: step.text,
          createTime: String(Math.floor(step.at / 1000)),
          user,
        }),
      });
    case 'like':
      return encode(tlc.WebcastLikeMessage, 'WebcastLikeMessage', {
        user,
        count: step.count,
        total: String(step.total),
      }, { key: 'pm_mt_msg_viewer', defaultPattern: '{0:user} liked the LIVE' });
    case 'follow':
      return encode(tlc.WebcastSocialMessage, 'WebcastSocialMessage', {
        user,
        action: '1',
        followCount: '4021',
      }, { key: 'pm_main_follow_message_viewer_2', defaultPattern: '{0:user} followed the LIVE creator' });
    case 'share':
      return encode(tlc.WebcastSocialMessage, 'WebcastSocialMessage', {
        user,
        action: '3',
        shareType: '1',
        shareCount: 1,
      }, { key: 'pm_mt_guidance_share', defaultPattern: '{0:user} shared the LIVE' });
    case 'gift':
      return encode(tlc.WebcastGiftMessage, 'WebcastGiftMessage', {
        user,
        giftId: String(step.gift.id),
        repeatCount: step.repeat,
        comboCount: step.repeat,
        groupCount: 1,
        repeatEnd: step.end ? 1 : 0,
        groupId: step.group,
        gift: make(tlc.Gift, {
          id: String(step.gift.id),
          name: step.gift.name,
          diamondCount: step.gift.diamonds,
          type: step.gift.type,
          combo: step.gift.type === 1,
        }),
      }, { key: 'pm_mt_livegift_comment', defaultPattern: '{0:user}: sent {1:gift} × {2:string}' });
    case 'control':
      return encode(tlc.WebcastControlMessage, 'WebcastControlMessage', { action: step.action });
    default:
      throw new Error(`unknown step ${step.kind}`);
  }
}

/**
 * The `ProtoMessageFetchResult` of `steps` (what the sign server answers on
 * connect, and what a push frame carries, gzipped).
 */
export function fetchResultV2(steps, { cursor = '1', pushServer = '' } = {}) {
  const messages = steps.map((step) => {
    const [method, payload] = messageV2(step);
    return make(tlc.BaseProtoMessage, { method, payload: Buffer.from(payload), msgId: step.msgId });
  });
  return make(tlc.ProtoMessageFetchResult, {
    messages,
    cursor,
    fetchInterval: '1000',
    now: String(steps.at(-1)?.at ?? Date.now()),
    internalExt: `internal_src:dim|first_req_ms:${steps[0]?.at ?? 0}|fetch_id:${cursor}`,
    fetchType: 1,
    needAck: true,
    pushServer,
  });
}

/** A push frame as TikTok's WebSocket sends it: `WebcastPushFrame` around the gzipped fetch result. */
export function frameV2(steps, { seq = 1 } = {}) {
  const result = tlc.ProtoMessageFetchResult.encode(fetchResultV2(steps, { cursor: String(seq) })).finish();
  return Buffer.from(
    tlc
      .createBaseWebcastPushFrame({
        seqId: String(seq),
        logId: String(7480000000000100000n + BigInt(seq)),
        payloadEncoding: 'pb',
        payloadType: 'msg',
        // TikTok says how the payload is compressed; 2.x sniffs the gzip
        // magic, the Python TikTokLive library reads this header.
        headers: [tlc.PushHeader.decode(new Uint8Array(0))].map((h) =>
          Object.assign(h, { key: 'compress_type', value: 'gzip' }),
        ),
        payload: gzipSync(Buffer.from(result)),
      })
      .finish(),
  );
}

// ---------------------------------------------------------------------------
// tiktok-live-connector 1.x (WebcastPushConnection, tiktokSchema.proto)

/** The 1.x library's protobuf helpers (`serializeMessage` uses its own schema). */
export function protobufV1() {
  return require('tlc1').webcastProtobuf;
}

function userV1(u) {
  return {
    userId: u.id,
    nickname: u.nickname,
    uniqueId: u.handle,
    secUid: u.secUid,
    followInfo: { followingCount: 12, followerCount: 3, followStatus: 0 },
  };
}

function messageV1(step, pb) {
  const event = (displayType, label) => ({
    msgId: step.msgId,
    createTime: String(step.at),
    eventDetails: displayType ? { displayType, label } : undefined,
  });
  const user = step.user && userV1(step.user);
  const type = {
    roomUser: 'WebcastRoomUserSeqMessage',
    join: 'WebcastMemberMessage',
    chat: 'WebcastChatMessage',
    question: 'WebcastQuestionNewMessage',
    like: 'WebcastLikeMessage',
    follow: 'WebcastSocialMessage',
    share: 'WebcastSocialMessage',
    gift: 'WebcastGiftMessage',
    control: 'WebcastControlMessage',
  }[step.kind];
  const body = {
    roomUser: () => ({ viewerCount: step.viewers, topViewers: [] }),
    join: () => ({ event: event('live_room_enter_toast', '{0:user} joined'), user, actionId: 1 }),
    chat: () => ({ event: event(), user, comment: step.text }),
    question: () => ({ questionDetails: { questionText: step.text, user } }),
    like: () => ({ event: event('pm_mt_msg_viewer', '{0:user} liked the LIVE'), user, likeCount: step.count, totalLikeCount: step.total }),
    follow: () => ({ event: event('pm_main_follow_message_viewer_2', '{0:user} followed the host'), user }),
    share: () => ({ event: event('pm_mt_guidance_share', '{0:user} shared the LIVE'), user }),
    gift: () => ({
      event: event('webcast_gift_send_message', '{0:user} sent {1:gift}'),
      giftId: step.gift.id,
      repeatCount: step.repeat,
      user,
      repeatEnd: step.end ? 1 : 0,
      groupId: step.group,
      giftDetails: {
        giftImage: { giftPictureUrl: `https://p16-webcast.tiktokcdn.com/img/gift/${step.gift.id}.png` },
        giftName: step.gift.name,
        describe: `sent ${step.gift.name}`,
        giftType: step.gift.type,
        diamondCount: step.gift.diamonds,
      },
    }),
    control: () => ({ action: step.action }),
  }[step.kind]();
  return { type, binary: pb.serializeMessage(type, body) };
}

/** A 1.x WebSocket message: `WebcastWebsocketMessage` around the gzipped `WebcastResponse`. */
export function frameV1(steps, { seq = 1 } = {}) {
  const pb = protobufV1();
  const response = pb.serializeMessage('WebcastResponse', {
    messages: steps.map((s) => messageV1(s, pb)),
    cursor: String(seq),
    internalExt: `fetch_id:${seq}`,
    fetchInterval: 1000,
    fetchType: 1,
  });
  return Buffer.from(
    pb.serializeMessage('WebcastWebsocketMessage', {
      id: String(7480000000000100000n + BigInt(seq)),
      type: 'msg',
      binary: gzipSync(Buffer.from(response)),
    }),
  );
}
