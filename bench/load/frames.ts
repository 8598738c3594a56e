// The media a synthetic publisher sends: VP8 frames of a real encode (an IVF file ffmpeg wrote)
// and Opus-sized 20 ms frames, each sealed with SFrame exactly as the browser's E2EE worker seals
// them (client/src/e2ee/sframe.ts, docs/e2ee.md), then cut into RTP payloads as libwebrtc does.
// Nothing here encodes or decodes media; nothing here depends on a WebRTC stack.
import {
  type MlsKeyIdLayout,
  SFrameKey,
  StreamContext,
  mlsKeyId,
  mlsSenderBaseKey,
  sealMediaFrame,
  senderBitsForLeafCount,
} from "../../src/Conclave.Web/client/src/e2ee/sframe";

/** RFC 9605 §5.2 as the worker lays KIDs out: 8 bits of epoch. */
const EPOCH_BITS = 8;
/** RFC 7741 §4.2 descriptor with X, I and a 15-bit PictureID, as Chromium sends it. */
export const VP8_DESCRIPTOR_BYTES = 4;
const IVF_SIGNATURE = "DKIF";
/**
 * RTP payload bytes per packet: with the 12-byte header, the one-byte header extensions (mid,
 * transport-wide sequence number) and the 16-byte SRTP tag a packet stays within 1,200 bytes.
 */
export const MAX_PAYLOAD_BYTES = 1140;
/** 64 kbit/s Opus: 160 bytes per 20 ms frame (random bytes: no server reads past the SFrame header). */
export const OPUS_FRAME_BYTES = 160;
const IVF_FRAME_HEADER_BYTES = 12;

/** The frames of an IVF file (a 32-byte file header, then per frame a 4-byte little-endian size, an 8-byte timestamp and the frame). */
export function readIvfFrames(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 32 || new TextDecoder().decode(file.subarray(0, 4)) !== IVF_SIGNATURE) throw new Error("not an IVF file");
  const frames: Uint8Array[] = [];
  let offset = view.getUint16(6, true);
  while (offset + IVF_FRAME_HEADER_BYTES <= file.length) {
    const size = view.getUint32(offset, true);
    const start = offset + IVF_FRAME_HEADER_BYTES;
    if (start + size > file.length) throw new Error("IVF file ends inside a frame");
    frames.push(file.subarray(start, start + size));
    offset = start + size;
  }
  if (offset !== file.length) throw new Error("IVF file ends inside a frame");
  return frames;
}

/** RFC 6386 §9.1: bit 0 of the frame tag is the inverse key-frame flag. */
export function isVp8KeyFrame(frame: Uint8Array): boolean {
  return frame.length > 0 && (frame[0] & 0x01) === 0;
}

/** X=1, S on the frame's first packet, partition 0; I=1 with M=1: a 15-bit PictureID. */
export function vp8PayloadDescriptor(startsFrame: boolean, pictureId: number): Uint8Array {
  return Uint8Array.of(0x80 | (startsFrame ? 0x10 : 0), 0x80, 0x80 | ((pictureId >> 8) & 0x7f), pictureId & 0xff);
}

/**
 * Sizes of a frame's packets as libwebrtc's RtpPacketizer::SplitAboutEqually makes them: the
 * fewest packets that fit, sizes differing by at most one byte, the larger ones last.
 */
export function splitAboutEqually(length: number, capacity: number): number[] {
  const count = Math.max(1, Math.ceil(length / capacity));
  const base = Math.floor(length / count);
  const larger = length % count;
  return Array.from({ length: count }, (_, i) => base + (i >= count - larger ? 1 : 0));
}

/** A sealed VP8 frame as RTP payloads (descriptor ‖ bytes), each at most `maxPayloadBytes`. */
export function packetizeVp8(sealedFrame: Uint8Array, pictureId: number, maxPayloadBytes: number): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const size of splitAboutEqually(sealedFrame.length, maxPayloadBytes - VP8_DESCRIPTOR_BYTES)) {
    const payload = new Uint8Array(VP8_DESCRIPTOR_BYTES + size);
    payload.set(vp8PayloadDescriptor(offset === 0, pictureId));
    payload.set(sealedFrame.subarray(offset, offset + size), VP8_DESCRIPTOR_BYTES);
    payloads.push(payload);
    offset += size;
  }
  return payloads;
}

/** The epoch keys the E2EE worker would hold (PageToWorker "epoch"), for one sender's microphone and camera. */
export interface SenderEpoch {
  epoch: bigint;
  sframeEpochSecret: Uint8Array;
  leafCount: number;
  ownLeaf: number;
}

/**
 * Seals frames as the worker's send side does: the KID names (stream context, own leaf, epoch),
 * the key comes from the epoch's SFrame secret (RFC 9605 §5.2), and each KID has its own counter
 * from 0. Frames sealed before the first epoch is known are refused, as the worker drops them.
 */
export class SFrameSender {
  private keys: Promise<{ microphone: SFrameKey; camera: SFrameKey }> | undefined;
  private readonly counters = new Map<bigint, bigint>();

  get ready(): boolean {
    return this.keys !== undefined;
  }

  setEpoch(epoch: SenderEpoch): void {
    const layout: MlsKeyIdLayout = { senderBits: senderBitsForLeafCount(epoch.leafCount), epochBits: EPOCH_BITS };
    const keyFor = async (context: StreamContext) =>
      SFrameKey.fromBaseKey(await mlsSenderBaseKey(epoch.sframeEpochSecret, epoch.ownLeaf), mlsKeyId(layout, context, epoch.ownLeaf, epoch.epoch));
    const keys = Promise.all([keyFor(StreamContext.Microphone), keyFor(StreamContext.Camera)]).then(([microphone, camera]) => ({ microphone, camera }));
    // Until the new keys exist, frames go out under the old ones (the appliance accepts two epochs back).
    void keys.then(() => (this.keys = keys));
    this.keys ??= keys;
  }

  async seal(kind: "audio" | "video", frame: Uint8Array): Promise<Uint8Array> {
    if (!this.keys) throw new Error("no SFrame epoch yet");
    const keys = await this.keys;
    const key = kind === "audio" ? keys.microphone : keys.camera;
    const ctr = this.counters.get(key.kid) ?? 0n;
    this.counters.set(key.kid, ctr + 1n);
    return sealMediaFrame(key, ctr, kind, frame);
  }
}
