// Data messages (chat, content), end to end encrypted under the MLS group (docs/e2ee.md): an
// SFrame envelope keyed from MLS-Exporter("Conclave 1.0 Data Key") with the message kind's stream
// context, around a body the sender signs with its MLS signature key — SFrame alone does not say
// which member sealed a frame (RFC 9605 §7.2): every member holds every sender's data key.
import { type MlsKeyIdLayout, SFrameKey, type StreamContext, mlsKeyId, mlsSenderBaseKey, parseMlsKeyId, readSFrameHeader } from "./sframe";

export const DATA_KEY_LABEL = "Conclave 1.0 Data Key";

/** What a data message's author signs and its reader verifies (RFC 9420 §5.1.2 SignWithLabel). */
export interface DataSigner {
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

export type OpenedData =
  | { ok: true; senderLeaf: number; epoch: bigint; sentAtMs: number; body: Uint8Array }
  | { ok: false; reason: string };

/** The signature covers the group, epoch, sender and time, so a body cannot be replayed under another. */
function signedContent(epoch: DataEpoch, leaf: number, sentAtMs: number, body: Uint8Array): Uint8Array {
  const fixed = new DataView(new ArrayBuffer(20));
  fixed.setBigUint64(0, epoch.epoch);
  fixed.setUint32(8, leaf);
  fixed.setBigUint64(12, BigInt(sentAtMs));
  const content = new Uint8Array(epoch.groupId.length + 20 + body.length);
  content.set(epoch.groupId, 0);
  content.set(new Uint8Array(fixed.buffer), epoch.groupId.length);
  content.set(body, epoch.groupId.length + 20);
  return content;
}

async function keyFor(epoch: DataEpoch, leaf: number, kid: bigint): Promise<SFrameKey> {
  return SFrameKey.fromBaseKey(await mlsSenderBaseKey(epoch.dataKey, leaf), kid);
}

/**
 * Seals one message: SFrame(sentAtMs u64 ‖ signature length u16 ‖ signature ‖ body), metadata = group id,
 * the signature SignWithLabel(label, group id ‖ epoch u64 ‖ leaf u32 ‖ sentAtMs u64 ‖ body).
 */
export async function sealSignedData(
  epoch: DataEpoch,
  ctr: bigint,
  signer: DataSigner,
  context: StreamContext,
  label: string,
  body: Uint8Array,
  sentAtMs: number,
): Promise<Uint8Array> {
  const signature = await signer.signWithLabel(label, signedContent(epoch, epoch.ownLeaf, sentAtMs, body));
  const plain = new Uint8Array(10 + signature.length + body.length);
  const view = new DataView(plain.buffer);
  view.setBigUint64(0, BigInt(sentAtMs));
  view.setUint16(8, signature.length);
  plain.set(signature, 10);
  plain.set(body, 10 + signature.length);
  const kid = mlsKeyId(epoch.layout, context, epoch.ownLeaf, epoch.epoch);
  return (await keyFor(epoch, epoch.ownLeaf, kid)).seal(ctr, epoch.groupId, plain);
}

/** The body and its verified sender, or a reason it is dropped: unknown epoch, wrong context, failed authentication, bad signature. */
export async function openSignedData(
  sealed: Uint8Array,
  epochByLowBits: (epochLowBits: number) => DataEpoch | undefined,
  verifier: DataSigner,
  context: StreamContext,
  label: string,
): Promise<OpenedData> {
  const header = readSFrameHeader(sealed);
  if (!header) return { ok: false, reason: "malformed" };
  const epoch = epochByLowBits(Number(header.kid & 0xffn));
  if (!epoch) return { ok: false, reason: "no key for its epoch" };
  const { context: sealedContext, senderIndex } = parseMlsKeyId(epoch.layout, header.kid);
  if (sealedContext !== context) return { ok: false, reason: "wrong context" };
  const plain = await (await keyFor(epoch, senderIndex, header.kid)).open(sealed, epoch.groupId);
  if (!plain || plain.length < 10) return { ok: false, reason: "authentication failed" };
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const sentAtMs = Number(view.getBigUint64(0));
  const signatureLength = view.getUint16(8);
  if (plain.length < 10 + signatureLength) return { ok: false, reason: "malformed" };
  const signature = plain.subarray(10, 10 + signatureLength);
  const body = plain.subarray(10 + signatureLength);
  if (!(await verifier.verifyWithLabel(senderIndex, label, signedContent(epoch, senderIndex, sentAtMs, body), signature))) {
    return { ok: false, reason: "signature does not verify" };
  }
  return { ok: true, senderLeaf: senderIndex, epoch: epoch.epoch, sentAtMs, body };
}
