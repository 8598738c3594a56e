// The Conclave credential: the identity bytes of every MLS basic credential in a meeting.
// The appliance, as the MLS Authentication Service (RFC 9420 §5.3.1), issues one per
// participant, signed by its credential-CA key; each browser checks it on every leaf it admits.
// Encoding is the TLS presentation language with RFC 9420 §2.1.2 variable-length vectors:
//   body = version(1) ‖ meeting_id<V> ‖ participant_id<V> ‖ attendee_key<V> ‖ display_name<V>
//          ‖ kind(1) ‖ not_after(uint64, Unix seconds) ‖ signature_key_sha256[32]
//   credential = body ‖ ca_signature<V>  (ECDSA P-256/SHA-256, IEEE P1363 r‖s,
//                over "Conclave credential v1" ‖ body)

export enum AttendeeKind {
  Host = 1,
  Member = 2,
  Guest = 3,
}

export interface ConclaveCredential {
  meetingId: string;
  participantId: string;
  attendeeKey: string;
  displayName: string;
  kind: AttendeeKind;
  notAfterUnixSeconds: number;
  signatureKeySha256: Uint8Array;
}

export interface CredentialExpectations {
  caPublicKey: CryptoKey;
  meetingId: string;
  nowUnixSeconds(): number;
  isPresent(participantId: string): boolean;
}

const CREDENTIAL_VERSION = 1;
const SIGNATURE_KEY_SHA256_LENGTH = 32;
// The CA signs this prefix before the body so a credential signature can never be
// mistaken for a signature over anything else the CA key signs.
const CA_SIGNATURE_CONTEXT = new TextEncoder().encode("Conclave credential v1");
const CA_SIGNATURE_ALGORITHM: EcdsaParams = { name: "ECDSA", hash: "SHA-256" };
// RFC 9420 §2.1.2: the two top bits of the first byte give the length of the length
// (1, 2 or 4 bytes); 0b11 is reserved, so a vector holds at most 2^30 - 1 bytes.
const MAX_VECTOR_LENGTH = 0x3fffffff;

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

export function encodeCredentialBody(c: ConclaveCredential): Uint8Array {
  if (!Number.isSafeInteger(c.notAfterUnixSeconds) || c.notAfterUnixSeconds < 0) {
    throw new RangeError("notAfterUnixSeconds must be a non-negative integer");
  }
  if (c.signatureKeySha256.length !== SIGNATURE_KEY_SHA256_LENGTH) {
    throw new RangeError("signatureKeySha256 must be 32 bytes");
  }
  if (!isAttendeeKind(c.kind)) throw new RangeError("unknown attendee kind");
  const notAfter = new Uint8Array(8);
  new DataView(notAfter.buffer).setBigUint64(0, BigInt(c.notAfterUnixSeconds));
  return concatBytes([
    Uint8Array.of(CREDENTIAL_VERSION),
    encodeVector(utf8Encoder.encode(c.meetingId)),
    encodeVector(utf8Encoder.encode(c.participantId)),
    encodeVector(utf8Encoder.encode(c.attendeeKey)),
    encodeVector(utf8Encoder.encode(c.displayName)),
    Uint8Array.of(c.kind),
    notAfter,
    c.signatureKeySha256,
  ]);
}

/** The whole ConclaveCredential: the body, then the CA's signature as a vector. */
export function encodeCredential(body: Uint8Array, caSignature: Uint8Array): Uint8Array {
  return concatBytes([body, encodeVector(caSignature)]);
}

/** The credential, its body bytes (what the CA signed) and the CA signature; undefined
 *  unless the bytes are exactly one well-formed version-1 credential. */
export function decodeCredential(
  bytes: Uint8Array,
): { credential: ConclaveCredential; body: Uint8Array; caSignature: Uint8Array } | undefined {
  const reader = new ByteReader(bytes);
  if (reader.byte() !== CREDENTIAL_VERSION) return undefined;
  const meetingId = reader.utf8Vector();
  const participantId = reader.utf8Vector();
  const attendeeKey = reader.utf8Vector();
  const displayName = reader.utf8Vector();
  const kind = reader.byte();
  const notAfter = reader.uint64();
  const signatureKeySha256 = reader.bytes(SIGNATURE_KEY_SHA256_LENGTH);
  if (
    meetingId === undefined ||
    participantId === undefined ||
    attendeeKey === undefined ||
    displayName === undefined ||
    kind === undefined ||
    !isAttendeeKind(kind) ||
    notAfter === undefined ||
    notAfter > BigInt(Number.MAX_SAFE_INTEGER) ||
    signatureKeySha256 === undefined
  ) {
    return undefined;
  }
  const bodyLength = reader.offset;
  const caSignature = reader.vector();
  if (caSignature === undefined || reader.offset !== bytes.length) return undefined;
  return {
    credential: {
      meetingId,
      participantId,
      attendeeKey,
      displayName,
      kind,
      notAfterUnixSeconds: Number(notAfter),
      signatureKeySha256: signatureKeySha256.slice(),
    },
    body: bytes.slice(0, bodyLength),
    caSignature: caSignature.slice(),
  };
}

