// Compliance recording with end-to-end encryption kept on (docs/recording.md): while the MLS group
// context carries the conclave_recording extension, each epoch's keys are sealed by members'
// browsers to the escrow keys it lists, with HPKE (RFC 9180) base mode, DHKEM(P-256, HKDF-SHA256),
// HKDF-SHA256, AES-128-GCM. Runs in the page, the worker and Node 20: only globalThis.crypto and
// @hpke/core, which is WebCrypto underneath. src/Conclave.Crypto/Escrow is the same in C#, and opens
// what this seals; tests/vectors/escrow holds the two to each other.
//
// Encodings are the TLS presentation language with RFC 9420 §2.1.2 variable-length vectors <V>;
// integers are big-endian. Every decoder refuses anything but exactly one well-formed version-1
// structure, and every encoder refuses what its decoder would.

import { Aes128Gcm, CipherSuite, DhkemP256HkdfSha256, HkdfSha256 } from "@hpke/core";

/** The GroupContext extension type of conclave_recording (RFC 9420 §17.3, private use). */
export const RECORDING_EXTENSION_TYPE = 0xf0a1;

/**
 * What a recording keeps; Stopped (with no escrow keys) once it ended: ts-mls 1.6.4 reads a
 * GroupContextExtensions proposal with an empty list as "no change", so the extension stays.
 */
export enum RecordingScope { Stopped = 0, Media = 1, MediaAndChat = 2 }

function isScope(scope: number | undefined): scope is RecordingScope {
  return scope === RecordingScope.Stopped || scope === RecordingScope.Media || scope === RecordingScope.MediaAndChat;
}

/** The conclave_recording extension's body. */
export interface RecordingExtension {
  recordingId: Uint8Array;
  scope: RecordingScope;
  /** Each escrow key's DER SubjectPublicKeyInfo. */
  escrowKeys: Uint8Array[];
  /** The display name of the host who started the recording. */
  startedBy: string;
}

/** One non-blank leaf of the epoch's tree. */
export interface RosterEntry {
  leaf: number;
  /** The leaf's ConclaveCredential bytes. */
  credential: Uint8Array;
  /** The leaf's MLS signature public key, a 65-byte uncompressed P-256 point. */
  signatureKey: Uint8Array;
}

/** What is sealed for one epoch. */
export interface EscrowedEpoch {
  recordingId: Uint8Array;
  groupId: Uint8Array;
  epoch: bigint;
  /** MLS-Exporter("SFrame 1.0 Base Key", "", 16). */
  sframeEpochSecret: Uint8Array;
  /** MLS-Exporter("Conclave 1.0 Data Key", "", 16) when the scope includes chat, else empty. */
  dataKey: Uint8Array;
  epochAuthenticator: Uint8Array;
  /** The tree's leaf count including blank leaves: the SFrame KID layout's S. */
  leafCount: number;
  roster: RosterEntry[];
}

/** One escrowed epoch sealed to one escrow key, as sent in recording-escrow. */
export interface EscrowBlob {
  recordingId: Uint8Array;
  epoch: bigint;
  sealerLeaf: number;
  /** SHA-256 of the recipient's SPKI. */
  escrowKeyId: Uint8Array;
  /** The HPKE encapsulated key, a 65-byte uncompressed point. */
  enc: Uint8Array;
  ciphertext: Uint8Array;
}

const VERSION = 1;
const RECORDING_ID_BYTES = 16;
const SECRET_BYTES = 16;
const ESCROW_KEY_ID_BYTES = 32;
const POINT_BYTES = 65;
const MAX_U32 = 0xffffffff;
const MAX_U64 = (1n << 64n) - 1n;
// RFC 9420 §2.1.2: the two top bits of the first byte give the length of the length (1, 2 or 4
// bytes); 0b11 is reserved, so a vector holds at most 2^30 - 1 bytes.
const MAX_VECTOR_LENGTH = 0x3fffffff;
const ESCROW_INFO_LABEL = new TextEncoder().encode("Conclave escrow v1");
// The DER prefix of every named-curve P-256 SubjectPublicKeyInfo (RFC 5480 §2): SEQUENCE {
// SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING of 66 bytes }, then the uncompressed point.
const P256_SPKI_PREFIX = Uint8Array.of(
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
);

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

type Bytes = Uint8Array<ArrayBuffer>;

// --- RecordingExtension

