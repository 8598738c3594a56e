// Content messages (docs/content-sharing.md): the body of a signed data message.
export interface FileRef { fileId: string; bytes: number; sha256: string /* base64, of the plaintext */ }
export type ShareKind = "pdf" | "image" | "dicom";
export interface ShareOffer {
  shareId: string;          // 16 lowercase hex, chosen by the sharer
  kind: ShareKind;
  name: string;             // ≤ 255 characters; shown to people
  mime: string;             // pdf: application/pdf; image: image/png|image/jpeg|image/webp; dicom: application/dicom
  key: string;              // base64 of the 32-byte file key; every file of the share is sealed under it
  file: FileRef;            // pdf/image: the document; dicom: the series manifest (below)
}
// A DICOM series' manifest: a file sealed like the others, JSON {"files": FileRef[]} in slice order as shared.
export type ContentMessage =
  | { t: "share-offer"; share: ShareOffer }
  | { t: "share-withdraw"; shareId: string }
  | { t: "view"; shareId: string | null; page: number; window?: { center: number; width: number } }
  | { t: "annotation"; op: AnnotationOp };
export type ContentTarget = { kind: "share"; shareId: string; page: number } | { kind: "screen"; participantId: string };
export type AnnotationOp =
  | { op: "begin"; strokeId: string; target: ContentTarget; color: string; width: number; points: number[] }
  | { op: "points"; strokeId: string; points: number[] }
  | { op: "end"; strokeId: string }
  | { op: "undo"; strokeId: string }
  | { op: "clear"; target: ContentTarget }
  | { op: "pointer"; target: ContentTarget; x: number; y: number }
  | { op: "snapshot"; target: ContentTarget; strokes: { strokeId: string; color: string; width: number; points: number[] }[] };

export function encodeContent(message: ContentMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(message));
}

export function decodeContent(body: Uint8Array): ContentMessage | undefined {
  try {
    const message: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
    const t = (message as { t?: unknown } | null)?.t;
    return t === "share-offer" || t === "share-withdraw" || t === "view" || t === "annotation" ? (message as ContentMessage) : undefined;
  } catch {
    return undefined;
  }
}
