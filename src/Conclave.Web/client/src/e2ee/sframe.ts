// SFrame (RFC 9605) with cipher suite AES_128_GCM_SHA256_128 and the MLS key IDs of RFC 9605 §5.2,
// on WebCrypto alone (globalThis.crypto.subtle) so the page, the media worker and Node 20 all run it.
// src/Conclave.Crypto/SFrame is the same in C#; tests/vectors/sframe holds both to the RFC and to each other.

export const SFRAME_AES_128_GCM_SHA256_128 = 0x0004;

/** The KID context of each kind of stream, so no two streams of a sender share a key or a counter. */
export enum StreamContext { Microphone = 0, Camera = 1, ScreenVideo = 2, ScreenAudio = 3, Chat = 4, Annotation = 5, FileOffer = 6 }

const KEY_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const MAX_U64 = (1n << 64n) - 1n;
const VP8_KEY_FRAME_CLEAR_BYTES = 10;
const VP8_DELTA_FRAME_CLEAR_BYTES = 3;

type Bytes = Uint8Array<ArrayBuffer>;
type AesKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

function checkU64(value: bigint, name: string): void {
  if (value < 0n || value > MAX_U64) throw new RangeError(`${name} is not a 64-bit unsigned integer`);
}

/** WebCrypto takes views of an ArrayBuffer; a view of anything else is copied. */
function bytes(view: Uint8Array): Bytes {
  return view.buffer instanceof ArrayBuffer ? (view as Bytes) : new Uint8Array(view);
}