export function encodeRecordingExtension(extension: RecordingExtension): Uint8Array {
  checkLength(extension.recordingId, RECORDING_ID_BYTES, "recordingId");
  if (!isScope(extension.scope)) throw new RangeError("unknown recording scope");
  if ((extension.scope === RecordingScope.Stopped) !== (extension.escrowKeys.length === 0)) {
    throw new RangeError("a stopped recording names no escrow key, and a running one at least one");
  }
  const writer = new Writer();
  writer.byte(VERSION);
  writer.fixed(extension.recordingId);
  writer.byte(extension.scope);
  const keys = new Writer();
  for (const spki of extension.escrowKeys) keys.vector(spki);
  writer.vector(keys.bytes());
  writer.vector(utf8Encoder.encode(extension.startedBy));
  return writer.bytes();
}

export function decodeRecordingExtension(bytes: Uint8Array): RecordingExtension | undefined {
  const reader = new Reader(bytes);
  if (reader.byte() !== VERSION) return undefined;
  const recordingId = reader.fixed(RECORDING_ID_BYTES);
  const scope = reader.byte();
  const keyBytes = reader.vector();
  const startedBy = reader.vector();
  if (recordingId === undefined || !isScope(scope)) return undefined;
  if (keyBytes === undefined || startedBy === undefined || !reader.atEnd) return undefined;
  const escrowKeys: Uint8Array[] = [];
  const keys = new Reader(keyBytes);
  while (!keys.atEnd) {
    const spki = keys.vector();
    if (spki === undefined) return undefined;
    escrowKeys.push(spki.slice());
  }
  if ((scope === RecordingScope.Stopped) !== (escrowKeys.length === 0)) return undefined;
  const name = utf8(startedBy);
  if (name === undefined) return undefined;
  return { recordingId: recordingId.slice(), scope, escrowKeys, startedBy: name };
}

// --- EscrowedEpoch

/** The roster is written in ascending leaf order; a leaf twice or not below leafCount is refused. */
export function encodeEscrowedEpoch(epoch: EscrowedEpoch): Uint8Array {
  checkLength(epoch.recordingId, RECORDING_ID_BYTES, "recordingId");
  checkLength(epoch.sframeEpochSecret, SECRET_BYTES, "sframeEpochSecret");
  if (epoch.dataKey.length !== 0 && epoch.dataKey.length !== SECRET_BYTES) throw new RangeError("dataKey must be empty or 16 bytes");
  checkU64(epoch.epoch, "epoch");
  checkU32(epoch.leafCount, "leafCount");
  const roster = new Writer();
  let previousLeaf = -1;
  for (const entry of [...epoch.roster].sort((a, b) => a.leaf - b.leaf)) {
    checkU32(entry.leaf, "roster leaf");
    if (entry.leaf === previousLeaf) throw new RangeError(`leaf ${entry.leaf} is in the roster twice`);
    if (entry.leaf >= epoch.leafCount) throw new RangeError(`leaf ${entry.leaf} is not below the leaf count ${epoch.leafCount}`);
    checkLength(entry.signatureKey, POINT_BYTES, "signatureKey");
    previousLeaf = entry.leaf;
    roster.u32(entry.leaf);
    roster.vector(entry.credential);
    roster.vector(entry.signatureKey);
  }
  const writer = new Writer();
  writer.byte(VERSION);
  writer.fixed(epoch.recordingId);
  writer.vector(epoch.groupId);
  writer.u64(epoch.epoch);
  writer.fixed(epoch.sframeEpochSecret);
  writer.vector(epoch.dataKey);
  writer.vector(epoch.epochAuthenticator);
  writer.u32(epoch.leafCount);
  writer.vector(roster.bytes());
  return writer.bytes();
}

export function decodeEscrowedEpoch(bytes: Uint8Array): EscrowedEpoch | undefined {
  const reader = new Reader(bytes);
  if (reader.byte() !== VERSION) return undefined;
  const recordingId = reader.fixed(RECORDING_ID_BYTES);
  const groupId = reader.vector();
  const epoch = reader.u64();
  const sframeEpochSecret = reader.fixed(SECRET_BYTES);
  const dataKey = reader.vector();
  const epochAuthenticator = reader.vector();
  const leafCount = reader.u32();
  const rosterBytes = reader.vector();
  if (
    recordingId === undefined || groupId === undefined || epoch === undefined || sframeEpochSecret === undefined ||
    dataKey === undefined || (dataKey.length !== 0 && dataKey.length !== SECRET_BYTES) || epochAuthenticator === undefined ||
    leafCount === undefined || rosterBytes === undefined || !reader.atEnd
  ) {
    return undefined;
  }
  const roster: RosterEntry[] = [];
  const entries = new Reader(rosterBytes);
  let previousLeaf = -1;
  while (!entries.atEnd) {
    const leaf = entries.u32();
    const credential = entries.vector();
    const signatureKey = entries.vector();
    if (leaf === undefined || leaf <= previousLeaf || leaf >= leafCount) return undefined;
    if (credential === undefined || signatureKey === undefined || signatureKey.length !== POINT_BYTES) return undefined;
    previousLeaf = leaf;
    roster.push({ leaf, credential: credential.slice(), signatureKey: signatureKey.slice() });
  }
  return {
    recordingId: recordingId.slice(),
    groupId: groupId.slice(),
    epoch,
    sframeEpochSecret: sframeEpochSecret.slice(),
    dataKey: dataKey.slice(),
    epochAuthenticator: epochAuthenticator.slice(),
    leafCount,
    roster,
  };
}

