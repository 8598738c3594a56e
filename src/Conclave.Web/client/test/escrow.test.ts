import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type EscrowedEpoch, RECORDING_EXTENSION_TYPE, RecordingScope, decodeEscrowBlob, decodeEscrowedEpoch, decodeRecordingExtension,
  displayEscrowKeyId, encodeEscrowBlob, encodeEscrowedEpoch, encodeRecordingExtension, escrowInfo, escrowKeyId, sealEscrowBlob,
} from "../src/e2ee/escrow";
import { type EscrowVectorFile, hpkeSuite, openEscrowBlob } from "./support/escrow-vectors";
import { hex, toHex } from "./support/sframe-vectors";
import rfc9180 from "../../../../tests/vectors/hpke/rfc9180-a3-base.json";
import escrowVectors from "../../../../tests/vectors/escrow/v1.json";

const vectors = escrowVectors as EscrowVectorFile;
const RECORDING_ID = hex("00112233445566778899aabbccddeeff");

async function newEscrowKey(): Promise<{ privateKey: Uint8Array; spki: Uint8Array }> {
  const pair = await hpkeSuite.kem.generateKeyPair();
  return {
    privateKey: new Uint8Array(await hpkeSuite.kem.serializePrivateKey(pair.privateKey)),
    spki: new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey)),
  };
}

async function newPoint(): Promise<Uint8Array> {
  return new Uint8Array(await hpkeSuite.kem.serializePublicKey((await hpkeSuite.kem.generateKeyPair()).publicKey));
}

async function sampleEpoch(epoch = 42n): Promise<EscrowedEpoch> {
  return {
    recordingId: RECORDING_ID,
    groupId: crypto.getRandomValues(new Uint8Array(32)),
    epoch,
    sframeEpochSecret: crypto.getRandomValues(new Uint8Array(16)),
    dataKey: crypto.getRandomValues(new Uint8Array(16)),
    epochAuthenticator: crypto.getRandomValues(new Uint8Array(32)),
    leafCount: 5,
    roster: [
      { leaf: 4, credential: crypto.getRandomValues(new Uint8Array(20)), signatureKey: await newPoint() },
      { leaf: 1, credential: crypto.getRandomValues(new Uint8Array(150)), signatureKey: await newPoint() },
    ],
  };
}

function withByte(bytes: Uint8Array, index: number, value: number): Uint8Array {
  const out = bytes.slice();
  out[index] = value;
  return out;
}

describe("HPKE as @hpke/core does it (RFC 9180 A.3.1)", () => {
  test("sealing with the RFC's ephemeral key gives its enc and the ciphertext of sequence 0", async () => {
    const encryption = rfc9180.encryptions.find((e) => e.sequence_number === 0)!;
    const ekm = await hpkeSuite.kem.deriveKeyPair(hex(rfc9180.ikmE));
    const recipientPublicKey = await hpkeSuite.kem.deserializePublicKey(hex(rfc9180.pkRm));
    const sealed = await hpkeSuite.seal({ recipientPublicKey, info: hex(rfc9180.info), ekm }, hex(encryption.pt), hex(encryption.aad));
    assert.equal(toHex(new Uint8Array(sealed.enc)), rfc9180.enc);
    assert.equal(toHex(new Uint8Array(sealed.ct)), encryption.ct);
  });
});