function concat(a: Uint8Array, b: Uint8Array): Bytes {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// --- RFC 9605 §4.3: config byte X|K(3)|Y|C(3), then KID and CTR big-endian in the fewest bytes;
// a value below 8 sits in the config byte itself.

export interface SFrameHeader { kid: bigint; ctr: bigint; byteLength: number }

function valueLength(value: bigint): number {
  if (value < 8n) return 0;
  let length = 0;
  for (let rest = value; rest > 0n; rest >>= 8n) length++;
  return length;
}

function configField(value: bigint, length: number): number {
  return length === 0 ? Number(value) : 0b1000 | (length - 1);
}

function writeBigEndian(out: Uint8Array, offset: number, length: number, value: bigint): void {
  for (let i = length - 1; i >= 0; i--, value >>= 8n) out[offset + i] = Number(value & 0xffn);
}

export function writeSFrameHeader(kid: bigint, ctr: bigint): Uint8Array {
  checkU64(kid, "kid");
  checkU64(ctr, "ctr");
  const kidLength = valueLength(kid);
  const ctrLength = valueLength(ctr);
  const out = new Uint8Array(1 + kidLength + ctrLength);
  out[0] = (configField(kid, kidLength) << 4) | configField(ctr, ctrLength);
  writeBigEndian(out, 1, kidLength, kid);
  writeBigEndian(out, 1 + kidLength, ctrLength, ctr);
  return out;
}

/** Bytes a config-byte field says follow it: none for a value below 8 (flag 0), else 1-8. */
function fieldLength(field: number): number {
  return (field & 0b1000) === 0 ? 0 : (field & 0b0111) + 1;
}

function readValue(data: Uint8Array, field: number, position: number): bigint | undefined {
  const length = fieldLength(field);
  if (length === 0) return BigInt(field);
  if (data.length - position < length) return undefined;
  let value = 0n;
  for (let i = 0; i < length; i++) value = (value << 8n) | BigInt(data[position + i]);
  return valueLength(value) === length ? value : undefined;
}

/** Undefined for a truncated header or a value not in the shortest form §4.3 requires, so each header has one encoding. */
export function readSFrameHeader(data: Uint8Array, offset = 0): SFrameHeader | undefined {
  if (offset >= data.length) return undefined;
  const kidField = data[offset] >> 4;
  const ctrField = data[offset] & 0x0f;
  const kid = readValue(data, kidField, offset + 1);
  if (kid === undefined) return undefined;
  const ctrAt = offset + 1 + fieldLength(kidField);
  const ctr = readValue(data, ctrField, ctrAt);
  if (ctr === undefined) return undefined;
  return { kid, ctr, byteLength: ctrAt + fieldLength(ctrField) - offset };
}

// --- RFC 9605 §5.2: KID = context << (S + E) | sender_index << E | epoch mod 2^E.

export interface MlsKeyIdLayout { senderBits: number; epochBits: number }

/** S: the smallest S ≥ 1 with 2^S ≥ leafCount, blank leaves counted, so every leaf index fits. */
export function senderBitsForLeafCount(leafCount: number): number {
  if (!Number.isInteger(leafCount) || leafCount < 1 || leafCount > 2 ** 32) throw new RangeError("leafCount is not the size of an MLS tree");
  let bits = 1;
  while (2 ** bits < leafCount) bits++;
  return bits;
}

function checkLayout(layout: MlsKeyIdLayout): void {
  const { senderBits, epochBits } = layout;
  if (!Number.isInteger(senderBits) || senderBits < 1 || senderBits > 32 || !Number.isInteger(epochBits) || epochBits < 1 || senderBits + epochBits > 63) {
    throw new RangeError("not an MLS KID layout");
  }
}

export function mlsKeyId(layout: MlsKeyIdLayout, context: number, senderIndex: number, epoch: bigint): bigint {
  checkLayout(layout);
  checkU64(epoch, "epoch");
  const shift = BigInt(layout.senderBits + layout.epochBits);
  if (!Number.isSafeInteger(context) || context < 0 || BigInt(context) >> (64n - shift) !== 0n) throw new RangeError("context does not fit the layout");
  if (!Number.isInteger(senderIndex) || senderIndex < 0 || senderIndex >= 2 ** layout.senderBits) throw new RangeError("senderIndex does not fit the layout");
  const epochMask = (1n << BigInt(layout.epochBits)) - 1n;
  return (BigInt(context) << shift) | (BigInt(senderIndex) << BigInt(layout.epochBits)) | (epoch & epochMask);
}

export function parseMlsKeyId(layout: MlsKeyIdLayout, kid: bigint): { context: number; senderIndex: number; epochLowBits: number } {
  checkLayout(layout);
  checkU64(kid, "kid");
  const epochBits = BigInt(layout.epochBits);
  const senderBits = BigInt(layout.senderBits);
  return {
    context: Number(kid >> (senderBits + epochBits)),
    senderIndex: Number((kid >> epochBits) & ((1n << senderBits) - 1n)),
    epochLowBits: Number(kid & ((1n << epochBits) - 1n)),
  };
}

/**
 * RFC 9605 §5.2 gives every member of an epoch the same base_key, the sframe_epoch_secret
 * (MLS-Exporter("SFrame 1.0 Base Key", "", 16)), and sets senders and their streams apart by the
 * KID, which §4.4.2 mixes into the key and salt. So a sender's base key is the epoch secret itself
 * (a copy); its sender index reaches the key through mlsKeyId.
 */
export function mlsSenderBaseKey(sframeEpochSecret: Uint8Array, senderIndex: number): Promise<Uint8Array> {
  if (sframeEpochSecret.length !== KEY_BYTES) return Promise.reject(new RangeError(`an sframe_epoch_secret is ${KEY_BYTES} bytes`));
  if (!Number.isInteger(senderIndex) || senderIndex < 0 || senderIndex >= 2 ** 32) return Promise.reject(new RangeError("senderIndex is not an MLS leaf index"));
  return Promise.resolve(sframeEpochSecret.slice());
}

// --- RFC 9605 §4.4.2-§4.4.4 for AES_128_GCM_SHA256_128.

function label(prefix: string, kid: bigint): Bytes {
  const text = new TextEncoder().encode(prefix);
  const out = new Uint8Array(text.length + 8 + 2);
  out.set(text);
  const view = new DataView(out.buffer);
  view.setBigUint64(text.length, kid);
  view.setUint16(text.length + 8, SFRAME_AES_128_GCM_SHA256_128);
  return out;
}

export class SFrameKey {
  private constructor(readonly kid: bigint, private readonly key: AesKey, private readonly salt: Bytes) {}

  /**
   * sframe_secret = HKDF-Extract("", base_key); sframe_key and sframe_salt = HKDF-Expand of it with
   * "SFrame 1.0 Secret key " / "SFrame 1.0 Secret salt " ‖ KID (8 bytes) ‖ cipher suite (2 bytes).
   * WebCrypto's HKDF does extract and expand in one call; its empty salt is §4.4.2's "".
   */
  static async fromBaseKey(baseKey: Uint8Array, kid: bigint): Promise<SFrameKey> {
    checkU64(kid, "kid");
    const hkdf = await crypto.subtle.importKey("raw", bytes(baseKey), "HKDF", false, ["deriveBits"]);
    const expand = async (prefix: string, length: number): Promise<Bytes> =>
      new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: label(prefix, kid) }, hkdf, length * 8));
    const [key, salt] = await Promise.all([expand("SFrame 1.0 Secret key ", KEY_BYTES), expand("SFrame 1.0 Secret salt ", NONCE_BYTES)]);
    const aesKey = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt", "decrypt"]);
    key.fill(0);
    return new SFrameKey(kid, aesKey, salt);
  }

  /** header ‖ ciphertext ‖ tag (RFC 9605 §4.4.3), metadata authenticated but not included. */
  async seal(ctr: bigint, metadata: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
    // The last CTR is refused so a counter can never wrap into one already used (§4.3: one use per KID and CTR).
    if (ctr >= MAX_U64) throw new RangeError("the SFrame counter of this key is used up; a new key is needed");
    const header = writeSFrameHeader(this.kid, ctr);
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: this.nonce(ctr), additionalData: concat(header, metadata), tagLength: TAG_BYTES * 8 }, this.key, bytes(plaintext));
    return concat(header, new Uint8Array(ciphertext));
  }

  /** The plaintext, or undefined when the header's KID is not this key's or authentication fails. */
  async open(sframe: Uint8Array, metadata: Uint8Array): Promise<Uint8Array | undefined> {
    const header = readSFrameHeader(sframe);
    if (header === undefined || header.kid !== this.kid || sframe.length - header.byteLength < TAG_BYTES) return undefined;
    try {
      const plaintext = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: this.nonce(header.ctr), additionalData: concat(sframe.subarray(0, header.byteLength), metadata), tagLength: TAG_BYTES * 8 },
        this.key, bytes(sframe.subarray(header.byteLength)));
      return new Uint8Array(plaintext);
    } catch {
      return undefined;
    }
  }

  /** §4.4.3: the salt XOR the CTR as a big-endian integer of the nonce's length. */
  private nonce(ctr: bigint): Bytes {
    const nonce = this.salt.slice();
    const view = new DataView(nonce.buffer);
    view.setBigUint64(NONCE_BYTES - 8, view.getBigUint64(NONCE_BYTES - 8) ^ ctr);
    return nonce;
  }
}