// --- EscrowBlob

export function encodeEscrowBlob(blob: EscrowBlob): Uint8Array {
  checkLength(blob.recordingId, RECORDING_ID_BYTES, "recordingId");
  checkU64(blob.epoch, "epoch");
  checkU32(blob.sealerLeaf, "sealerLeaf");
  checkLength(blob.escrowKeyId, ESCROW_KEY_ID_BYTES, "escrowKeyId");
  checkLength(blob.enc, POINT_BYTES, "enc");
  const writer = new Writer();
  writer.byte(VERSION);
  writer.fixed(blob.recordingId);
  writer.u64(blob.epoch);
  writer.u32(blob.sealerLeaf);
  writer.fixed(blob.escrowKeyId);
  writer.fixed(blob.enc);
  writer.vector(blob.ciphertext);
  return writer.bytes();
}

export function decodeEscrowBlob(bytes: Uint8Array): EscrowBlob | undefined {
  const reader = new Reader(bytes);
  if (reader.byte() !== VERSION) return undefined;
  const recordingId = reader.fixed(RECORDING_ID_BYTES);
  const epoch = reader.u64();
  const sealerLeaf = reader.u32();
  const escrowKeyId = reader.fixed(ESCROW_KEY_ID_BYTES);
  const enc = reader.fixed(POINT_BYTES);
  const ciphertext = reader.vector();
  if (
    recordingId === undefined || epoch === undefined || sealerLeaf === undefined || escrowKeyId === undefined ||
    enc === undefined || ciphertext === undefined || !reader.atEnd
  ) {
    return undefined;
  }
  return {
    recordingId: recordingId.slice(), epoch, sealerLeaf, escrowKeyId: escrowKeyId.slice(), enc: enc.slice(), ciphertext: ciphertext.slice(),
  };
}

// --- Escrow keys and sealing

/** SHA-256 of the escrow key's SubjectPublicKeyInfo, as every blob names its recipient. */
export async function escrowKeyId(spki: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes(spki)));
}

/** The first 16 hex digits of an escrow key id, upper case, in four groups: "3F2A 91C0 77D1 0B4E". */
export function displayEscrowKeyId(id: Uint8Array): string {
  if (id.length !== ESCROW_KEY_ID_BYTES) throw new RangeError("an escrow key id is 32 bytes");
  const hex = Array.from(id.subarray(0, 8), (b) => b.toString(16).padStart(2, "0").toUpperCase()).join("");
  return `${hex.slice(0, 4)} ${hex.slice(4, 8)} ${hex.slice(8, 12)} ${hex.slice(12, 16)}`;
}

/** HPKE info: "Conclave escrow v1" ‖ recording_id ‖ uint64 epoch, so a blob opens only as what it was sealed for. */
export function escrowInfo(recordingId: Uint8Array, epoch: bigint): Uint8Array {
  checkLength(recordingId, RECORDING_ID_BYTES, "recordingId");
  const writer = new Writer();
  writer.fixed(ESCROW_INFO_LABEL);
  writer.fixed(recordingId);
  writer.u64(epoch);
  return writer.bytes();
}

const suite = new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });

/**
 * The EscrowBlob bytes of `escrowedEpoch` (encodeEscrowedEpoch's output, of this recording and
 * epoch) sealed to one escrow key: HPKE base mode to the SPKI's point, info from escrowInfo, aad
 * empty. The SPKI must be the DER of a named-curve P-256 key, as the appliance lists it, so its
 * key id is the one the opener computes.
 */
