// The load harness (bench/load, `make bench-load`) must send what the appliance relays: its frame
// builder's RTP payloads are checked here against a mirror of the SFU's own shape rule
// (src/Conclave.Media/Sfu/SFrameShape.cs with Rtp/Vp8PayloadDescriptor.cs and Rtp/SFrameHeaderView.cs),
// and its TOTP, with which it enrols the first admin, against RFC 6238's vectors.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  MAX_PAYLOAD_BYTES,
  OPUS_FRAME_BYTES,
  SFrameSender,
  VP8_DESCRIPTOR_BYTES,
  packetizeVp8,
  readIvfFrames,
  splitAboutEqually,
} from "../../../../bench/load/frames";
import { fromBase32, hotp, totp } from "../../../../bench/load/totp";

// --- A mirror of SFrameShape.Holds: what the appliance relays from a publisher.

const SFRAME_TAG_BYTES = 16;

/** Vp8PayloadDescriptor.TryParse: [length, startsFrame], or undefined when the payload ends inside it. */
function parseVp8Descriptor(payload: Uint8Array): [number, boolean] | undefined {
  if (payload.length === 0) return undefined;
  const first = payload[0];
  let length = 1;
  if ((first & 0x80) !== 0) {
    if (payload.length < 2) return undefined;
    const extension = payload[1];
    length = 2;
    if ((extension & 0x80) !== 0) {
      if (payload.length <= length) return undefined;
      length += (payload[length] & 0x80) !== 0 ? 2 : 1;
    }
    if ((extension & 0x40) !== 0) length++;
    if ((extension & 0x30) !== 0) length++;
    if (payload.length < length) return undefined;
  }
  return [length, (first & 0x10) !== 0 && (first & 0x07) === 0];
}

/** SFrameHeaderView.TryParse: [kid, header length]. */
function parseSFrameHeader(data: Uint8Array): [bigint, number] | undefined {
  if (data.length === 0) return undefined;
  const config = data[0];
  let offset = 1;
  const field = (extended: boolean, value: number): bigint | undefined => {
    if (!extended) return BigInt(value);
    const length = value + 1;
    if (data.length - offset < length) return undefined;
    let result = 0n;
    for (let i = 0; i < length; i++) result = (result << 8n) | BigInt(data[offset + i]);
    offset += length;
    return result;
  };
  const kid = field((config & 0x80) !== 0, (config >> 4) & 0x07);
  if (kid === undefined) return undefined;
  if (field((config & 0x08) !== 0, config & 0x07) === undefined) return undefined;
  return [kid, offset];
}

function shapeHolds(kind: "audio" | "video", payload: Uint8Array, roomEpoch: bigint): boolean {
  if (kind === "video") {
    const descriptor = parseVp8Descriptor(payload);
    if (!descriptor) return false;
    const [length, startsFrame] = descriptor;
    if (!startsFrame) return true;
    const frame = payload.subarray(length);
    if (frame.length === 0) return false;
    const prefix = (frame[0] & 0x01) === 0 ? 10 : 3;
    if (frame.length < prefix) return false;
    payload = frame.subarray(prefix);
  }
  const header = parseSFrameHeader(payload);
  if (!header) return false;
  const [kid, length] = header;
  return payload.length - length >= SFRAME_TAG_BYTES && ((roomEpoch - kid) & 0xffn) <= 2n;
}

// --- Frames like an encoder's: a key frame starts with its 10-byte header (RFC 6386 §9.1).

function vp8Frame(keyFrame: boolean, length: number): Uint8Array {
  const frame = crypto.getRandomValues(new Uint8Array(length));
  frame[0] = keyFrame ? frame[0] & 0xfe : frame[0] | 0x01;
  if (keyFrame) frame.set([0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01], 3);
  return frame;
}

function senderAt(epoch: bigint, ownLeaf: number, leafCount: number): SFrameSender {
  const sender = new SFrameSender();
  sender.setEpoch({ epoch, sframeEpochSecret: crypto.getRandomValues(new Uint8Array(16)), leafCount, ownLeaf });
  return sender;
}

