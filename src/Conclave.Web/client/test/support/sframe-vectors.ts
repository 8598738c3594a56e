// The SFrame vectors shared with the C# implementation (tests/vectors/sframe, README.md there):
// reading them, and replaying one with this client's sframe.ts.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  SFrameKey, mlsKeyId, mlsSenderBaseKey, openMediaFrame, readMediaFrameHeader, readSFrameHeader, sealMediaFrame,
  senderBitsForLeafCount, type MlsKeyIdLayout, type SFrameHeader,
} from "../../src/e2ee/sframe";

/** One vector: byte strings in hex, epoch and ctr as 0x-prefixed 64-bit hex as RFC 9605 Appendix C prints numbers. */
export interface SFrameCrossVector {
  name: string;
  sframeEpochSecret: string;
  leafCount: number;
  senderIndex: number;
  context: number;
  epoch: string;
  ctr: string;
  /** "none": SFrameKey.seal/open with the metadata given; else the media frame rule, metadata being the clear prefix. */
  kind: "audio" | "video" | "none";
  metadata: string;
  plaintext: string;
  /** What sealing gives. */
  sealed: string;
  /** What the receiver is given: sealed, or sealed with a byte changed. */
  received: string;
  /** What opening received gives, or null when it must be refused. */
  opened: string | null;
}

export interface SFrameCrossVectorFile { about: string; vectors: SFrameCrossVector[] }

/** The repository root: test bundles run from artifacts/client-tests. */
export function repositoryPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

export function readVectorFile(name: string): string {
  return readFileSync(repositoryPath(`tests/vectors/sframe/${name}`), "utf8");
}

export function hex(text: string): Uint8Array<ArrayBuffer> {
  if (!/^([0-9a-f]{2})*$/i.test(text)) throw new Error(`not hex: ${text}`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function u64Hex(value: bigint): string {
  return `0x${value.toString(16).padStart(16, "0")}`;
}

/**
 * The blocks of rfc9605-appendix-c.txt as RFC 9605 Appendix C prints them: "name: value" lines, a
 * value continued on indented lines, blocks separated by blank lines; section titles (no colon)
 * and '#' comments skipped.
 */
export function rfc9605AppendixC(): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let block: Map<string, string> | undefined;
  let last: string | undefined;
  for (const line of readVectorFile("rfc9605-appendix-c.txt").split("\n")) {
    if (line.startsWith("#")) continue;
    if (line.trim() === "") {
      block = undefined;
      continue;
    }
    if (line.startsWith(" ") && block !== undefined && last !== undefined) {
      block.set(last, block.get(last) + line.trim());
      continue;
    }
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    if (block === undefined) {
      block = new Map();
      blocks.push(block);
    }
    last = line.slice(0, colon);
    block.set(last, line.slice(colon + 1).trim());
  }
  return blocks;
}

export type VectorInputs = Omit<SFrameCrossVector, "sealed" | "received" | "opened">;

/** Conclave's KID layout for a tree of this many leaves: E = 8. */
export function mlsLayout(leafCount: number): MlsKeyIdLayout {
  return { senderBits: senderBitsForLeafCount(leafCount), epochBits: 8 };
}

export async function vectorKey(v: VectorInputs): Promise<SFrameKey> {
  const kid = mlsKeyId(mlsLayout(v.leafCount), v.context, v.senderIndex, BigInt(v.epoch));
  return SFrameKey.fromBaseKey(await mlsSenderBaseKey(hex(v.sframeEpochSecret), v.senderIndex), kid);
}

export async function sealVector(v: VectorInputs): Promise<Uint8Array> {
  const key = await vectorKey(v);
  return v.kind === "none"
    ? key.seal(BigInt(v.ctr), hex(v.metadata), hex(v.plaintext))
    : sealMediaFrame(key, BigInt(v.ctr), v.kind, hex(v.plaintext));
}

export async function openVector(v: VectorInputs, received: Uint8Array): Promise<{ opened: Uint8Array | undefined; header: SFrameHeader | undefined }> {
  const key = await vectorKey(v);
  if (v.kind === "none") return { opened: await key.open(received, hex(v.metadata)), header: readSFrameHeader(received) };
  return { opened: await openMediaFrame(key, v.kind, received), header: readMediaFrameHeader(v.kind, received) };
}

/** Deterministic bytes for the vector generators: SHA-256(seed ‖ ":" ‖ block number) blocks. */
export async function seeded(seed: string, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  for (let block = 0; block * 32 < length; block++) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${seed}:${block}`)));
    out.set(digest.subarray(0, Math.min(32, length - block * 32)), block * 32);
  }
  return out;
}
