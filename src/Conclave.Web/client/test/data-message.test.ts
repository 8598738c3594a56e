import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { p256 } from "@noble/curves/nist.js";
import { getCiphersuiteFromName, getCiphersuiteImpl } from "ts-mls";
import { signWithLabel } from "ts-mls/crypto/signature.js";
import { sealChat } from "../src/e2ee/chat";
import { DATA_KEY_LABEL, type DataEpoch, type DataSigner, openSignedData, sealSignedData } from "../src/e2ee/data-message";
import type { MeetingGroup } from "../src/e2ee/mls";
import { StreamContext, readSFrameHeader, senderBitsForLeafCount } from "../src/e2ee/sframe";
import { threeMembers } from "./support/appliance";
import { hex, repositoryPath, seeded, toHex } from "./support/sframe-vectors";

const CONTENT = "Conclave content v1";
const body = new TextEncoder().encode('{"t":"share-withdraw","shareId":"0123456789abcdef"}');

async function dataEpoch(group: MeetingGroup): Promise<DataEpoch> {
  return {
    epoch: group.epoch,
    groupId: group.groupId,
    dataKey: await group.exportSecret(DATA_KEY_LABEL, 16),
    layout: { senderBits: senderBitsForLeafCount(group.leafCount), epochBits: 8 },
    ownLeaf: group.ownLeaf,
  };
}

const byLowBits = (epoch: DataEpoch) => (low: number) => (Number(epoch.epoch & 0xffn) === low ? epoch : undefined);

test("a signed data message opens for another member with its body, time and verified sender", async () => {
  const { a, b } = await threeMembers();
  const sealed = await sealSignedData(await dataEpoch(a), 3n, a, StreamContext.FileOffer, CONTENT, body, 1_767_225_600_123);
  const opened = await openSignedData(sealed, byLowBits(await dataEpoch(b)), b, StreamContext.FileOffer, CONTENT);
  assert.ok(opened.ok, opened.ok ? "" : opened.reason);
  assert.equal(opened.senderLeaf, a.ownLeaf);
  assert.equal(opened.epoch, a.epoch);
  assert.equal(opened.sentAtMs, 1_767_225_600_123);
  assert.deepEqual(opened.body, body);
  assert.equal(Buffer.from(sealed).indexOf(Buffer.from("share-withdraw")), -1);
});

test("a message sealed for one stream context is not opened as another", async () => {
  const { a, b } = await threeMembers();
  const sealed = await sealSignedData(await dataEpoch(a), 0n, a, StreamContext.Annotation, CONTENT, body, Date.now());
  assert.deepEqual(await openSignedData(sealed, byLowBits(await dataEpoch(b)), b, StreamContext.FileOffer, CONTENT), { ok: false, reason: "wrong context" });
  assert.deepEqual(await openSignedData(sealed, byLowBits(await dataEpoch(b)), b, StreamContext.Chat, "Conclave chat v1"), { ok: false, reason: "wrong context" });
});

test("a message signed under another label does not verify: a chat line cannot pass for content", async () => {
  const { a, b } = await threeMembers();
  const sealed = await sealSignedData(await dataEpoch(a), 0n, a, StreamContext.FileOffer, "Conclave chat v1", body, Date.now());
  assert.deepEqual(await openSignedData(sealed, byLowBits(await dataEpoch(b)), b, StreamContext.FileOffer, CONTENT), {
    ok: false,
    reason: "signature does not verify",
  });
});

test("a member sealing in another member's name fails the signature check", async () => {
  const { a, b, c } = await threeMembers();
  // b knows every sender's data key, so it can seal under a's KID, but only sign with its own key.
  const forged = await sealSignedData({ ...(await dataEpoch(b)), ownLeaf: a.ownLeaf }, 0n, b, StreamContext.FileOffer, CONTENT, body, Date.now());
  assert.deepEqual(await openSignedData(forged, byLowBits(await dataEpoch(c)), c, StreamContext.FileOffer, CONTENT), {
    ok: false,
    reason: "signature does not verify",
  });
});

test("a changed byte fails authentication and an unknown epoch has no key", async () => {
  const { a, b } = await threeMembers();
  const sealed = await sealSignedData(await dataEpoch(a), 0n, a, StreamContext.Annotation, CONTENT, body, Date.now());
  const tampered = sealed.slice();
  tampered[tampered.length - 3] ^= 0x10;
  assert.deepEqual(await openSignedData(tampered, byLowBits(await dataEpoch(b)), b, StreamContext.Annotation, CONTENT), { ok: false, reason: "authentication failed" });
  assert.deepEqual(await openSignedData(sealed, () => undefined, b, StreamContext.Annotation, CONTENT), { ok: false, reason: "no key for its epoch" });
});

interface ChatVector { groupId: string; epoch: string; leafCount: number; dataKey: string; senderLeaf: number; sentAtMs: number; text: string; sealed: string; expected: string }

test("chat lines seal through the signed data message to the committed chat vectors' bytes", async () => {
  const cs = await getCiphersuiteImpl(getCiphersuiteFromName("MLS_128_DHKEMP256_AES128GCM_SHA256_P256"));
  const file = JSON.parse(readFileSync(repositoryPath("tests/vectors/chat/v1.json"), "utf8")) as { vectors: ChatVector[]; leaves: { leaf: number; signatureKey: string }[] };
  const valid = file.vectors.filter((v) => v.expected === "valid");
  assert.ok(valid.length >= 2);
  for (const v of valid) {
    // The generator's seeded leaf key (tests/vectors/chat/make-vectors.ts); RFC 6979 makes its signatures deterministic.
    const privateKey = await seeded(`leaf ${v.senderLeaf} signature key`, 32);
    assert.equal(toHex(p256.getPublicKey(privateKey, false)), file.leaves.find((l) => l.leaf === v.senderLeaf)?.signatureKey);
    const signer: DataSigner = { signWithLabel: (label, content) => signWithLabel(privateKey, label, content, cs.signature), verifyWithLabel: async () => false };
    const epoch: DataEpoch = {
      epoch: BigInt(v.epoch), groupId: hex(v.groupId), dataKey: hex(v.dataKey),
      layout: { senderBits: senderBitsForLeafCount(v.leafCount), epochBits: 8 }, ownLeaf: v.senderLeaf,
    };
    const ctr = readSFrameHeader(hex(v.sealed))!.ctr;
    assert.equal(toHex(await sealChat(epoch, ctr, signer, v.text, v.sentAtMs)), v.sealed);
  }
});
