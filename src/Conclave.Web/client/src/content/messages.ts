// Content messages (docs/content-sharing.md): what members say to each other about shared files,
// the stage view and annotations. Each travels as the body of a signed data message
// (e2ee/data-message.ts), so the appliance relays it without reading it; a message from a member
// is still checked field by field here, because any member can send anything.
import { StreamContext } from "../e2ee/sframe";

/** The SignWithLabel label of a content message (RFC 9420 §5.1.2): content cannot pass for chat, nor chat for content. */
export const CONTENT_SIGNATURE_LABEL = "Conclave content v1";

export interface FileRef {
  /** The appliance's id of the uploaded ciphertext: 32 lowercase hex. */
  fileId: string;
  /** The plaintext's length. */
  bytes: number;
  /** Base64 of the plaintext's SHA-256. */
  sha256: string;
}

export type ShareKind = "pdf" | "image" | "dicom";

export interface ShareOffer {
  /** 16 lowercase hex, chosen by the sharer. */
  shareId: string;
  kind: ShareKind;
  /** At most 255 characters; shown to people. */
  name: string;
  mime: string;
  /** Base64 of the 32-byte file key; every file of the share is sealed under it (docs/content-sharing.md). */
  key: string;
  /** pdf/image: the document; dicom: the series manifest ({"files": FileRef[]}, sealed like the slices). */
  file: FileRef;
}

export type ContentTarget = { kind: "share"; shareId: string; page: number } | { kind: "screen"; participantId: string };

export interface StrokeSnapshot {
  strokeId: string;
  color: string;
  width: number;
  points: number[];
}

export type AnnotationOp =
  | { op: "begin"; strokeId: string; target: ContentTarget; color: string; width: number; points: number[] }
  | { op: "points"; strokeId: string; points: number[] }
  | { op: "end"; strokeId: string }
  | { op: "undo"; strokeId: string }
  | { op: "clear"; target: ContentTarget }
  | { op: "pointer"; target: ContentTarget; x: number; y: number }
  | { op: "snapshot"; target: ContentTarget; strokes: StrokeSnapshot[] };

export type ContentMessage =
  | { t: "share-offer"; share: ShareOffer }
  | { t: "share-withdraw"; shareId: string }
  | { t: "view"; shareId: string | null; page: number; window?: { center: number; width: number } }
  | { t: "annotation"; op: AnnotationOp };

export const MAX_SHARE_NAME_CHARACTERS = 255;
/** Numbers (x and y each count) in one message's points: a stroke longer than this goes out in several `points` ops. */
export const MAX_POINT_NUMBERS = 512;
/** Coordinates and widths are normalised to the target and quantised to 16 bits. */
export const MAX_COORDINATE = 65535;
/** Pages and slices: far beyond any document a meeting shows, small enough to be an index. */
export const MAX_PAGE = 65535;
const MAX_PARTICIPANT_ID_CHARACTERS = 128;
/** Files in one DICOM series manifest: far beyond a CT or MR series, and the appliance's default per meeting. */
export const MAX_MANIFEST_FILES = 2000;

export const SHARE_MIME_TYPES: Readonly<Record<ShareKind, readonly string[]>> = {
  pdf: ["application/pdf"],
  image: ["image/png", "image/jpeg", "image/webp"],
  dicom: ["application/dicom"],
};

const SHARE_ID = /^[0-9a-f]{16}$/;
const FILE_ID = /^[0-9a-f]{32}$/;
const STROKE_ID = SHARE_ID;
const COLOR = /^#[0-9a-fA-F]{6}$/;
// Base64 of exactly 32 bytes: 43 characters and one '=' (RFC 4648 §4).
const BASE64_32 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

type Json = Record<string, unknown>;

/** Malformed input anywhere in a message: decodeContent turns it into undefined. */
class Malformed extends Error {}

function fail(): never {
  throw new Malformed();
}

function object(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : fail();
}

function matching(value: unknown, pattern: RegExp): string {
  return typeof value === "string" && pattern.test(value) ? value : fail();
}

function integer(value: unknown, max: number): number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= max ? value : fail();
}