describe("conclave_recording extension", () => {
  test("is laid out field by field and decodes back", async () => {
    const { spki } = await newEscrowKey();
    const encoded = encodeRecordingExtension({ recordingId: RECORDING_ID, scope: RecordingScope.MediaAndChat, escrowKeys: [spki], startedBy: "Ada" });
    assert.equal(RECORDING_EXTENSION_TYPE, 0xf0a1);
    assert.equal(toHex(encoded), `01${toHex(RECORDING_ID)}02405d405b${toHex(spki)}03416461`);
    assert.deepEqual(decodeRecordingExtension(encoded), { recordingId: RECORDING_ID, scope: RecordingScope.MediaAndChat, escrowKeys: [spki], startedBy: "Ada" });
  });

  test("a truncated, extended, other-version, unknown-scope or non-UTF-8 extension is refused", async () => {
    const { spki } = await newEscrowKey();
    const encoded = encodeRecordingExtension({ recordingId: RECORDING_ID, scope: RecordingScope.Media, escrowKeys: [spki], startedBy: "Ada" });
    for (let length = 0; length < encoded.length; length++) assert.equal(decodeRecordingExtension(encoded.subarray(0, length)), undefined, `${length} bytes`);
    assert.equal(decodeRecordingExtension(new Uint8Array([...encoded, 0])), undefined);
    assert.equal(decodeRecordingExtension(withByte(encoded, 0, 2)), undefined);
    assert.equal(decodeRecordingExtension(withByte(encoded, 17, 3)), undefined);
    assert.equal(decodeRecordingExtension(withByte(encoded, encoded.length - 3, 0xc3)), undefined);
    assert.throws(() => encodeRecordingExtension({ recordingId: RECORDING_ID.subarray(1), scope: RecordingScope.Media, escrowKeys: [], startedBy: "" }), RangeError);
  });

  test("a stopped recording stays in the context with scope 0 and no escrow key; a running one needs a key, a stopped one has none", async () => {
    const { spki } = await newEscrowKey();
    const stopped = encodeRecordingExtension({ recordingId: RECORDING_ID, scope: RecordingScope.Stopped, escrowKeys: [], startedBy: "" });
    assert.equal(toHex(stopped), `01${toHex(RECORDING_ID)}000000`);
    assert.deepEqual(decodeRecordingExtension(stopped), { recordingId: RECORDING_ID, scope: RecordingScope.Stopped, escrowKeys: [], startedBy: "" });
    assert.throws(() => encodeRecordingExtension({ recordingId: RECORDING_ID, scope: RecordingScope.Stopped, escrowKeys: [spki], startedBy: "" }), RangeError);
    assert.throws(() => encodeRecordingExtension({ recordingId: RECORDING_ID, scope: RecordingScope.Media, escrowKeys: [], startedBy: "Ada" }), RangeError);
    const running = encodeRecordingExtension({ recordingId: RECORDING_ID, scope: RecordingScope.Media, escrowKeys: [spki], startedBy: "Ada" });
    assert.equal(decodeRecordingExtension(withByte(running, 17, RecordingScope.Stopped)), undefined);
  });
});

describe("EscrowedEpoch", () => {
  test("is laid out field by field with varint lengths", async () => {
    const signatureKey = await newPoint();
    const encoded = encodeEscrowedEpoch({
      recordingId: RECORDING_ID, groupId: hex("aabb"), epoch: 0x0102030405060708n, sframeEpochSecret: new Uint8Array(16).fill(0x5e), dataKey: new Uint8Array(0),
      epochAuthenticator: hex("e1e2e3"), leafCount: 3, roster: [{ leaf: 2, credential: new Uint8Array(70), signatureKey }],
    });
    assert.equal(toHex(encoded), `01${toHex(RECORDING_ID)}02aabb0102030405060708${"5e".repeat(16)}0003e1e2e300000003408f000000024046${"00".repeat(70)}4041${toHex(signatureKey)}`);
  });

  test("decodes back to its fields, the roster in leaf order", async () => {
    const epoch = await sampleEpoch();
    const decoded = decodeEscrowedEpoch(encodeEscrowedEpoch(epoch));
    assert.deepEqual(decoded, { ...epoch, roster: [epoch.roster[1], epoch.roster[0]] });
  });

  test("a truncated or extended epoch, a bad data key, or a roster out of order or out of range is refused", async () => {
    const epoch = await sampleEpoch();
    const encoded = encodeEscrowedEpoch(epoch);
    for (let length = 0; length < encoded.length; length++) assert.equal(decodeEscrowedEpoch(encoded.subarray(0, length)), undefined, `${length} bytes`);
    assert.equal(decodeEscrowedEpoch(new Uint8Array([...encoded, 0])), undefined);
    assert.equal(decodeEscrowedEpoch(withByte(encoded, 0, 2)), undefined);
    const head = `01${toHex(RECORDING_ID)}000000000000000001${"11".repeat(16)}`;
    const entry = (leaf: string, key: Uint8Array) => `${leaf}00${key.length < 64 ? key.length.toString(16).padStart(2, "0") : (0x4000 | key.length).toString(16)}${toHex(key)}`;
    const key = await newPoint();
    const roster = (...entries: string[]) => {
      const body = entries.join("");
      return (body.length / 2 < 64 ? (body.length / 2).toString(16).padStart(2, "0") : (0x4000 | (body.length / 2)).toString(16)) + body;
    };
    assert.equal(decodeEscrowedEpoch(hex(`${head}08${"22".repeat(8)}0000000003${roster()}`)), undefined, "8-byte data key");
    assert.equal(decodeEscrowedEpoch(hex(`${head}000000000003${roster(entry("00000003", key))}`)), undefined, "leaf not below the count");
    assert.equal(decodeEscrowedEpoch(hex(`${head}000000000003${roster(entry("00000002", key), entry("00000001", key))}`)), undefined, "out of order");
    assert.equal(decodeEscrowedEpoch(hex(`${head}000000000003${roster(entry("00000001", key), entry("00000001", key))}`)), undefined, "twice");
    assert.equal(decodeEscrowedEpoch(hex(`${head}000000000003${roster(entry("00000001", key.subarray(1)))}`)), undefined, "64-byte key");
    assert.equal(decodeEscrowedEpoch(hex(`${head}0000000000034000`)), undefined, "long-form length");
    assert.notEqual(decodeEscrowedEpoch(hex(`${head}000000000003${roster(entry("00000001", key))}`)), undefined, "the well-formed one");
  });

  test("encoding refuses what decoding would", async () => {
    const epoch = await sampleEpoch();
    assert.throws(() => encodeEscrowedEpoch({ ...epoch, dataKey: new Uint8Array(8) }), RangeError);
    assert.throws(() => encodeEscrowedEpoch({ ...epoch, leafCount: 4 }), RangeError);
    assert.throws(() => encodeEscrowedEpoch({ ...epoch, roster: [epoch.roster[0], epoch.roster[0]] }), RangeError);
    assert.throws(() => encodeEscrowedEpoch({ ...epoch, sframeEpochSecret: new Uint8Array(32) }), RangeError);
    assert.throws(() => encodeEscrowedEpoch({ ...epoch, epoch: 1n << 64n }), RangeError);
  });
});