/**
 * The credential when every check a member makes before admitting a leaf passes, else a
 * short reason ("bad encoding", "wrong CA", "other meeting", "expired", "key mismatch",
 * "not present"): signed by the meeting's CA, for this meeting, not expired, naming the
 * SHA-256 of this leaf's signature key, for a participant the appliance announced present.
 */
export async function verifyCredential(
  bytes: Uint8Array,
  signaturePublicKey: Uint8Array,
  expect: CredentialExpectations,
): Promise<{ ok: true; credential: ConclaveCredential } | { ok: false; reason: string }> {
  const decoded = decodeCredential(bytes);
  if (decoded === undefined) return { ok: false, reason: "bad encoding" };
  // The CA signature first: nothing in the body is believed before it verifies.
  const signed = concatBytes([CA_SIGNATURE_CONTEXT, decoded.body]);
  const signedByCa = await crypto.subtle.verify(
    CA_SIGNATURE_ALGORITHM,
    expect.caPublicKey,
    bufferSource(decoded.caSignature),
    bufferSource(signed),
  );
  if (!signedByCa) return { ok: false, reason: "wrong CA" };
  const credential = decoded.credential;
  if (credential.meetingId !== expect.meetingId) return { ok: false, reason: "other meeting" };
  if (credential.notAfterUnixSeconds <= expect.nowUnixSeconds()) return { ok: false, reason: "expired" };
  const keyHash = new Uint8Array(await crypto.subtle.digest("SHA-256", bufferSource(signaturePublicKey)));
  if (!bytesEqual(keyHash, credential.signatureKeySha256)) return { ok: false, reason: "key mismatch" };
  if (!expect.isPresent(credential.participantId)) return { ok: false, reason: "not present" };
  return { ok: true, credential };
}

function isAttendeeKind(kind: number): kind is AttendeeKind {
  return kind === AttendeeKind.Host || kind === AttendeeKind.Member || kind === AttendeeKind.Guest;
}

function encodeVector(data: Uint8Array): Uint8Array {
  const n = data.length;
  if (n > MAX_VECTOR_LENGTH) throw new RangeError("vector longer than 2^30 - 1 bytes");
  // RFC 9420 §2.1.2: the shortest of the three forms that holds the length.
  const prefix =
    n < 0x40
      ? Uint8Array.of(n)
      : n < 0x4000
        ? Uint8Array.of(0x40 | (n >> 8), n & 0xff)
        : Uint8Array.of(0x80 | (n >>> 24), (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
  return concatBytes([prefix, data]);
}

class ByteReader {
  offset = 0;

  constructor(private readonly data: Uint8Array) {}

  byte(): number | undefined {
    return this.offset < this.data.length ? this.data[this.offset++] : undefined;
  }

  bytes(length: number): Uint8Array | undefined {
    if (this.data.length - this.offset < length) return undefined;
    const result = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return result;
  }

  uint64(): bigint | undefined {
    const raw = this.bytes(8);
    return raw === undefined ? undefined : new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0);
  }

  vector(): Uint8Array | undefined {
    const first = this.byte();
    if (first === undefined) return undefined;
    const lengthOfLength = 1 << (first >> 6);
    if (lengthOfLength === 8) return undefined; // 0b11: reserved
    let length = first & 0x3f;
    for (let i = 1; i < lengthOfLength; i++) {
      const next = this.byte();
      if (next === undefined) return undefined;
      length = length * 256 + next;
    }
    // RFC 9420 §2.1.2: a length not in its shortest form is a decoding error.
    if (lengthOfLength === 2 && length < 0x40) return undefined;
    if (lengthOfLength === 4 && length < 0x4000) return undefined;
    return this.bytes(length);
  }

  utf8Vector(): string | undefined {
    const raw = this.vector();
    if (raw === undefined) return undefined;
    try {
      return utf8Decoder.decode(raw);
    } catch {
      return undefined;
    }
  }
}

function concatBytes(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const result = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

// WebCrypto takes only ArrayBuffer-backed views; a view over a SharedArrayBuffer is copied.
function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
}
