import { test } from "node:test";
import assert from "node:assert/strict";
import type { CredentialExpectations } from "../src/e2ee/credential";
import {
  createCommit,
  createGroup,
  createGroupInfoWithExternalPubAndRatchetTree,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  processPublicMessage,
} from "ts-mls";
import { Appliance, MEETING_ID, deliver, nowUnixSeconds, threeMembers } from "./support/appliance";
import { CredentialRefusedError, MeetingGroup, type MemberIdentity, generateSignatureKeyPair } from "../src/e2ee/mls";

const SFRAME_LABEL = "SFrame 1.0 Base Key";
const DATA_LABEL = "Conclave 1.0 Data Key";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

async function assertSameKeys(members: MeetingGroup[]): Promise<void> {
  const epoch = members[0].epoch;
  const authenticator = hex(members[0].epochAuthenticator());
  const exporter = hex(await members[0].exportSecret(SFRAME_LABEL, 16));
  for (const member of members) {
    assert.equal(member.epoch, epoch);
    assert.equal(hex(member.epochAuthenticator()), authenticator);
    assert.equal(hex(await member.exportSecret(SFRAME_LABEL, 16)), exporter);
  }
}

test("a signature key pair is a fresh P-256 key with the uncompressed 65-byte public point", async () => {
  const first = await generateSignatureKeyPair();
  const second = await generateSignatureKeyPair();
  assert.equal(first.publicKey.length, 65);
  assert.equal(first.publicKey[0], 0x04);
  assert.equal(first.privateKey.length, 32);
  assert.notEqual(hex(first.privateKey), hex(second.privateKey));
});

test("three members, two of them joined by external commit, share the epoch authenticator and exporter output", async () => {
  const { a, b, c } = await threeMembers();
  assert.equal(a.epoch, 2n);
  await assertSameKeys([a, b, c]);
  const sframe = await a.exportSecret(SFRAME_LABEL, 16);
  const data = await c.exportSecret(DATA_LABEL, 16);
  assert.equal(sframe.length, 16);
  assert.equal(hex(data), hex(await b.exportSecret(DATA_LABEL, 16)));
  assert.notEqual(hex(data), hex(sframe));
  assert.deepEqual([a.ownLeaf, b.ownLeaf, c.ownLeaf], [0, 1, 2]);
  assert.deepEqual(a.groupId, new TextEncoder().encode(MEETING_ID));
  for (const member of [a, b, c]) {
    assert.equal(member.leafCount, 4); // the tree doubled to four leaves, one blank
    assert.deepEqual(
      member.members().map((m) => [m.leaf, m.credential.participantId]),
      [
        [0, "a0"],
        [1, "b1"],
        [2, "c2"],
      ],
    );
  }
});

test("an external join reports the new member to existing members and nothing to the joiner", async () => {
  const appliance = await Appliance.start();
  const a = await appliance.create("a0");
  const { commit, group: b } = await MeetingGroup.joinExternal(await a.groupInfo(), await appliance.admit("b1"), appliance.expectations());
  const [toA, toB] = await deliver(commit, [a, b]);
  assert.equal(toA.epoch, 1n);
  assert.deepEqual(toA.removed, []);
  assert.deepEqual(
    toA.added.map((m) => [m.leaf, m.credential.participantId, hex(m.signaturePublicKey)]),
    [[1, "b1", hex(b.members()[1].signaturePublicKey)]],
  );
  assert.deepEqual(toB, { epoch: 1n, added: [], removed: [] });
});

test("the epoch authenticator and exporter output change at every epoch", async () => {
  const appliance = await Appliance.start();
  const a = await appliance.create("a0");
  const seen = new Set<string>();
  const record = async () => {
    seen.add(hex(a.epochAuthenticator()));
    seen.add(hex(await a.exportSecret(SFRAME_LABEL, 16)));
  };
  await record();
  const b = await appliance.join("b1", a, [a]);
  await record();
  const c = await appliance.join("c2", a, [a, b]);
  await record();
  await deliver(await a.createRemoveCommit([c.ownLeaf]), [a, b]);
  await record();
  assert.equal(a.epoch, 3n);
  assert.equal(seen.size, 8);
});

test("a remove commit stays pending until it is echoed, then the committer moves with the others", async () => {
  const { a, b, c } = await threeMembers();
  const commit = await a.createRemoveCommit([c.ownLeaf]);
  assert.equal(a.epoch, 2n);
  assert.equal(a.members().length, 3);
  const [toA, toB] = await deliver(commit, [a, b]);
  assert.deepEqual(toA, { epoch: 3n, added: [], removed: [2] });
  assert.deepEqual(toB, toA);
  assert.deepEqual(
    a.members().map((m) => m.leaf),
    [0, 1],
  );
  await assertSameKeys([a, b]);
});

