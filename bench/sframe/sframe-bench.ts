// What one frame costs the E2EE worker (client/src/e2ee/sframe.ts on WebCrypto): sealing it
// on the way out and opening it on the way in, for an Opus frame and VP8 delta and key
// frames of typical sizes. Bundled for Node by esbuild; `make bench-sframe` runs it. Node's
// WebCrypto, like Chromium's, is a native AES-GCM behind a promise per call.
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import {
  type MediaKind,
  SFrameKey,
  StreamContext,
  mlsKeyId,
  openMediaFrame,
  sealMediaFrame,
  senderBitsForLeafCount,
} from "../../src/Conclave.Web/client/src/e2ee/sframe";

const FRAMES_PER_CASE = 3000;
const CASES: { name: string; kind: MediaKind; bytes: number; keyFrame: boolean }[] = [
  { name: "Opus 20 ms, 120 B", kind: "audio", bytes: 120, keyFrame: false },
  { name: "VP8 delta, 1,100 B", kind: "video", bytes: 1100, keyFrame: false },
  { name: "VP8 delta, 10 KB", kind: "video", bytes: 10_000, keyFrame: false },
  { name: "VP8 key, 40 KB", kind: "video", bytes: 40_000, keyFrame: true },
];

const secret = crypto.getRandomValues(new Uint8Array(16));
const layout = { senderBits: senderBitsForLeafCount(8), epochBits: 8 };

console.log(`SFrame per frame, ${FRAMES_PER_CASE} frames each; ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version}`);
console.log("| frame | seal µs | open µs |");
console.log("|---|---:|---:|");
for (const c of CASES) {
  const key = await SFrameKey.fromBaseKey(secret, mlsKeyId(layout, c.kind === "audio" ? StreamContext.Microphone : StreamContext.Camera, 3, 7n));
  const frame = crypto.getRandomValues(new Uint8Array(c.bytes)); // at most 64 KiB per call
  frame[0] = c.keyFrame ? frame[0]! & 0xfe : frame[0]! | 0x01; // VP8 frame tag: bit 0 clear on key frames (RFC 6386 §9.1)
  const sealedFrames: Uint8Array[] = [];
  // Warm-up, then timed.
  for (let i = 0; i < 200; i++) await openMediaFrame(key, c.kind, await sealMediaFrame(key, BigInt(i), c.kind, frame));
  let started = performance.now();
  for (let i = 0; i < FRAMES_PER_CASE; i++) sealedFrames.push(await sealMediaFrame(key, BigInt(1000 + i), c.kind, frame));
  const sealUs = ((performance.now() - started) * 1000) / FRAMES_PER_CASE;
  started = performance.now();
  for (const sealed of sealedFrames) {
    if (!(await openMediaFrame(key, c.kind, sealed))) throw new Error("a sealed frame did not open");
  }
  const openUs = ((performance.now() - started) * 1000) / FRAMES_PER_CASE;
  console.log(`| ${c.name} | ${sealUs.toFixed(1)} | ${openUs.toFixed(1)} |`);
}
