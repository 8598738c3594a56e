import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AttendeeKind,
  type ConclaveCredential,
  type CredentialExpectations,
  decodeCredential,
  encodeCredential,
  encodeCredentialBody,
  verifyCredential,
} from "../src/e2ee/credential";
import vector from "../../../../tests/vectors/credential/v1.json";

const ECDSA_P256: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
const ECDSA_SHA256: EcdsaParams = { name: "ECDSA", hash: "SHA-256" };
const NOW = 1_800_000_000;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, "hex"));

function newCa(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ECDSA_P256, false, ["sign", "verify"]);
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

/** What the appliance does: sign "Conclave credential v1" ‖ body with the CA key. */
async function issue(ca: CryptoKey, credential: ConclaveCredential): Promise<Uint8Array> {
  const body = encodeCredentialBody(credential);
  const signed = new Uint8Array([...new TextEncoder().encode("Conclave credential v1"), ...body]);
  const signature = new Uint8Array(await crypto.subtle.sign(ECDSA_SHA256, ca, signed));
  return encodeCredential(body, signature);
}

function sample(signatureKeySha256: Uint8Array, overrides: Partial<ConclaveCredential> = {}): ConclaveCredential {
  return {
    meetingId: "kX3v9QmZ_b7T",
    participantId: "a1b2c3d4",
    attendeeKey: "account:42",
    displayName: "Ada Lovelace",
    kind: AttendeeKind.Member,
    notAfterUnixSeconds: NOW + 12 * 3600,
    signatureKeySha256,
    ...overrides,
  };
}

function expectations(ca: CryptoKey, present = ["a1b2c3d4"]): CredentialExpectations {
  return {
    caPublicKey: ca,
    meetingId: "kX3v9QmZ_b7T",
    nowUnixSeconds: () => NOW,
    isPresent: (id) => present.includes(id),
  };
}

const SIGNATURE_KEY = fromHex(vector.signaturePublicKeyHex);

test("a credential decodes to the fields it was encoded from, with its body and signature", async () => {
  const keyHash = await sha256(SIGNATURE_KEY);
  const original = sample(keyHash, { displayName: "Zoë 会議", kind: AttendeeKind.Host });
  const signature = new Uint8Array(64).fill(7);
  const body = encodeCredentialBody(original);
  const decoded = decodeCredential(encodeCredential(body, signature));
  assert.ok(decoded);
  assert.deepEqual(decoded.credential, original);
  assert.deepEqual(decoded.body, body);
  assert.deepEqual(decoded.caSignature, signature);
});

test("vector lengths take the one-, two- and four-byte forms of RFC 9420 §2.1.2", () => {
  for (const [length, prefix] of [
    [63, "3f"],
    [64, "4040"],
    [16383, "7fff"],
    [16384, "80004000"],
  ] as const) {
    const name = "x".repeat(length);
    const body = encodeCredentialBody(sample(new Uint8Array(32), { displayName: name }));
    const at = 1 + 1 + 12 + 1 + 8 + 1 + 10; // version, meeting id, participant id, attendee key
    assert.equal(hex(body.subarray(at, at + prefix.length / 2)), prefix, `length ${length}`);
    const decoded = decodeCredential(encodeCredential(body, new Uint8Array(64)));
    assert.equal(decoded?.credential.displayName, name);
  }
});

test("every truncation of a credential is refused", () => {
  const bytes = encodeCredential(encodeCredentialBody(sample(new Uint8Array(32))), new Uint8Array(64).fill(1));
  assert.ok(decodeCredential(bytes));
  for (let length = 0; length < bytes.length; length++) {
    assert.equal(decodeCredential(bytes.subarray(0, length)), undefined, `truncated to ${length}`);
  }
});

test("a credential followed by extra bytes is refused", () => {
  const bytes = encodeCredential(encodeCredentialBody(sample(new Uint8Array(32))), new Uint8Array(64));
  assert.equal(decodeCredential(new Uint8Array([...bytes, 0])), undefined);
});

test("a length not in its shortest form is refused", () => {
  const body = encodeCredentialBody(sample(new Uint8Array(32), { meetingId: "m" }));
  assert.equal(hex(body.subarray(0, 3)), "01016d");
  // meeting_id's length 1 written in the two-byte form: 0x4001.
  const overlong = new Uint8Array([0x01, 0x40, 0x01, ...body.subarray(2)]);
  assert.equal(decodeCredential(encodeCredential(overlong, new Uint8Array(64))), undefined);
  const reserved = new Uint8Array([0x01, 0xc0, 0, 0, 0, 0, 0, 0, 1, ...body.subarray(2)]);
  assert.equal(decodeCredential(encodeCredential(reserved, new Uint8Array(64))), undefined);
});