test("after a fourth joins and one is removed, the removed member can neither derive the new exporter output nor process the next commit", async () => {
  const { appliance, a, b, c } = await threeMembers();
  const d = await appliance.join("d3", c, [a, b, c]);
  await assertSameKeys([a, b, c, d]);
  const beforeRemoval = hex(await c.exportSecret(SFRAME_LABEL, 16));

  appliance.present.delete("c2");
  const removal = await a.createRemoveCommit([c.ownLeaf]);
  const [, , toD, toC] = await deliver(removal, [a, b, d, c]);
  assert.deepEqual(toD.removed, [2]);
  await assertSameKeys([a, b, d]);
  assert.notEqual(hex(await a.exportSecret(SFRAME_LABEL, 16)), beforeRemoval);

  assert.deepEqual(toC.removed, [c.ownLeaf]);
  await assert.rejects(c.exportSecret(SFRAME_LABEL, 16));
  assert.throws(() => c.epochAuthenticator());
  await assert.rejects(c.groupInfo());

  const e = await appliance.join("e4", b, [a, b, d]);
  await assertSameKeys([a, b, d, e]);
  assert.equal(e.ownLeaf, 2); // the blank leaf C left
  const next = await MeetingGroup.joinExternal(await b.groupInfo(), await appliance.admit("f5"), appliance.expectations());
  await assert.rejects(c.processCommit(next.commit));
});

test("a second commit at the same epoch is refused by members who applied the first, and their state stays as it was", async () => {
  const { appliance, a, b, c } = await threeMembers();
  const groupInfo = await a.groupInfo();
  const first = await MeetingGroup.joinExternal(groupInfo, await appliance.admit("d3"), appliance.expectations());
  const second = await MeetingGroup.joinExternal(groupInfo, await appliance.admit("e4"), appliance.expectations());
  await deliver(first.commit, [a, b, c, first.group]);
  const authenticator = hex(a.epochAuthenticator());

  for (const member of [a, b, c, first.group]) await assert.rejects(member.processCommit(second.commit));
  assert.equal(a.epoch, 3n);
  assert.equal(hex(a.epochAuthenticator()), authenticator);

  // The stale joiner retries on the fresh GroupInfo and everyone moves on together.
  const e = await appliance.join("e4", b, [a, b, c, first.group]);
  await assertSameKeys([a, b, c, first.group, e]);
});

test("a remove commit that lost the race is dropped by its committer and refused by everyone", async () => {
  const { appliance, a, b, c } = await threeMembers();
  const d = await appliance.join("d3", a, [a, b, c]);
  appliance.present.delete("d3");
  const fromB = await b.createRemoveCommit([d.ownLeaf]);
  const fromC = await c.createRemoveCommit([d.ownLeaf]);
  const [, toB] = await deliver(fromC, [a, b, c]);
  assert.deepEqual(toB.removed, [3]);
  await assertSameKeys([a, b, c]);
  for (const member of [a, b, c]) await assert.rejects(member.processCommit(fromB));
  await assertSameKeys([a, b, c]);
});

const refusals: [string, string, (appliance: Appliance, other: Appliance) => Promise<MemberIdentity>][] = [
  ["signed by another CA", "wrong CA", (_, other) => other.admit("x9", { ca: other.ca.privateKey })],
  ["for another meeting", "other meeting", (appliance) => appliance.admit("x9", { meetingId: "another-room" })],
  ["that has expired", "expired", (appliance) => appliance.admit("x9", { notAfterUnixSeconds: nowUnixSeconds() - 1 })],
  [
    "naming another signature key",
    "key mismatch",
    async (appliance) => appliance.admit("x9", { keyFor: await generateSignatureKeyPair() }),
  ],
  [
    "of a participant not announced as present",
    "not present",
    async (appliance) => {
      const identity = await appliance.admit("x9");
      appliance.present.delete("x9");
      return identity;
    },
  ],
];

for (const [description, reason, makeIdentity] of refusals) {
  test(`members refuse an external join with a credential ${description}, and stay at their epoch`, async () => {
    const { appliance, a, b, c } = await threeMembers();
    const other = await Appliance.start();
    const { commit } = await MeetingGroup.joinExternal(
      await a.groupInfo(),
      await makeIdentity(appliance, other),
      appliance.expectations(),
    );
    for (const member of [a, b, c]) {
      await assert.rejects(member.processCommit(commit), (error) => error instanceof CredentialRefusedError && error.reason === reason);
    }
    assert.equal(a.epoch, 2n);
    // The refused commit left nothing behind: the next valid one applies.
    await appliance.join("d3", b, [a, b, c]);
  });
}

test("a joiner refuses a GroupInfo whose tree holds a member it cannot admit", async () => {
  const { appliance, a } = await threeMembers();
  const groupInfo = await a.groupInfo();
  const joiner = await appliance.admit("d3");
  const gone: CredentialExpectations = { ...appliance.expectations(), isPresent: (id) => id !== "b1" };
  await assert.rejects(MeetingGroup.joinExternal(groupInfo, joiner, gone), (error) => error instanceof CredentialRefusedError && error.reason === "not present");
  const stranger = await Appliance.start();
  await assert.rejects(
    MeetingGroup.joinExternal(groupInfo, joiner, stranger.expectations()),
    (error) => error instanceof CredentialRefusedError && error.reason === "wrong CA",
  );
});

