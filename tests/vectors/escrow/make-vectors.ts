// Writes tests/vectors/escrow/v1.json: escrowed epochs sealed by the client's escrow.ts (HPKE via
// @hpke/core) to two fixed escrow keys, which tests/Conclave.Crypto.Tests/Escrow opens in C#.
// Contents and keys come from fixed seeds; each seal draws a fresh ephemeral key, so the blobs
// change on every run. Regenerate from src/Conclave.Web/client (README.md here).
import { writeFileSync } from "node:fs";
import { AttendeeKind, encodeCredential, encodeCredentialBody } from "../../../src/Conclave.Web/client/src/e2ee/credential";
import {
  type EscrowedEpoch, RecordingScope, displayEscrowKeyId, encodeEscrowedEpoch, encodeRecordingExtension, escrowKeyId, sealEscrowBlob,
} from "../../../src/Conclave.Web/client/src/e2ee/escrow";
import {
  type EscrowBlobVector, type EscrowVectorFile, type RecordingExtensionVector, hpkeSuite, recipientFromIkm,
} from "../../../src/Conclave.Web/client/test/support/escrow-vectors";
import { repositoryPath, seeded, toHex } from "../../../src/Conclave.Web/client/test/support/sframe-vectors";

/** A member of the roster: a credential as the appliance issues it (signature seeded) and a real P-256 signature key. */
async function member(seed: string, leaf: number, displayName: string) {
  const signatureKey = new Uint8Array(await hpkeSuite.kem.serializePublicKey((await hpkeSuite.kem.deriveKeyPair(await seeded(`${seed} key`, 32))).publicKey));
  const body = encodeCredentialBody({
    meetingId: "kX3v9QmZ_b7T",
    participantId: toHex(await seeded(`${seed} participant`, 8)),
    attendeeKey: `account:${leaf + 100}`,
    displayName,
    kind: leaf === 0 ? AttendeeKind.Host : AttendeeKind.Member,
    notAfterUnixSeconds: 1_800_043_200,
    signatureKeySha256: new Uint8Array(await crypto.subtle.digest("SHA-256", signatureKey)),
  });
  return { leaf, credential: encodeCredential(body, await seeded(`${seed} signature`, 64)), signatureKey };
}

const recipientSeeds = ["conclave-compliance-escrow-1", "conclave-compliance-escrow-2"];
const recipients = [];
for (const name of recipientSeeds) {
  const ikm = await seeded(name, 32);
  const { privateKey, spki } = await recipientFromIkm(ikm);
  const keyId = await escrowKeyId(spki);
  recipients.push({ name, ikm: toHex(ikm), privateKey: toHex(privateKey), spki: toHex(spki), keyId: toHex(keyId), keyIdDisplay: displayEscrowKeyId(keyId) });
}
const spkis = recipients.map((r) => Uint8Array.from(Buffer.from(r.spki, "hex")));

const recordingA = await seeded("recording A", 16);
const recordingB = await seeded("recording B", 16);

const extensions: RecordingExtensionVector[] = [
  { name: "media and chat, both escrow keys", recordingId: recordingA, scope: RecordingScope.MediaAndChat, escrowKeys: spkis, startedBy: "Ada Lovelace" },
  { name: "media only, one escrow key, a non-ASCII name", recordingId: recordingB, scope: RecordingScope.Media, escrowKeys: [spkis[1]], startedBy: "Zoë Ångström 張" },
].map((e) => ({ ...e, recordingId: toHex(e.recordingId), escrowKeys: e.escrowKeys.map(toHex), encoded: toHex(encodeRecordingExtension(e)) }));

interface Case { name: string; recipient: number; sealerLeaf: number; epoch: EscrowedEpoch }

const names = ["Ada Lovelace", "Grace Hopper", "Zoë Ångström", "Alan Turing", "Edsger Dijkstra"];
const crowd = [];
for (let leaf = 0; leaf < 64; leaf += 1) if (leaf % 3 !== 1) crowd.push(await member(`crowd ${leaf}`, leaf, `Participant ${leaf} ${"·".repeat(60 + leaf)}`));