test("an unknown version, attendee kind, invalid UTF-8 or an expiry beyond 2^53 seconds is refused", () => {
  const body = encodeCredentialBody(sample(new Uint8Array(32), { meetingId: "m" }));
  const kindAt = body.length - 32 - 8 - 1;
  const variants: Uint8Array[] = [];
  for (const [at, value] of [
    [0, 2], // version
    [kindAt, 0], // kind
    [kindAt, 4],
    [2, 0xff], // meeting_id "m" → a lone 0xff byte
    [kindAt + 1, 1], // not_after's top byte: 2^56 seconds
  ] as const) {
    const copy = body.slice();
    copy[at] = value;
    variants.push(copy);
  }
  for (const variant of variants) {
    assert.equal(decodeCredential(encodeCredential(variant, new Uint8Array(64))), undefined);
  }
});

test("the encoder refuses a signature-key hash that is not 32 bytes and a non-integer expiry", () => {
  assert.throws(() => encodeCredentialBody(sample(new Uint8Array(31))), RangeError);
  assert.throws(() => encodeCredentialBody(sample(new Uint8Array(32), { notAfterUnixSeconds: 1.5 })), RangeError);
});

test("a credential issued by the meeting's CA for this leaf and a present participant verifies", async () => {
  const ca = await newCa();
  const bytes = await issue(ca.privateKey, sample(await sha256(SIGNATURE_KEY)));
  const result = await verifyCredential(bytes, SIGNATURE_KEY, expectations(ca.publicKey));
  assert.ok(result.ok);
  assert.equal(result.credential.participantId, "a1b2c3d4");
});

test("verifyCredential names the check a credential fails", async () => {
  const ca = await newCa();
  const otherCa = await newCa();
  const keyHash = await sha256(SIGNATURE_KEY);
  const otherKey = SIGNATURE_KEY.slice();
  otherKey[64] ^= 1;
  const cases: [string, Uint8Array, Uint8Array, CredentialExpectations][] = [
    ["bad encoding", new Uint8Array([1, 2, 3]), SIGNATURE_KEY, expectations(ca.publicKey)],
    ["wrong CA", await issue(otherCa.privateKey, sample(keyHash)), SIGNATURE_KEY, expectations(ca.publicKey)],
    ["other meeting", await issue(ca.privateKey, sample(keyHash, { meetingId: "other" })), SIGNATURE_KEY, expectations(ca.publicKey)],
    ["expired", await issue(ca.privateKey, sample(keyHash, { notAfterUnixSeconds: NOW })), SIGNATURE_KEY, expectations(ca.publicKey)],
    ["key mismatch", await issue(ca.privateKey, sample(keyHash)), otherKey, expectations(ca.publicKey)],
    ["not present", await issue(ca.privateKey, sample(keyHash)), SIGNATURE_KEY, expectations(ca.publicKey, ["e5f6"])],
  ];
  for (const [reason, bytes, key, expect] of cases) {
    assert.deepEqual(await verifyCredential(bytes, key, expect), { ok: false, reason });
  }
});

test("a body altered after signing fails the CA signature", async () => {
  const ca = await newCa();
  const bytes = await issue(ca.privateKey, sample(await sha256(SIGNATURE_KEY)));
  const decoded = decodeCredential(bytes)!;
  const body = decoded.body.slice();
  body[body.length - 33] ^= 1; // the lowest bit of not_after
  const altered = encodeCredential(body, decoded.caSignature);
  assert.deepEqual(await verifyCredential(altered, SIGNATURE_KEY, expectations(ca.publicKey)), { ok: false, reason: "wrong CA" });
});

test("the credential vector's body is this encoder's and its CA signature verifies", async () => {
  const fields = vector.fields;
  const keyHash = fromHex(fields.signatureKeySha256Hex);
  assert.deepEqual(keyHash, await sha256(SIGNATURE_KEY));
  const body = encodeCredentialBody({
    meetingId: fields.meetingId,
    participantId: fields.participantId,
    attendeeKey: fields.attendeeKey,
    displayName: fields.displayName,
    kind: fields.kind,
    notAfterUnixSeconds: fields.notAfterUnixSeconds,
    signatureKeySha256: keyHash,
  });
  assert.equal(hex(body), vector.bodyHex);
  assert.equal(hex(encodeCredential(body, fromHex(vector.caSignatureHex))), vector.credentialHex);
  const caPublicKey = await crypto.subtle.importKey("spki", fromHex(vector.caPublicKeySpkiHex), ECDSA_P256, false, ["verify"]);
  const jwk = vector.caPrivateKeyJwk;
  const fromJwk = await crypto.subtle.importKey("jwk", { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, ECDSA_P256, false, ["verify"]);
  const expect: CredentialExpectations = {
    caPublicKey,
    meetingId: fields.meetingId,
    nowUnixSeconds: () => fields.notAfterUnixSeconds - 1,
    isPresent: (id) => id === fields.participantId,
  };
  assert.ok((await verifyCredential(fromHex(vector.credentialHex), SIGNATURE_KEY, expect)).ok);
  assert.ok((await verifyCredential(fromHex(vector.credentialHex), SIGNATURE_KEY, { ...expect, caPublicKey: fromJwk })).ok);
});