test("members refuse a commit whose committer is no longer present", async () => {
  const { appliance, a, b, c } = await threeMembers();
  const removal = await a.createRemoveCommit([c.ownLeaf]);
  appliance.present.delete("a0");
  await assert.rejects(b.processCommit(removal), (error) => error instanceof CredentialRefusedError && error.reason === "not present");
  assert.equal(b.epoch, 2n);
});

test("processCommit refuses bytes that are not exactly one commit of this group", async () => {
  const { appliance, a, b } = await threeMembers();
  const commit = await a.createRemoveCommit([2]);
  const otherGroup = await appliance.create("z9");
  for (const bytes of [new Uint8Array([1, 2, 3]), await a.groupInfo(), commit.subarray(0, commit.length - 1), new Uint8Array([...commit, 0])]) {
    await assert.rejects(b.processCommit(bytes));
  }
  await assert.rejects(otherGroup.processCommit(commit));
  await deliver(commit, [a, b]);
  await assertSameKeys([a, b]);
});

test("SignWithLabel verifies with the signer's leaf and fails with another leaf, label or content", async () => {
  const { a, b, c } = await threeMembers();
  const content = new TextEncoder().encode("annotation 17");
  const signature = await b.signWithLabel("Conclave annotation", content);
  assert.equal(await a.verifyWithLabel(b.ownLeaf, "Conclave annotation", content, signature), true);
  assert.equal(await c.verifyWithLabel(b.ownLeaf, "Conclave annotation", content, signature), true);
  assert.equal(await a.verifyWithLabel(c.ownLeaf, "Conclave annotation", content, signature), false);
  assert.equal(await a.verifyWithLabel(b.ownLeaf, "Conclave chat", content, signature), false);
  assert.equal(await a.verifyWithLabel(b.ownLeaf, "Conclave annotation", new TextEncoder().encode("annotation 18"), signature), false);
  assert.equal(await a.verifyWithLabel(3, "Conclave annotation", content, signature), false); // a blank leaf
  assert.equal(await a.verifyWithLabel(99, "Conclave annotation", content, signature), false);
  assert.equal(await a.verifyWithLabel(b.ownLeaf, "Conclave annotation", content, new Uint8Array([0x30, 1, 2])), false);
});

test("a commit carrying a proposal other than remove or external init is refused", async () => {
  // A member driving ts-mls directly, so it can commit what MeetingGroup never makes: an Add.
  const appliance = await Appliance.start();
  const cs = await getCiphersuiteImpl(getCiphersuiteFromName("MLS_128_DHKEMP256_AES128GCM_SHA256_P256"));
  const keyPackage = async (identity: MemberIdentity) =>
    generateKeyPackageWithKey(
      { credentialType: "basic", identity: identity.credential },
      defaultCapabilities(),
      defaultLifetime,
      [],
      { signKey: identity.keys.privateKey, publicKey: identity.keys.publicKey },
      cs,
    );
  const founder = await keyPackage(await appliance.admit("r0"));
  let raw = await createGroup(new TextEncoder().encode(MEETING_ID), founder.publicPackage, founder.privatePackage, [], cs);
  const groupInfo = await createGroupInfoWithExternalPubAndRatchetTree(raw, [], cs);
  const joined = await MeetingGroup.joinExternal(
    encodeMlsMessage({ version: "mls10", wireformat: "mls_group_info", groupInfo }),
    await appliance.admit("m1"),
    appliance.expectations(),
  );
  const member = joined.group;
  await member.processCommit(joined.commit);
  const echoed = decodeMlsMessage(joined.commit, 0)![0];
  assert.equal(echoed.wireformat, "mls_public_message");
  raw = (await processPublicMessage(raw, echoed.publicMessage, emptyPskIndex, cs)).newState;

  const newcomer = await keyPackage(await appliance.admit("n2"));
  const add = await createCommit(
    { state: raw, cipherSuite: cs },
    { wireAsPublicMessage: true, extraProposals: [{ proposalType: "add", add: { keyPackage: newcomer.publicPackage } }] },
  );
  await assert.rejects(member.processCommit(encodeMlsMessage(add.commit)), /proposal a meeting does not use/);
  assert.equal(member.epoch, 1n);

  // The same member's commit without the Add (an update of its own path) is applied.
  const update = await createCommit({ state: raw, cipherSuite: cs }, { wireAsPublicMessage: true });
  assert.deepEqual(await member.processCommit(encodeMlsMessage(update.commit)), { epoch: 2n, added: [], removed: [] });
  assert.equal(hex(member.epochAuthenticator()), hex(update.newState.keySchedule.epochAuthenticator));
});
