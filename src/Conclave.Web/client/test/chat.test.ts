import { test } from "node:test";
import assert from "node:assert/strict";
import { openChat, sealChat } from "../src/e2ee/chat";
import { DATA_KEY_LABEL, type DataEpoch } from "../src/e2ee/data-message";
import type { MeetingGroup } from "../src/e2ee/mls";
import { securityCode } from "../src/e2ee/security-code";
import { senderBitsForLeafCount } from "../src/e2ee/sframe";
import { deliver, threeMembers } from "./support/appliance";

async function dataEpoch(group: MeetingGroup): Promise<DataEpoch> {
  return {
    epoch: group.epoch,
    groupId: group.groupId,
    dataKey: await group.exportSecret(DATA_KEY_LABEL, 16),
    layout: { senderBits: senderBitsForLeafCount(group.leafCount), epochBits: 8 },
    ownLeaf: group.ownLeaf,
  };
}

function byLowBits(...epochs: DataEpoch[]) {
  return (low: number) => epochs.find((e) => Number(e.epoch & 0xffn) === low);
}

test("a chat line sealed by one member opens for the others, with its author's leaf and text", async () => {
  const { a, b, c } = await threeMembers();
  const sealed = await sealChat(await dataEpoch(a), 0n, a, "Hinge drawing rev. 7 <b>not bold</b>", 1_700_000_000_000);
  for (const reader of [b, c]) {
    const opened = await openChat(sealed, byLowBits(await dataEpoch(reader)), reader);
    assert.ok(opened.ok, opened.ok ? "" : opened.reason);
    assert.equal(opened.line.senderLeaf, a.ownLeaf);
    assert.equal(opened.line.text, "Hinge drawing rev. 7 <b>not bold</b>");
    assert.equal(opened.line.sentAtMs, 1_700_000_000_000);
  }
});

test("the ciphertext carries none of the text", async () => {
  const { a } = await threeMembers();
  const text = "Quarterly asset plan: 5,000,000";
  const sealed = await sealChat(await dataEpoch(a), 0n, a, text, Date.now());
  assert.equal(Buffer.from(sealed).indexOf(Buffer.from("asset plan")), -1);
});

test("a line that claims another member's leaf fails its signature check", async () => {
  const { a, b, c } = await threeMembers();
  // b seals under its own KID but signs as if it were a's line: the reader checks a's key.
  const forgedEpoch = { ...(await dataEpoch(b)), ownLeaf: a.ownLeaf };
  const sealed = await sealChat(forgedEpoch, 0n, b, "I, a, approve the transfer", Date.now());
  const opened = await openChat(sealed, byLowBits(await dataEpoch(c)), c);
  assert.deepEqual(opened, { ok: false, reason: "signature does not verify" });
});

test("a tampered line fails authentication and a line from an unknown epoch is not opened", async () => {
  const { a, b } = await threeMembers();
  const sealed = await sealChat(await dataEpoch(a), 0n, a, "hello", Date.now());
  const tampered = sealed.slice();
  tampered[tampered.length - 1] ^= 1;
  assert.deepEqual(await openChat(tampered, byLowBits(await dataEpoch(b)), b), { ok: false, reason: "authentication failed" });
  assert.deepEqual(await openChat(sealed, () => undefined, b), { ok: false, reason: "no key for its epoch" });
});

test("a member removed from the group cannot open a line of the next epoch", async () => {
  const { a, b, c } = await threeMembers();
  const beforeRemoval = await dataEpoch(c);
  const commit = await a.createRemoveCommit([c.ownLeaf]);
  await deliver(commit, [a, b]);
  const sealed = await sealChat(await dataEpoch(a), 0n, a, "after c left", Date.now());
  // c still holds the old epoch's data key only; the new epoch's low bits name a key it does not have.
  const opened = await openChat(sealed, byLowBits(beforeRemoval), b);
  assert.equal(opened.ok, false);
  // and with the old key under the new epoch's number, authentication fails
  const opened2 = await openChat(sealed, () => ({ ...beforeRemoval, epoch: a.epoch }), b);
  assert.equal(opened2.ok, false);
});

test("the security code is six groups of five digits, equal for every member and new at every epoch", async () => {
  const { a, b, c } = await threeMembers();
  const code = securityCode(a.epochAuthenticator());
  assert.match(code, /^\d{5}( \d{5}){5}$/);
  assert.equal(securityCode(b.epochAuthenticator()), code);
  assert.equal(securityCode(c.epochAuthenticator()), code);
  await deliver(await a.createRemoveCommit([c.ownLeaf]), [a, b]);
  assert.notEqual(securityCode(a.epochAuthenticator()), code);
  assert.equal(securityCode(a.epochAuthenticator()), securityCode(b.epochAuthenticator()));
});

test("the security code reads 24 bits per group modulo 100000, zero-padded", () => {
  const authenticator = new Uint8Array(32);
  authenticator.set([0x00, 0x00, 0x07, 0xff, 0xff, 0xff]);
  assert.equal(securityCode(authenticator), "00007 77215 00000 00000 00000 00000");
  assert.throws(() => securityCode(new Uint8Array(17)));
});
