// Writes tests/vectors/sframe/from-typescript.json: SFrame frames sealed by this client's
// sframe.ts, which tests/Conclave.Crypto.Tests/SFrame checks the C# implementation against.
// Every input is derived from fixed seeds, so a rerun writes the same file. Regenerate with
// (from src/Conclave.Web/client):
//   npx esbuild test/tools/make-sframe-vectors.ts --bundle --platform=node --format=esm \
//     --outfile=../../../artifacts/client-tests/make-sframe-vectors.mjs && node ../../../artifacts/client-tests/make-sframe-vectors.mjs
import { writeFileSync } from "node:fs";
import { StreamContext, clearPrefixLength } from "../../src/e2ee/sframe";
import {
  type SFrameCrossVector, type SFrameCrossVectorFile, type VectorInputs, openVector, repositoryPath, sealVector, seeded, toHex, u64Hex,
} from "../support/sframe-vectors";

async function vp8(seed: string, keyFrame: boolean, length: number): Promise<Uint8Array> {
  const frame = await seeded(seed, length);
  if (length > 0) frame[0] = keyFrame ? frame[0] & 0xfe : frame[0] | 0x01;
  return frame;
}

interface Case {
  name: string;
  leafCount: number;
  senderIndex: number;
  context: StreamContext;
  epoch: bigint;
  ctr: bigint;
  kind: "audio" | "video" | "none";
  plaintext: Uint8Array;
  /** Only for kind "none"; media frames authenticate their clear prefix. */
  metadata?: Uint8Array;
  /** Byte to flip in the sealed frame before opening; such a frame must be refused. */
  tamperAt?: number;
  /** False for a frame the receiver's byte-0 rule cannot find the prefix of. */
  opens?: boolean;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

const cases: Case[] = [
  { name: "audio: microphone, one-leaf tree, first frame", leafCount: 1, senderIndex: 0, context: StreamContext.Microphone, epoch: 0n, ctr: 0n, kind: "audio", plaintext: await seeded("opus 1", 40) },
  { name: "audio: screen audio, sender 9 of 12 leaves, epoch 1000", leafCount: 12, senderIndex: 9, context: StreamContext.ScreenAudio, epoch: 1000n, ctr: 77n, kind: "audio", plaintext: await seeded("opus 2", 160) },
  { name: "audio at the last counter a sender may use (2^64-2)", leafCount: 2, senderIndex: 1, context: StreamContext.Microphone, epoch: 3n, ctr: (1n << 64n) - 2n, kind: "audio", plaintext: await seeded("opus 3", 3) },
  { name: "VP8 key frame: camera, sender 2 of 3 leaves", leafCount: 3, senderIndex: 2, context: StreamContext.Camera, epoch: 1n, ctr: 0n, kind: "video", plaintext: await vp8("vp8 key 1", true, 1100) },
  { name: "VP8 delta frame: camera, counter past 2^32", leafCount: 4, senderIndex: 0, context: StreamContext.Camera, epoch: 258n, ctr: (1n << 32n) + 9n, kind: "video", plaintext: await vp8("vp8 delta 1", false, 640) },
  { name: "VP8 delta frame: screen video, sender 127 of 128 leaves, epoch 2^40+5", leafCount: 128, senderIndex: 127, context: StreamContext.ScreenVideo, epoch: (1n << 40n) + 5n, ctr: 4096n, kind: "video", plaintext: await vp8("vp8 delta 2", false, 3000) },
  { name: "VP8 key frame exactly its 10-byte prefix", leafCount: 2, senderIndex: 0, context: StreamContext.Camera, epoch: 2n, ctr: 5n, kind: "video", plaintext: await vp8("vp8 key 2", true, 10) },
  { name: "VP8 key frame of 4 bytes, shorter than its prefix", leafCount: 2, senderIndex: 1, context: StreamContext.Camera, epoch: 2n, ctr: 6n, kind: "video", plaintext: await vp8("vp8 key 3", true, 4), opens: false },
  { name: "VP8 delta frame of 1 byte, shorter than its prefix", leafCount: 2, senderIndex: 1, context: StreamContext.ScreenVideo, epoch: 2n, ctr: 7n, kind: "video", plaintext: await vp8("vp8 delta 3", false, 1), opens: false },
  { name: "chat message: data key, context 4, no metadata", leafCount: 6, senderIndex: 5, context: StreamContext.Chat, epoch: 12n, ctr: 3n, kind: "none", plaintext: utf8('{"text":"hello from TypeScript"}'), metadata: new Uint8Array(0) },
  { name: "annotation with metadata", leafCount: 9, senderIndex: 8, context: StreamContext.Annotation, epoch: 300n, ctr: 1n, kind: "none", plaintext: await seeded("annotation", 90), metadata: utf8("page 3") },
  { name: "tampered: VP8 key frame with a clear prefix byte changed", leafCount: 3, senderIndex: 1, context: StreamContext.Camera, epoch: 4n, ctr: 10n, kind: "video", plaintext: await vp8("vp8 key 4", true, 800), tamperAt: 5 },
  { name: "tampered: audio frame with a tag byte changed", leafCount: 3, senderIndex: 2, context: StreamContext.Microphone, epoch: 4n, ctr: 11n, kind: "audio", plaintext: await seeded("opus 4", 90), tamperAt: -1 },
  { name: "tampered: VP8 delta frame with a ciphertext byte changed", leafCount: 3, senderIndex: 0, context: StreamContext.ScreenVideo, epoch: 4n, ctr: 12n, kind: "video", plaintext: await vp8("vp8 delta 4", false, 300), tamperAt: 20 },
  { name: "tampered: chat message with its KID changed", leafCount: 3, senderIndex: 0, context: StreamContext.Chat, epoch: 4n, ctr: 13n, kind: "none", plaintext: utf8('{"text":"changed kid"}'), metadata: new Uint8Array(0), tamperAt: 1 },
];

const vectors: SFrameCrossVector[] = [];
for (const c of cases) {
  const secret = await seeded(`epoch secret: ${c.name}`, 16);
  const inputs: VectorInputs = {
    name: c.name, sframeEpochSecret: toHex(secret), leafCount: c.leafCount, senderIndex: c.senderIndex, context: c.context,
    epoch: u64Hex(c.epoch), ctr: u64Hex(c.ctr), kind: c.kind, metadata: "", plaintext: toHex(c.plaintext),
  };
  inputs.metadata = toHex(c.kind === "none" ? (c.metadata ?? new Uint8Array(0)) : c.plaintext.subarray(0, clearPrefixLength(c.kind, c.plaintext)));
  const sealed = await sealVector(inputs);
  const received = sealed.slice();
  if (c.tamperAt !== undefined) received[(c.tamperAt + received.length) % received.length] ^= 0x04;
  const { opened } = await openVector(inputs, received);
  const mustOpen = c.tamperAt === undefined && c.opens !== false;
  if ((opened !== undefined) !== mustOpen) throw new Error(`${c.name}: ${mustOpen ? "did not open" : "opened"}`);
  if (opened !== undefined && toHex(opened) !== toHex(c.plaintext)) throw new Error(`${c.name}: opened to other bytes`);
  vectors.push({ ...inputs, sealed: toHex(sealed), received: toHex(received), opened: opened === undefined ? null : toHex(opened) });
}

const file: SFrameCrossVectorFile = {
  about: "SFrame frames sealed by src/Conclave.Web/client/src/e2ee/sframe.ts (test/tools/make-sframe-vectors.ts), checked by tests/Conclave.Crypto.Tests/SFrame; tests/vectors/sframe/README.md",
  vectors,
};
writeFileSync(repositoryPath("tests/vectors/sframe/from-typescript.json"), `${JSON.stringify(file, null, 2)}\n`);
console.log(`wrote ${vectors.length} vectors`);