export async function sealEscrowBlob(
  escrowSpki: Uint8Array,
  recordingId: Uint8Array,
  epoch: bigint,
  sealerLeaf: number,
  escrowedEpoch: Uint8Array,
): Promise<Uint8Array> {
  checkLength(recordingId, RECORDING_ID_BYTES, "recordingId");
  checkU64(epoch, "epoch");
  checkU32(sealerLeaf, "sealerLeaf");
  const content = decodeEscrowedEpoch(escrowedEpoch);
  if (content === undefined) throw new RangeError("escrowedEpoch is not an encoded EscrowedEpoch");
  if (content.epoch !== epoch || !bytesEqual(content.recordingId, recordingId)) throw new RangeError("escrowedEpoch is of another recording or epoch");
  const key = await crypto.subtle.importKey("spki", bytes(escrowSpki), { name: "ECDH", namedCurve: "P-256" }, true, []);
  const point = new Uint8Array(await crypto.subtle.exportKey("raw", key));
  if (!bytesEqual(escrowSpki, concat([P256_SPKI_PREFIX, point]))) throw new RangeError("the escrow key is not a DER SubjectPublicKeyInfo of a P-256 key");
  const recipientPublicKey = await suite.kem.deserializePublicKey(point);
  const sealed = await suite.seal({ recipientPublicKey, info: escrowInfo(recordingId, epoch) }, bytes(escrowedEpoch), new Uint8Array(0));
  return encodeEscrowBlob({
    recordingId,
    epoch,
    sealerLeaf,
    escrowKeyId: await escrowKeyId(escrowSpki),
    enc: new Uint8Array(sealed.enc),
    ciphertext: new Uint8Array(sealed.ct),
  });
}

// --- RFC 9420 §2.1.2 codec

class Writer {
  private readonly parts: Uint8Array[] = [];

  byte(value: number): void {
    this.parts.push(Uint8Array.of(value));
  }

  u32(value: number): void {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    this.parts.push(out);
  }

  u64(value: bigint): void {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, value);
    this.parts.push(out);
  }

  fixed(data: Uint8Array): void {
    this.parts.push(data);
  }

  /** The shortest of the three length forms that holds the length. */
  vector(data: Uint8Array): void {
    const n = data.length;
    if (n > MAX_VECTOR_LENGTH) throw new RangeError("vector longer than 2^30 - 1 bytes");
    this.parts.push(
      n < 0x40
        ? Uint8Array.of(n)
        : n < 0x4000
          ? Uint8Array.of(0x40 | (n >> 8), n & 0xff)
          : Uint8Array.of(0x80 | (n >>> 24), (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff),
      data,
    );
  }

  bytes(): Bytes {
    return concat(this.parts);
  }
}

class Reader {
  private offset = 0;

  constructor(private readonly data: Uint8Array) {}

  get atEnd(): boolean {
    return this.offset === this.data.length;
  }

  byte(): number | undefined {
    return this.offset < this.data.length ? this.data[this.offset++] : undefined;
  }

  fixed(length: number): Uint8Array | undefined {
    if (this.data.length - this.offset < length) return undefined;
    const result = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return result;
  }

  u32(): number | undefined {
    const raw = this.fixed(4);
    return raw === undefined ? undefined : new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0);
  }

  u64(): bigint | undefined {
    const raw = this.fixed(8);
    return raw === undefined ? undefined : new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0);
  }

  /** A length not in its shortest form, or the reserved form 0b11, is a decoding error. */
  vector(): Uint8Array | undefined {
    const first = this.byte();
    if (first === undefined) return undefined;
    const lengthOfLength = 1 << (first >> 6);
    if (lengthOfLength === 8) return undefined;
    let length = first & 0x3f;
    for (let i = 1; i < lengthOfLength; i++) {
      const next = this.byte();
      if (next === undefined) return undefined;
      length = length * 256 + next;
    }
    if ((lengthOfLength === 2 && length < 0x40) || (lengthOfLength === 4 && length < 0x4000)) return undefined;
    return this.fixed(length);
  }
}

function utf8(data: Uint8Array): string | undefined {
  try {
    return utf8Decoder.decode(data);
  } catch {
    return undefined;
  }
}

function checkLength(data: Uint8Array, length: number, name: string): void {
  if (data.length !== length) throw new RangeError(`${name} must be ${length} bytes`);
}

function checkU32(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_U32) throw new RangeError(`${name} is not a 32-bit unsigned integer`);
}

function checkU64(value: bigint, name: string): void {
  if (value < 0n || value > MAX_U64) throw new RangeError(`${name} is not a 64-bit unsigned integer`);
}

function concat(parts: Uint8Array[]): Bytes {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** WebCrypto takes views of an ArrayBuffer; a view of anything else is copied. */
function bytes(view: Uint8Array): Bytes {
  return view.buffer instanceof ArrayBuffer ? (view as Bytes) : new Uint8Array(view);
}