describe("escrow keys and blobs", () => {
  test("an escrow key id is SHA-256 of the SPKI, shown as its first 16 hex digits in four groups", async () => {
    const { spki } = await newEscrowKey();
    assert.deepEqual(await escrowKeyId(spki), new Uint8Array(await crypto.subtle.digest("SHA-256", spki as Uint8Array<ArrayBuffer>)));
    assert.equal(displayEscrowKeyId(hex(`3f2a91c077d10b4e${"ff".repeat(24)}`)), "3F2A 91C0 77D1 0B4E");
    assert.throws(() => displayEscrowKeyId(new Uint8Array(8)), RangeError);
  });

  test("a sealed epoch names its recording, epoch, sealer and key, and opens with the escrow key", async () => {
    const key = await newEscrowKey();
    const epoch = await sampleEpoch();
    const encodedEpoch = encodeEscrowedEpoch(epoch);

    const blob = decodeEscrowBlob(await sealEscrowBlob(key.spki, RECORDING_ID, 42n, 3, encodedEpoch))!;

    assert.deepEqual(blob.recordingId, RECORDING_ID);
    assert.equal(blob.epoch, 42n);
    assert.equal(blob.sealerLeaf, 3);
    assert.deepEqual(blob.escrowKeyId, await escrowKeyId(key.spki));
    assert.equal(blob.ciphertext.length, encodedEpoch.length + 16);
    assert.deepEqual(await openEscrowBlob(key.privateKey, blob), encodedEpoch);
    await assert.rejects(openEscrowBlob(key.privateKey, { ...blob, epoch: 43n }));
  });

  test("an escrow blob is laid out field by field and a truncated or extended one is refused", async () => {
    const enc = await newPoint();
    const keyId = new Uint8Array(32).fill(0x77);
    const encoded = encodeEscrowBlob({ recordingId: RECORDING_ID, epoch: 7n, sealerLeaf: 3, escrowKeyId: keyId, enc, ciphertext: hex("c1c2") });
    assert.equal(toHex(encoded), `01${toHex(RECORDING_ID)}000000000000000700000003${toHex(keyId)}${toHex(enc)}02c1c2`);
    for (let length = 0; length < encoded.length; length++) assert.equal(decodeEscrowBlob(encoded.subarray(0, length)), undefined, `${length} bytes`);
    assert.equal(decodeEscrowBlob(new Uint8Array([...encoded, 0])), undefined);
    assert.equal(decodeEscrowBlob(withByte(encoded, 0, 2)), undefined);
  });

  test("sealing refuses a key that is not a P-256 SPKI and an epoch of another recording or number", async () => {
    const key = await newEscrowKey();
    const encodedEpoch = encodeEscrowedEpoch(await sampleEpoch());
    const p384 = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-384" }, true, ["deriveBits"]);
    const p384Spki = new Uint8Array(await crypto.subtle.exportKey("spki", p384.publicKey));
    await assert.rejects(sealEscrowBlob(p384Spki, RECORDING_ID, 42n, 0, encodedEpoch));
    await assert.rejects(sealEscrowBlob(key.spki, RECORDING_ID, 43n, 0, encodedEpoch), RangeError);
    await assert.rejects(sealEscrowBlob(key.spki, new Uint8Array(16), 42n, 0, encodedEpoch), RangeError);
    await assert.rejects(sealEscrowBlob(key.spki, RECORDING_ID, 42n, 0, encodedEpoch.subarray(1)), RangeError);
  });

  test("the HPKE info is the label, the recording id and the epoch as 8 bytes", () => {
    assert.equal(toHex(escrowInfo(RECORDING_ID, 0x0102n)), `${toHex(new TextEncoder().encode("Conclave escrow v1"))}${toHex(RECORDING_ID)}0000000000000102`);
  });
});