const cases: Case[] = [
  {
    name: "media only: one member alone at epoch 0 seals for itself",
    recipient: 0,
    sealerLeaf: 0,
    epoch: {
      recordingId: recordingB, groupId: await seeded("group B", 16), epoch: 0n, sframeEpochSecret: await seeded("B sframe 0", 16), dataKey: new Uint8Array(0),
      epochAuthenticator: await seeded("B authenticator 0", 32), leafCount: 1, roster: [await member("B host", 0, names[0])],
    },
  },
  {
    name: "media and chat: the committer (leaf 4) of three members in five leaves, blanks at 1 and 3",
    recipient: 0,
    sealerLeaf: 4,
    epoch: {
      recordingId: recordingA, groupId: await seeded("group A", 32), epoch: 7n, sframeEpochSecret: await seeded("A sframe 7", 16), dataKey: await seeded("A data 7", 16),
      epochAuthenticator: await seeded("A authenticator 7", 32), leafCount: 5,
      roster: [await member("A 0", 0, names[0]), await member("A 2", 2, names[1]), await member("A 4", 4, names[2])],
    },
  },
  {
    name: "media and chat: the backup (leaf 0) seals the same epoch to the second escrow key",
    recipient: 1,
    sealerLeaf: 0,
    epoch: {
      recordingId: recordingA, groupId: await seeded("group A", 32), epoch: 7n, sframeEpochSecret: await seeded("A sframe 7", 16), dataKey: await seeded("A data 7", 16),
      epochAuthenticator: await seeded("A authenticator 7", 32), leafCount: 5,
      roster: [await member("A 0", 0, names[0]), await member("A 2", 2, names[1]), await member("A 4", 4, names[2])],
    },
  },
  {
    name: "an epoch past 2^40 with a roster of 43 members over 16 KiB (4-byte vector lengths)",
    recipient: 1,
    sealerLeaf: 63,
    epoch: {
      recordingId: recordingA, groupId: await seeded("group A", 32), epoch: (1n << 40n) + 5n, sframeEpochSecret: await seeded("A sframe big", 16),
      dataKey: await seeded("A data big", 16), epochAuthenticator: await seeded("A authenticator big", 32), leafCount: 64, roster: crowd,
    },
  },
];

const vectors: EscrowBlobVector[] = [];
for (const c of cases) {
  const encoded = encodeEscrowedEpoch(c.epoch);
  const blob = await sealEscrowBlob(spkis[c.recipient], c.epoch.recordingId, c.epoch.epoch, c.sealerLeaf, encoded);
  vectors.push({
    name: c.name,
    recipient: c.recipient,
    sealerLeaf: c.sealerLeaf,
    escrowedEpoch: {
      recordingId: toHex(c.epoch.recordingId), groupId: toHex(c.epoch.groupId), epoch: c.epoch.epoch.toString(), sframeEpochSecret: toHex(c.epoch.sframeEpochSecret),
      dataKey: toHex(c.epoch.dataKey), epochAuthenticator: toHex(c.epoch.epochAuthenticator), leafCount: c.epoch.leafCount,
      roster: c.epoch.roster.map((r) => ({ leaf: r.leaf, credential: toHex(r.credential), signatureKey: toHex(r.signatureKey) })),
    },
    escrowedEpochEncoded: toHex(encoded),
    blob: toHex(blob),
  });
}

const file: EscrowVectorFile = {
  about: "Escrowed epochs sealed by client/src/e2ee/escrow.ts (HPKE base mode, DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM via @hpke/core) to the recipients below, whose key pairs are RFC 9180 DeriveKeyPair(ikm); opened by tests/Conclave.Crypto.Tests/Escrow. Byte strings are hex, epochs decimal. See README.md.",
  recipients,
  extensions,
  vectors,
};
writeFileSync(repositoryPath("tests/vectors/escrow/v1.json"), JSON.stringify(file, null, 2) + "\n");
console.log(`wrote ${vectors.length} escrow vectors and ${extensions.length} extensions`);
