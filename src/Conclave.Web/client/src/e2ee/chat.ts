// Chat, end to end encrypted under the MLS group (docs/e2ee.md): a signed data message
// (data-message.ts) with the chat stream context whose body is the line's UTF-8 text — a forged
// line in someone's name matters, so every line carries its author's MLS signature.
import { type DataEpoch, type DataSigner, openSignedData, sealSignedData } from "./data-message";
import { StreamContext } from "./sframe";

const SIGNATURE_LABEL = "Conclave chat v1";
export const CHAT_MAX_CHARACTERS = 4000;

export interface ChatLine {
  senderLeaf: number;
  epoch: bigint;
  sentAtMs: number;
  text: string;
}

/** Seals one line: SFrame(sentAtMs u64 ‖ signature length u16 ‖ signature ‖ UTF-8 text), metadata = group id. */
export function sealChat(epoch: DataEpoch, ctr: bigint, signer: DataSigner, text: string, sentAtMs: number): Promise<Uint8Array> {
  return sealSignedData(epoch, ctr, signer, StreamContext.Chat, SIGNATURE_LABEL, new TextEncoder().encode(text), sentAtMs);
}

/** The line, or a reason it is not shown: unknown epoch, not chat, failed authentication, bad signature. */
export async function openChat(
  sealed: Uint8Array,
  epochByLowBits: (epochLowBits: number) => DataEpoch | undefined,
  verifier: DataSigner,
): Promise<{ ok: true; line: ChatLine } | { ok: false; reason: string }> {
  const opened = await openSignedData(sealed, epochByLowBits, verifier, StreamContext.Chat, SIGNATURE_LABEL);
  if (!opened.ok) return opened;
  const text = new TextDecoder("utf-8", { fatal: false }).decode(opened.body).slice(0, CHAT_MAX_CHARACTERS);
  return { ok: true, line: { senderLeaf: opened.senderLeaf, epoch: opened.epoch, sentAtMs: opened.sentAtMs, text } };
}