describe("the escrow vectors shared with C# (tests/vectors/escrow/v1.json)", () => {
  test("cover both scopes, both keys, blank leaves, an epoch past 2^32 and 4-byte vector lengths", () => {
    assert.deepEqual(new Set(vectors.extensions.map((e) => e.scope)), new Set([1, 2]));
    assert.deepEqual(new Set(vectors.vectors.map((v) => v.recipient)), new Set([0, 1]));
    assert.ok(vectors.vectors.some((v) => v.escrowedEpoch.roster.length < v.escrowedEpoch.leafCount));
    assert.ok(vectors.vectors.some((v) => BigInt(v.escrowedEpoch.epoch) > 1n << 32n));
    assert.ok(vectors.vectors.some((v) => hex(v.blob)[1 + 16 + 8 + 4 + 32 + 65] >> 6 === 2));
  });

  test("every recipient's key id is the SHA-256 of its SPKI, shown as the file says", async () => {
    for (const r of vectors.recipients) {
      const id = await escrowKeyId(hex(r.spki));
      assert.equal(toHex(id), r.keyId);
      assert.equal(displayEscrowKeyId(id), r.keyIdDisplay);
    }
  });

  test("every extension decodes to its fields and encodes to the same bytes", () => {
    for (const e of vectors.extensions) {
      const decoded = decodeRecordingExtension(hex(e.encoded))!;
      assert.deepEqual(decoded, { recordingId: hex(e.recordingId), scope: e.scope, escrowKeys: e.escrowKeys.map(hex), startedBy: e.startedBy }, e.name);
      assert.equal(toHex(encodeRecordingExtension(decoded)), e.encoded, e.name);
    }
  });

  test("every blob decodes to what it names, and opens to the escrowed epoch's bytes and fields", async () => {
    for (const v of vectors.vectors) {
      const recipient = vectors.recipients[v.recipient];
      const blob = decodeEscrowBlob(hex(v.blob))!;
      assert.equal(toHex(encodeEscrowBlob(blob)), v.blob, v.name);
      assert.equal(toHex(blob.recordingId), v.escrowedEpoch.recordingId, v.name);
      assert.equal(blob.epoch, BigInt(v.escrowedEpoch.epoch), v.name);
      assert.equal(blob.sealerLeaf, v.sealerLeaf, v.name);
      assert.equal(toHex(blob.escrowKeyId), recipient.keyId, v.name);

      const opened = await openEscrowBlob(hex(recipient.privateKey), blob);
      assert.equal(toHex(opened), v.escrowedEpochEncoded, v.name);
      const epoch = decodeEscrowedEpoch(opened)!;
      assert.equal(toHex(encodeEscrowedEpoch(epoch)), v.escrowedEpochEncoded, v.name);
      assert.deepEqual(
        {
          recordingId: toHex(epoch.recordingId), groupId: toHex(epoch.groupId), epoch: epoch.epoch.toString(), sframeEpochSecret: toHex(epoch.sframeEpochSecret),
          dataKey: toHex(epoch.dataKey), epochAuthenticator: toHex(epoch.epochAuthenticator), leafCount: epoch.leafCount,
          roster: epoch.roster.map((r) => ({ leaf: r.leaf, credential: toHex(r.credential), signatureKey: toHex(r.signatureKey) })),
        },
        v.escrowedEpoch,
        v.name,
      );
    }
  });
});