function finite(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fail();
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T {
  return allowed.includes(value as T) ? (value as T) : fail();
}

function points(value: unknown, budget: { left: number }): number[] {
  if (!Array.isArray(value) || value.length % 2 !== 0 || value.length > budget.left) fail();
  budget.left -= value.length;
  return value.map((n) => integer(n, MAX_COORDINATE));
}

function fileRef(value: unknown): FileRef {
  const v = object(value);
  return { fileId: matching(v.fileId, FILE_ID), bytes: integer(v.bytes, Number.MAX_SAFE_INTEGER), sha256: matching(v.sha256, BASE64_32) };
}

function shareOffer(value: unknown): ShareOffer {
  const v = object(value);
  const kind = oneOf(v.kind, ["pdf", "image", "dicom"] as const);
  const name = typeof v.name === "string" && v.name.length <= MAX_SHARE_NAME_CHARACTERS ? v.name : fail();
  return {
    shareId: matching(v.shareId, SHARE_ID),
    kind,
    name,
    mime: oneOf(v.mime, SHARE_MIME_TYPES[kind]),
    key: matching(v.key, BASE64_32),
    file: fileRef(v.file),
  };
}

function target(value: unknown): ContentTarget {
  const v = object(value);
  switch (v.kind) {
    case "share":
      return { kind: "share", shareId: matching(v.shareId, SHARE_ID), page: integer(v.page, MAX_PAGE) };
    case "screen": {
      const id = v.participantId;
      if (typeof id !== "string" || id.length === 0 || id.length > MAX_PARTICIPANT_ID_CHARACTERS) fail();
      return { kind: "screen", participantId: id };
    }
    default:
      return fail();
  }
}

function stroke(value: unknown, budget: { left: number }): StrokeSnapshot {
  const v = object(value);
  return { strokeId: matching(v.strokeId, STROKE_ID), color: matching(v.color, COLOR), width: integer(v.width, MAX_COORDINATE), points: points(v.points, budget) };
}

/** An annotation op, or undefined for an op this build does not know (a newer peer's). */
function annotation(value: unknown): AnnotationOp | undefined {
  const v = object(value);
  const budget = { left: MAX_POINT_NUMBERS };
  switch (v.op) {
    case "begin": {
      const { strokeId, color, width, points: p } = stroke(v, budget);
      return { op: "begin", strokeId, target: target(v.target), color, width, points: p };
    }
    case "points":
      return { op: "points", strokeId: matching(v.strokeId, STROKE_ID), points: points(v.points, budget) };
    case "end":
    case "undo":
      return { op: v.op, strokeId: matching(v.strokeId, STROKE_ID) };
    case "clear":
      return { op: "clear", target: target(v.target) };
    case "pointer":
      return { op: "pointer", target: target(v.target), x: integer(v.x, MAX_COORDINATE), y: integer(v.y, MAX_COORDINATE) };
    case "snapshot": {
      // Each stroke costs at least its id: bound the count as well as the numbers.
      if (!Array.isArray(v.strokes) || v.strokes.length > MAX_POINT_NUMBERS / 2) fail();
      const t = target(v.target);
      return { op: "snapshot", target: t, strokes: v.strokes.map((s) => stroke(s, budget)) };
    }
    default:
      return undefined;
  }
}

function message(value: unknown): ContentMessage | undefined {
  const v = object(value);
  switch (v.t) {
    case "share-offer":
      return { t: "share-offer", share: shareOffer(v.share) };
    case "share-withdraw":
      return { t: "share-withdraw", shareId: matching(v.shareId, SHARE_ID) };
    case "view": {
      const shareId = v.shareId === null ? null : matching(v.shareId, SHARE_ID);
      const view: ContentMessage = { t: "view", shareId, page: integer(v.page, MAX_PAGE) };
      if (v.window !== undefined) {
        const w = object(v.window);
        const width = finite(w.width);
        if (width <= 0) fail();
        view.window = { center: finite(w.center), width };
      }
      return view;
    }
    case "annotation": {
      const op = annotation(v.op);
      return op === undefined ? undefined : { t: "annotation", op };
    }
    default:
      return undefined;
  }
}

/** A DICOM series' manifest, sealed and uploaded like its slices: the slices in the order shared. */
export function encodeManifest(files: FileRef[]): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify({ files }));
}

/** The manifest's files, or undefined when it is not a manifest of valid file references. */
export function decodeManifest(body: Uint8Array): FileRef[] | undefined {
  return decodeJson(body, (value) => {
    const v = object(value);
    if (!Array.isArray(v.files) || v.files.length === 0 || v.files.length > MAX_MANIFEST_FILES) fail();
    return v.files.map(fileRef);
  });
}

/** Annotations have their own stream context (and SFrame counter) apart from file offers and views. */
export function contentContext(message: ContentMessage): StreamContext {
  return message.t === "annotation" ? StreamContext.Annotation : StreamContext.FileOffer;
}

function decodeJson<T>(body: Uint8Array, read: (value: unknown) => T): T | undefined {
  try {
    return read(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)));
  } catch (e: unknown) {
    if (e instanceof Malformed || e instanceof SyntaxError || e instanceof TypeError) return undefined;
    throw e;
  }
}

/**
 * The message, rebuilt from its known fields only, or undefined when it is not valid UTF-8 JSON,
 * any field has the wrong type or is out of bounds, or its `t` or `op` is unknown.
 */
export function decodeContent(body: Uint8Array): ContentMessage | undefined {
  return decodeJson(body, message);
}

/** UTF-8 JSON of the message; throws a RangeError for one its receivers would drop as malformed. */
export function encodeContent(content: ContentMessage): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(content));
  if (decodeContent(body) === undefined) throw new RangeError(`not a valid content message (t: ${String(content.t)})`);
  return body;
}