describe("the load harness's media", () => {
  test("every packet of a sealed key frame and of a sealed delta frame has the shape the appliance relays at the room's epoch", async () => {
    const sender = senderAt(300n, 5, 7);
    for (const [keyFrame, length] of [[true, 40_000], [false, 6_250], [false, 900]] as const) {
      const packets = packetizeVp8(await sender.seal("video", vp8Frame(keyFrame, length)), 17, MAX_PAYLOAD_BYTES);
      assert.ok(packets.length >= Math.ceil(length / MAX_PAYLOAD_BYTES));
      for (const packet of packets) {
        assert.ok(packet.length <= MAX_PAYLOAD_BYTES);
        assert.ok(shapeHolds("video", packet, 300n), `a packet of a ${keyFrame ? "key" : "delta"} frame is refused`);
      }
    }
  });

  test("only the first packet of a frame starts it, after a 4-byte descriptor with the frame's PictureID", async () => {
    const sender = senderAt(2n, 0, 2);
    const packets = packetizeVp8(await sender.seal("video", vp8Frame(false, 5_000)), 0x1234, MAX_PAYLOAD_BYTES);
    assert.deepEqual(packets.map((p) => parseVp8Descriptor(p)), packets.map((_, i) => [VP8_DESCRIPTOR_BYTES, i === 0]));
    for (const p of packets) assert.deepEqual([...p.subarray(2, 4)], [0x80 | 0x12, 0x34]);
  });

  test("sealed Opus frames have the shape the appliance relays", async () => {
    const sender = senderAt(9n, 1, 2);
    for (let i = 0; i < 3; i++) {
      const payload = await sender.seal("audio", crypto.getRandomValues(new Uint8Array(OPUS_FRAME_BYTES)));
      assert.ok(shapeHolds("audio", payload, 9n));
    }
  });

  test("the appliance would refuse the same frames three epochs later: the KID carries the sender's epoch", async () => {
    const sender = senderAt(300n, 5, 7);
    const [first] = packetizeVp8(await sender.seal("video", vp8Frame(true, 3_000)), 1, MAX_PAYLOAD_BYTES);
    const audio = await sender.seal("audio", crypto.getRandomValues(new Uint8Array(OPUS_FRAME_BYTES)));
    assert.ok(shapeHolds("video", first, 302n) && shapeHolds("audio", audio, 302n));
    assert.ok(!shapeHolds("video", first, 303n));
    assert.ok(!shapeHolds("audio", audio, 303n));
  });

  test("frames are split as libwebrtc splits them: fewest packets, sizes one byte apart at most, the larger last", () => {
    for (const [length, capacity] of [[6_250, 1_136], [1_136, 1_136], [1_137, 1_136], [40_000, 1_136], [7, 1_136]]) {
      const sizes = splitAboutEqually(length, capacity);
      assert.equal(sizes.reduce((a, b) => a + b, 0), length);
      assert.equal(sizes.length, Math.ceil(length / capacity));
      assert.ok(Math.max(...sizes) <= capacity && Math.max(...sizes) - Math.min(...sizes) <= 1);
      assert.deepEqual(sizes, [...sizes].sort((a, b) => a - b));
    }
  });

  test("an IVF file's frames are read back as written", () => {
    const frames = [vp8Frame(true, 100), vp8Frame(false, 7), vp8Frame(false, 0)];
    const file = new Uint8Array(32 + frames.reduce((s, f) => s + 12 + f.length, 0));
    const view = new DataView(file.buffer);
    file.set(new TextEncoder().encode("DKIF"));
    view.setUint16(6, 32, true);
    let offset = 32;
    for (const [i, frame] of frames.entries()) {
      view.setUint32(offset, frame.length, true);
      view.setBigUint64(offset + 4, BigInt(i), true);
      file.set(frame, offset + 12);
      offset += 12 + frame.length;
    }
    assert.deepEqual(readIvfFrames(file), frames);
    assert.throws(() => readIvfFrames(file.subarray(0, file.length - 1)), /ends inside a frame/);
  });
});

describe("the load harness's TOTP (RFC 6238)", () => {
  // RFC 6238 Appendix B, SHA-1, seed "12345678901234567890", 8 digits.
  const seed = new TextEncoder().encode("12345678901234567890");
  const vectors: [number, string][] = [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ];

  test("matches RFC 6238 Appendix B's SHA-1 vectors", () => {
    for (const [time, code] of vectors) assert.equal(totp(seed, time, 8), code);
  });

  test("the console's 6-digit codes are the same truncation to six digits", () => {
    for (const [time, code] of vectors) assert.equal(totp(seed, time), code.slice(2));
  });

  test("HOTP matches RFC 4226 Appendix D's first values", () => {
    assert.deepEqual([0n, 1n, 2n, 9n].map((c) => hotp(seed, c)), ["755224", "287082", "359152", "520489"]);
  });

  test("base32 secrets decode as RFC 4648 §10 says, with or without padding", () => {
    assert.equal(new TextDecoder().decode(fromBase32("MZXW6YTBOI======")), "foobar");
    assert.equal(new TextDecoder().decode(fromBase32("MZXW6YQ")), "foob");
    assert.equal(new TextDecoder().decode(fromBase32("my")), "f");
    assert.throws(() => fromBase32("MZ1W"), /not base32/);
  });
});
