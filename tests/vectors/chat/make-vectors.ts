// Writes tests/vectors/chat/v1.json: chat lines sealed by the client's chat.ts (SFrame under the
// epoch's data key, signed with the sender leaf's MLS signature key through ts-mls), which
// tests/Conclave.Recording.Tests/Export/ChatCrossVectorTests.cs opens and verifies in C#. Keys,
// texts and times come from fixed seeds. Regenerate from src/Conclave.Web/client (README.md here).
import { writeFileSync } from "node:fs";
import { p256 } from "@noble/curves/nist.js";
import { getCiphersuiteFromName, getCiphersuiteImpl } from "ts-mls";
import { signWithLabel, verifyWithLabel } from "ts-mls/crypto/signature.js";
import { sealChat } from "../../../src/Conclave.Web/client/src/e2ee/chat";
import type { DataEpoch, DataSigner } from "../../../src/Conclave.Web/client/src/e2ee/data-message";
import { senderBitsForLeafCount } from "../../../src/Conclave.Web/client/src/e2ee/sframe";
import { repositoryPath, seeded, toHex } from "../../../src/Conclave.Web/client/test/support/sframe-vectors";

const cs = await getCiphersuiteImpl(getCiphersuiteFromName("MLS_128_DHKEMP256_AES128GCM_SHA256_P256"));

/** A leaf's MLS signature key pair, as ts-mls holds it (P-256, the public key a 65-byte point). */
async function leafKey(seed: string) {
  const privateKey = await seeded(`${seed} signature key`, 32);
  return { privateKey, publicKey: p256.getPublicKey(privateKey, false) };
}

function signer(privateKey: Uint8Array, publicKeys: Map<number, Uint8Array>): DataSigner {
  return {
    signWithLabel: (label, content) => signWithLabel(privateKey, label, content, cs.signature),
    verifyWithLabel: (leaf, label, content, signature) => verifyWithLabel(publicKeys.get(leaf)!, label, content, signature, cs.signature),
  };
}

interface Case { name: string; epoch: bigint; leafCount: number; senderLeaf: number; signingLeaf: number; ctr: bigint; sentAtMs: number; text: string; tamper: boolean; expected: string }

const cases: Case[] = [
  { name: "leaf 0 of 2 at epoch 5", epoch: 5n, leafCount: 2, senderLeaf: 0, signingLeaf: 0, ctr: 0n, sentAtMs: 1_767_225_601_234, text: "Good morning, everyone.", tamper: false, expected: "valid" },
  {
    name: "leaf 2 of 5 at epoch 300 (KID epoch bits 44), a text past 63 bytes",
    epoch: 300n, leafCount: 5, senderLeaf: 2, signingLeaf: 2, ctr: 7n, sentAtMs: 1_767_225_999_000,
    text: "Zoë Ångström: the minutes of the steering committee — 会議の議事録 — are in the shared folder.", tamper: false, expected: "valid",
  },
  { name: "a byte of leaf 0's ciphertext changed: it does not authenticate", epoch: 5n, leafCount: 2, senderLeaf: 0, signingLeaf: 0, ctr: 1n, sentAtMs: 1_767_225_602_000, text: "This line was altered.", tamper: true, expected: "undecryptable" },
  { name: "leaf 1 sends a line signed with leaf 0's key: it opens, its signature does not verify", epoch: 5n, leafCount: 2, senderLeaf: 1, signingLeaf: 0, ctr: 0n, sentAtMs: 1_767_225_603_000, text: "I am not who I say.", tamper: false, expected: "invalid" },
];

const groups = new Map<bigint, Uint8Array>();
const dataKeys = new Map<bigint, Uint8Array>();
const keys = new Map<number, { privateKey: Uint8Array; publicKey: Uint8Array }>();
for (const c of cases) {
  if (!groups.has(c.epoch)) groups.set(c.epoch, await seeded(`group at epoch ${c.epoch}`, 32));
  if (!dataKeys.has(c.epoch)) dataKeys.set(c.epoch, await seeded(`data key of epoch ${c.epoch}`, 16));
  for (const leaf of [c.senderLeaf, c.signingLeaf]) if (!keys.has(leaf)) keys.set(leaf, await leafKey(`leaf ${leaf}`));
}
const publicKeys = new Map([...keys].map(([leaf, key]) => [leaf, key.publicKey]));

const vectors = [];
for (const c of cases) {
  const epoch: DataEpoch = {
    epoch: c.epoch, groupId: groups.get(c.epoch)!, dataKey: dataKeys.get(c.epoch)!,
    layout: { senderBits: senderBitsForLeafCount(c.leafCount), epochBits: 8 }, ownLeaf: c.senderLeaf,
  };
  const sealed = await sealChat(epoch, c.ctr, signer(keys.get(c.signingLeaf)!.privateKey, publicKeys), c.text, c.sentAtMs);
  if (c.tamper) sealed[sealed.length - 20] ^= 0x01;
  vectors.push({
    name: c.name, groupId: toHex(epoch.groupId), epoch: c.epoch.toString(), leafCount: c.leafCount, dataKey: toHex(epoch.dataKey),
    senderLeaf: c.senderLeaf, sentAtMs: c.sentAtMs, text: c.text, sealed: toHex(sealed), expected: c.expected,
  });
}

const file = {
  about: "Chat lines sealed by client/src/e2ee/chat.ts: SFrame (KID context 4) under the epoch's data key with the group id as metadata, around sentAtMs u64 ‖ signature length u16 ‖ signature ‖ UTF-8 text, the signature ts-mls's SignWithLabel(\"Conclave chat v1\", group id ‖ epoch u64 ‖ leaf u32 ‖ sentAtMs u64 ‖ text) with the leaf's P-256 key (DER). expected: valid, invalid (opens, signature does not verify) or undecryptable. Byte strings are hex, epochs decimal. See README.md.",
  leaves: [...keys].sort(([a], [b]) => a - b).map(([leaf, key]) => ({ leaf, signatureKey: toHex(key.publicKey) })),
  vectors,
};
writeFileSync(repositoryPath("tests/vectors/chat/v1.json"), JSON.stringify(file, null, 2) + "\n");
console.log(`wrote ${vectors.length} chat vectors`);