// --- Media frames: prefix ‖ SFrame(rest), the prefix authenticated as metadata (§4.4.3).

export type MediaKind = "audio" | "video";

/**
 * Chromium's receiving VP8 depacketizer reads the first bytes before the transform runs, so they
 * stay clear: 10 for a key frame (bit 0 of byte 0, the frame tag's inverse key-frame flag, is 0:
 * RFC 6386 §9.1), else 3, never more than the frame. Audio has none. The receiver applies the same
 * rule to the byte 0 it receives, so a frame shorter than its prefix (no VP8 encoder writes one:
 * every frame has the 3-byte tag, a key frame 7 bytes more) is sealed but not opened.
 */
export function clearPrefixLength(kind: MediaKind, frame: Uint8Array): number {
  if (kind === "audio" || frame.length === 0) return 0;
  return Math.min((frame[0] & 1) === 0 ? VP8_KEY_FRAME_CLEAR_BYTES : VP8_DELTA_FRAME_CLEAR_BYTES, frame.length);
}

/** prefix ‖ SFrame(rest of the frame), the prefix as clearPrefixLength says and authenticated as metadata. */
export async function sealMediaFrame(key: SFrameKey, ctr: bigint, kind: MediaKind, frame: Uint8Array): Promise<Uint8Array> {
  const prefix = frame.subarray(0, clearPrefixLength(kind, frame));
  return concat(prefix, await key.seal(ctr, prefix, frame.subarray(prefix.length)));
}

/** The SFrame header of a protected media frame (to pick the key), or undefined. */
export function readMediaFrameHeader(kind: MediaKind, data: Uint8Array): SFrameHeader | undefined {
  return readSFrameHeader(data, clearPrefixLength(kind, data));
}

/** The original frame (prefix ‖ plaintext), or undefined when it does not open: then it is dropped, never decoded. */
export async function openMediaFrame(key: SFrameKey, kind: MediaKind, data: Uint8Array): Promise<Uint8Array | undefined> {
  const prefix = data.subarray(0, clearPrefixLength(kind, data));
  const plaintext = await key.open(data.subarray(prefix.length), prefix);
  return plaintext === undefined ? undefined : concat(prefix, plaintext);
}
