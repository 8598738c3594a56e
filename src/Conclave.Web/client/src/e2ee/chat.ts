// Chat, end to end encrypted under the MLS group (docs/e2ee.md): an SFrame envelope keyed
// from MLS-Exporter("Conclave 1.0 Data Key") with the chat stream context, around a message
// the sender signs with its MLS signature key — SFrame alone does not say which member
// wrote a frame (RFC 9605 §7.2), and a forged line in someone's name matters.
import { type MlsKeyIdLayout, SFrameKey, StreamContext, mlsKeyId, mlsSenderBaseKey, parseMlsKeyId, readSFrameHeader } from "./sframe";

export const DATA_KEY_LABEL = "Conclave 1.0 Data Key";
const SIGNATURE_LABEL = "Conclave chat v1";
export const CHAT_MAX_CHARACTERS = 4000;

/** What a chat line's author signs and the reader verifies. */
export interface ChatSigner {
  signWithLabel(label: string, content: Uint8Array): Promise<Uint8Array>;
  verifyWithLabel(leaf: number, label: string, content: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** One epoch's data key, as both sides derive it. */
export interface DataEpoch {
  epoch: bigint;
  groupId: Uint8Array;
  dataKey: Uint8Array;
  layout: MlsKeyIdLayout;
  ownLeaf: number;
}

export interface ChatLine {
  senderLeaf: number;
  epoch: bigint;
  sentAtMs: number;
  text: string;
}

function signedContent(epoch: DataEpoch, leaf: number, sentAtMs: number, text: Uint8Array): Uint8Array {
  const fixed = new DataView(new ArrayBuffer(20));
  fixed.setBigUint64(0, epoch.epoch);
  fixed.setUint32(8, leaf);
  fixed.setBigUint64(12, BigInt(sentAtMs));
  const content = new Uint8Array(epoch.groupId.length + 20 + text.length);
  content.set(epoch.groupId, 0);
  content.set(new Uint8Array(fixed.buffer), epoch.groupId.length);
  content.set(text, epoch.groupId.length + 20);
  return content;
}

async function keyFor(epoch: DataEpoch, leaf: number, kid: bigint): Promise<SFrameKey> {
  return SFrameKey.fromBaseKey(await mlsSenderBaseKey(epoch.dataKey, leaf), kid);
}

/** Seals one line: SFrame(sentAtMs u64 ‖ signature length u16 ‖ signature ‖ UTF-8 text), metadata = group id. */
export async function sealChat(epoch: DataEpoch, ctr: bigint, signer: ChatSigner, text: string, sentAtMs: number): Promise<Uint8Array> {
  const body = new TextEncoder().encode(text);
  const signature = await signer.signWithLabel(SIGNATURE_LABEL, signedContent(epoch, epoch.ownLeaf, sentAtMs, body));
  const plain = new Uint8Array(10 + signature.length + body.length);
  const view = new DataView(plain.buffer);
  view.setBigUint64(0, BigInt(sentAtMs));
  view.setUint16(8, signature.length);
  plain.set(signature, 10);
  plain.set(body, 10 + signature.length);
  const kid = mlsKeyId(epoch.layout, StreamContext.Chat, epoch.ownLeaf, epoch.epoch);
  return (await keyFor(epoch, epoch.ownLeaf, kid)).seal(ctr, epoch.groupId, plain);
}

/** The line, or a reason it is not shown: unknown epoch, failed authentication, bad signature. */
export async function openChat(
  sealed: Uint8Array,
  epochByLowBits: (epochLowBits: number) => DataEpoch | undefined,
  verifier: ChatSigner,
): Promise<{ ok: true; line: ChatLine } | { ok: false; reason: string }> {
  const header = readSFrameHeader(sealed);
  if (!header) return { ok: false, reason: "malformed" };
  const epoch = epochByLowBits(Number(header.kid & 0xffn));
  if (!epoch) return { ok: false, reason: "no key for its epoch" };
  const { context, senderIndex } = parseMlsKeyId(epoch.layout, header.kid);
  if (context !== StreamContext.Chat) return { ok: false, reason: "not chat" };
  const plain = await (await keyFor(epoch, senderIndex, header.kid)).open(sealed, epoch.groupId);
  if (!plain || plain.length < 10) return { ok: false, reason: "authentication failed" };
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const sentAtMs = Number(view.getBigUint64(0));
  const signatureLength = view.getUint16(8);
  if (plain.length < 10 + signatureLength) return { ok: false, reason: "malformed" };
  const signature = plain.subarray(10, 10 + signatureLength);
  const body = plain.subarray(10 + signatureLength);
  const signed = signedContent(epoch, senderIndex, sentAtMs, body);
  if (!(await verifier.verifyWithLabel(senderIndex, SIGNATURE_LABEL, signed, signature))) {
    return { ok: false, reason: "signature does not verify" };
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(body).slice(0, CHAT_MAX_CHARACTERS);
  return { ok: true, line: { senderLeaf: senderIndex, epoch: epoch.epoch, sentAtMs, text } };
}
