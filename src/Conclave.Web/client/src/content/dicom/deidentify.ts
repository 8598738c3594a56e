// De-identification before sharing: PS3.15 Annex E, the Basic Application Level Confidentiality Profile
// (Table E.1-1), applied at every nesting level, writing a new Part 10 file in the input's transfer syntax with
// the pixel data copied byte for byte. The actions chosen where the table offers several are in
// docs/content-sharing.md. DOM-free.

import { ContentRejected } from "../viewer";
import {
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_BIG_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN, JPIP_REFERENCED_DEFLATE,
  transferSyntaxLabel,
} from "./transfer-syntax";

/** X remove, Z zero length, U a new UID (the same new UID for the same old one across one call). */
type Action = "X" | "Z" | "U";

// Table E.1-1 rows, tag → action. Every odd (private) group, curve group (50xx) and overlay data/comments
// are removed as well (actionFor).
const ACTIONS = new Map<number, Action>([
  [0x00080012, "X"], [0x00080013, "X"], [0x00080014, "U"], [0x00080015, "X"], [0x00080018, "U"],
  [0x00080020, "Z"], [0x00080021, "X"], [0x00080022, "X"], [0x00080023, "Z"], [0x00080024, "X"],
  [0x00080025, "X"], [0x0008002a, "X"], [0x00080030, "Z"], [0x00080031, "X"], [0x00080032, "X"],
  [0x00080033, "Z"], [0x00080034, "X"], [0x00080035, "X"], [0x00080050, "Z"], [0x00080080, "X"],
  [0x00080081, "X"], [0x00080082, "X"], [0x00080090, "Z"], [0x00080092, "X"], [0x00080094, "X"],
  [0x00080096, "X"], [0x0008009c, "Z"], [0x0008009d, "X"], [0x00080201, "X"], [0x00081010, "X"],
  [0x00081030, "X"], [0x0008103e, "X"], [0x00081040, "X"], [0x00081041, "X"], [0x00081048, "X"],
  [0x00081049, "X"], [0x00081050, "X"], [0x00081052, "X"], [0x00081060, "X"], [0x00081062, "X"],
  [0x00081070, "X"], [0x00081072, "X"], [0x00081080, "X"], [0x00081084, "X"], [0x00081110, "X"],
  [0x00081111, "X"], [0x00081120, "X"], [0x00081155, "U"], [0x00081195, "U"], [0x00081250, "X"],
  [0x00082111, "X"], [0x00083010, "U"], [0x00084000, "X"],
  [0x00100010, "Z"], [0x00100020, "Z"], [0x00100021, "X"], [0x00100024, "X"], [0x00100030, "Z"],
  [0x00100032, "X"], [0x00100040, "Z"], [0x00100050, "X"], [0x00100101, "X"], [0x00100102, "X"],
  [0x00101000, "X"], [0x00101001, "X"], [0x00101002, "X"], [0x00101005, "X"], [0x00101010, "X"],
  [0x00101020, "X"], [0x00101030, "X"], [0x00101040, "X"], [0x00101050, "X"], [0x00101060, "X"],
  [0x00101080, "X"], [0x00101081, "X"], [0x00101090, "X"], [0x00101100, "X"], [0x00102000, "X"],
  [0x00102110, "X"], [0x00102150, "X"], [0x00102152, "X"], [0x00102154, "X"], [0x00102155, "X"],
  [0x00102160, "X"], [0x00102180, "X"], [0x001021a0, "X"], [0x001021b0, "X"], [0x001021c0, "X"],
  [0x001021d0, "X"], [0x001021f0, "X"], [0x00102203, "X"], [0x00102297, "X"], [0x00102299, "X"],
  [0x00104000, "X"],
  [0x00181000, "X"], [0x00181002, "U"], [0x00181004, "X"], [0x00181005, "X"], [0x00181007, "X"],
  [0x00181008, "X"], [0x00181030, "X"], [0x00181400, "X"], [0x00184000, "X"], [0x0018700a, "X"],
  [0x00189424, "X"], [0x0018a003, "X"],
  [0x0020000d, "U"], [0x0020000e, "U"], [0x00200010, "Z"], [0x00200052, "U"], [0x00200200, "U"],
  [0x00203401, "X"], [0x00203404, "X"], [0x00203406, "X"], [0x00204000, "X"], [0x00209158, "X"],
  [0x00209161, "U"], [0x00209164, "U"],
  [0x00281199, "U"], [0x00284000, "X"],
  [0x00320012, "X"], [0x00321020, "X"], [0x00321021, "X"], [0x00321030, "X"], [0x00321032, "X"],
  [0x00321033, "X"], [0x00321060, "X"], [0x00321070, "X"], [0x00324000, "X"],
  [0x00380004, "X"], [0x00380010, "X"], [0x00380011, "X"], [0x0038001e, "X"], [0x00380020, "X"],
  [0x00380021, "X"], [0x00380040, "X"], [0x00380050, "X"], [0x00380060, "X"], [0x00380300, "X"],
  [0x00380400, "X"], [0x00380500, "X"], [0x00381234, "X"], [0x00384000, "X"],
  [0x00400001, "X"], [0x00400002, "X"], [0x00400003, "X"], [0x00400004, "X"], [0x00400005, "X"],
  [0x00400006, "X"], [0x00400007, "X"], [0x00400009, "X"], [0x0040000b, "X"], [0x00400010, "X"],
  [0x00400011, "X"], [0x00400241, "X"], [0x00400242, "X"], [0x00400243, "X"], [0x00400244, "X"],
  [0x00400245, "X"], [0x00400250, "X"], [0x00400251, "X"], [0x00400253, "X"], [0x00400254, "X"],
  [0x00400275, "X"], [0x00400280, "X"], [0x00400555, "X"], [0x00401001, "X"], [0x00401004, "X"],
  [0x00401005, "X"], [0x00401010, "X"], [0x00401011, "X"], [0x00401102, "X"], [0x00401103, "X"],
  [0x00401400, "X"], [0x00402001, "X"], [0x00402008, "X"], [0x00402009, "X"], [0x00402010, "X"],
  [0x00402016, "Z"], [0x00402017, "Z"], [0x00402400, "X"], [0x00403001, "X"], [0x0040a027, "X"],
  [0x0040a073, "X"], [0x0040a075, "X"], [0x0040a078, "X"], [0x0040a123, "X"], [0x0040a124, "U"],
  [0x0040a730, "X"], [0x0040db0c, "U"], [0x0040db0d, "U"],
  [0x00700084, "Z"], [0x00700086, "X"], [0x00880140, "U"],
  [0x30060024, "U"], [0x300600c2, "U"],
  [0x04000100, "X"], [0x04000402, "X"], [0x04000403, "X"], [0x04000404, "X"], [0x04000550, "X"],
  [0x04000561, "X"], [0xfffafffa, "X"], [0xfffcfffc, "X"],
  // Written afresh below (attributesAdded), so any old value goes.
  [0x00120062, "X"], [0x00120063, "X"], [0x00120064, "X"], [0x00280303, "X"],
]);

const PATIENT_IDENTITY_REMOVED = 0x00120062;
const DEIDENTIFICATION_METHOD = 0x00120063;
const LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED = 0x00280303;
const BURNED_IN_ANNOTATION = 0x00280301;
const PIXEL_DATA = 0x7fe00010;
const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;
const UNDEFINED_LENGTH = 0xffffffff;
const MAX_NESTING = 16;

/** Ours, under the UUID-derived root of PS3.5 B.2: "2.25." + a fixed 128-bit number. */
const IMPLEMENTATION_CLASS_UID = "2.25.163473962981307497216146813429617563157";
const IMPLEMENTATION_VERSION_NAME = "CONCLAVE_DEID1";
const METHOD = "PS3.15 Annex E Basic Application Level Confidentiality Profile (Conclave)";

/** The attributes a de-identified file states about itself (PS3.15 E.1.1, PS3.3 C.7.6.1), in tag order. */
const attributesAdded: { tag: number; vr: string; value: string }[] = [
  { tag: PATIENT_IDENTITY_REMOVED, vr: "CS", value: "YES" },
  { tag: DEIDENTIFICATION_METHOD, vr: "LO", value: METHOD },
  { tag: LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, vr: "CS", value: "REMOVED" },
];

/** VRs with a 4-byte length after two reserved bytes in explicit VR (PS3.5 §7.1.2). */
const LONG_VRS = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]);

export function deidentify(file: ArrayBuffer): ArrayBuffer {
  return deidentifySeries([file])[0];
}

/**
 * De-identifies files that belong together: a UID seen in several of them (Study, Series, Frame of Reference,
 * a slice referenced by another) gets the same new UID in each, so the result is still one series. New UIDs
 * are random ("2.25." + 128 random bits), so two calls never link.
 */
export function deidentifySeries(files: ArrayBuffer[]): ArrayBuffer[] {
  const uids = new Map<string, string>();
  return files.map((file) => deidentifyOne(new Uint8Array(file), uids));
}

function deidentifyOne(bytes: Uint8Array, uids: Map<string, string>): ArrayBuffer {
  if (bytes.length < 132 || String.fromCharCode(bytes[128], bytes[129], bytes[130], bytes[131]) !== "DICM") {
    throw new ContentRejected("not a DICOM file (no DICM prefix after the 128-byte preamble, PS3.10 §7.1)");
  }
  const reader = new Reader(bytes);
  const meta = readFileMeta(reader);
  if (meta.transferSyntax === EXPLICIT_VR_BIG_ENDIAN || meta.transferSyntax === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN
    || meta.transferSyntax === JPIP_REFERENCED_DEFLATE) {
    throw new ContentRejected(`cannot de-identify transfer syntax ${transferSyntaxLabel(meta.transferSyntax)}`);
  }
  const explicit = meta.transferSyntax !== IMPLICIT_VR_LITTLE_ENDIAN;
  const body = new Writer();
  const context = new Context(uids, explicit);
  context.rewriteDataSet(reader, meta.end, bytes.length, body, 0, explicit);

  const metaBody = new Writer();
  metaBody.explicitElement(0x00020001, "OB", new Uint8Array([0, 1]));
  metaBody.explicitString(0x00020002, "UI", meta.sopClassUid);
  metaBody.explicitString(0x00020003, "UI", context.newUid(meta.sopInstanceUid));
  metaBody.explicitString(0x00020010, "UI", meta.transferSyntax);
  metaBody.explicitString(0x00020012, "UI", IMPLEMENTATION_CLASS_UID);
  metaBody.explicitString(0x00020013, "SH", IMPLEMENTATION_VERSION_NAME);
  const metaBytes = metaBody.bytes();

  const out = new Writer();
  out.raw(new Uint8Array(128));    // the preamble is zeroed: it may hold anything (PS3.10 §7.5)
  out.raw(new Uint8Array([0x44, 0x49, 0x43, 0x4d]));
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, metaBytes.length, true);
  out.explicitElement(0x00020000, "UL", groupLength);
  out.raw(metaBytes);
  out.raw(body.bytes());
  return out.bytes().buffer;
}

interface FileMeta { end: number; sopClassUid: string; sopInstanceUid: string; transferSyntax: string }

/** The file meta information (PS3.10 §7.1): explicit VR little endian, group 0002, its length first. */
function readFileMeta(reader: Reader): FileMeta {
  const first = reader.header(132, true);
  if (first.tag !== 0x00020000 || first.length !== 4) throw corrupt("the file meta information has no group length");
  const end = first.valueStart + 4 + reader.uint32(first.valueStart);
  let sopClassUid = "";
  let sopInstanceUid = "";
  let transferSyntax = "";
  for (let at = first.valueStart + 4; at < end;) {
    const element = reader.header(at, true);
    if (element.length === UNDEFINED_LENGTH) throw corrupt("an undefined length in the file meta information");
    const value = reader.text(element.valueStart, element.length);
    if (element.tag === 0x00020002) sopClassUid = value;
    else if (element.tag === 0x00020003) sopInstanceUid = value;
    else if (element.tag === 0x00020010) transferSyntax = value;
    at = element.valueStart + element.length;
  }
  if (transferSyntax === "") throw corrupt("no Transfer Syntax UID (0002,0010)");
  return { end, sopClassUid, sopInstanceUid, transferSyntax };
}

class Context {
  constructor(private readonly uids: Map<string, string>, private readonly explicitTop: boolean) {}

  /** One data set (the top level, or an item) from start up to end or an Item Delimitation; returns where it stopped. */
  rewriteDataSet(reader: Reader, start: number, end: number, out: Writer, depth: number, explicit: boolean): number {
    if (depth > MAX_NESTING) throw corrupt("sequences nested too deep");
    const pending = depth === 0 ? [...attributesAdded] : [];
    let at = start;
    while (at < end) {
      const element = reader.header(at, explicit);
      if (element.tag === ITEM_DELIMITATION) {
        at = element.valueStart;
        break;
      }
      while (pending.length > 0 && pending[0].tag < element.tag) this.writeAdded(out, pending.shift()!);
      at = this.rewriteElement(reader, element, out, depth, explicit);
    }
    for (const added of pending) this.writeAdded(out, added);
    return at;
  }

  newUid(old: string): string {
    let mapped = this.uids.get(old);
    if (mapped === undefined) {
      const random = crypto.getRandomValues(new Uint8Array(16));
      let value = 0n;
      for (const byte of random) value = (value << 8n) | BigInt(byte);
      mapped = `2.25.${value}`;
      this.uids.set(old, mapped);
    }
    return mapped;
  }

  private writeAdded(out: Writer, added: { tag: number; vr: string; value: string }): void {
    if (this.explicitTop) out.explicitString(added.tag, added.vr, added.value);
    else out.implicitString(added.tag, added.value);
  }

  /** Writes (or drops) one element; returns the offset after it in the input. */
  private rewriteElement(reader: Reader, element: ElementHeader, out: Writer, depth: number, explicit: boolean): number {
    const { tag, vr, valueStart, length } = element;
    const undefinedLength = length === UNDEFINED_LENGTH;
    const isSequence = vr === "SQ" || (undefinedLength && tag !== PIXEL_DATA)
      || (!explicit && !undefinedLength && reader.looksLikeItem(valueStart, length));
    // UN with an undefined length holds an implicit VR little endian sequence (PS3.5 §6.2.2).
    const inner = explicit && vr !== "UN";
    const end = undefinedLength ? this.skipUndefined(reader, valueStart, tag === PIXEL_DATA, depth, inner)
      : reader.checkedEnd(valueStart, length);
    const action = actionFor(tag);
    if (action === "X") return end;
    if (action === "Z") {
      if (explicit) out.explicitElement(tag, vr, new Uint8Array(0));
      else out.implicitElement(tag, new Uint8Array(0));
      return end;
    }
    if (action === "U") {
      const value = reader.text(valueStart, length).split("\\").map((uid) => (uid === "" ? "" : this.newUid(uid))).join("\\");
      if (explicit) out.explicitString(tag, vr ?? "UI", value);
      else out.implicitString(tag, value);
      return end;
    }
    if (tag === BURNED_IN_ANNOTATION && reader.text(valueStart, length) === "YES") {
      throw new ContentRejected("the image has burned-in annotation (0028,0301 YES): identifying text is in the pixels themselves");
    }
    if (isSequence) {
      out.sequenceStart(tag, explicit ? vr : undefined);
      this.rewriteItems(reader, valueStart, end, out, depth, inner);
      out.sequenceEnd();
      return end;
    }
    out.raw(reader.bytes.subarray(element.headerStart, end));   // kept as is: pixel data, fragments and all
    return end;
  }

  private rewriteItems(reader: Reader, start: number, end: number, out: Writer, depth: number, explicit: boolean): void {
    let at = start;
    while (at < end) {
      const item = reader.header(at, explicit, true);
      if (item.tag === SEQUENCE_DELIMITATION) return;
      if (item.tag !== ITEM) throw corrupt("a sequence holds something other than items");
      out.itemStart();
      if (item.length === UNDEFINED_LENGTH) {
        at = this.rewriteDataSet(reader, item.valueStart, end, out, depth + 1, explicit);
      } else {
        const itemEnd = reader.checkedEnd(item.valueStart, item.length);
        this.rewriteDataSet(reader, item.valueStart, itemEnd, out, depth + 1, explicit);
        at = itemEnd;
      }
      out.itemEnd();
    }
  }

  /** The end of an undefined-length value: items (nested sequences inside them) up to the Sequence Delimitation. */
  private skipUndefined(reader: Reader, start: number, fragments: boolean, depth: number, explicit: boolean): number {
    if (depth > MAX_NESTING) throw corrupt("sequences nested too deep");
    let at = start;
    for (;;) {
      const item = reader.header(at, explicit, true);
      if (item.tag === SEQUENCE_DELIMITATION) return item.valueStart;
      if (item.tag !== ITEM) throw corrupt("an undefined-length value holds something other than items");
      if (item.length !== UNDEFINED_LENGTH) {
        at = reader.checkedEnd(item.valueStart, item.length);
        continue;
      }
      if (fragments) throw corrupt("a pixel data fragment of undefined length");
      at = this.skipItemBody(reader, item.valueStart, depth + 1, explicit);
    }
  }

  /** Walks an undefined-length item's elements to just after its Item Delimitation. */
  private skipItemBody(reader: Reader, start: number, depth: number, explicit: boolean): number {
    let at = start;
    for (;;) {
      const element = reader.header(at, explicit);
      if (element.tag === ITEM_DELIMITATION) return element.valueStart;
      at = element.length === UNDEFINED_LENGTH
        ? this.skipUndefined(reader, element.valueStart, false, depth, explicit && element.vr !== "UN")
        : reader.checkedEnd(element.valueStart, element.length);
    }
  }
}

function actionFor(tag: number): Action | undefined {
  const group = tag >>> 16;
  if ((group & 1) === 1) return "X";                                        // private attributes
  if ((group & 0xff00) === 0x5000) return "X";                              // curve data (retired)
  if ((group & 0xff00) === 0x6000 && ((tag & 0xffff) === 0x3000 || (tag & 0xffff) === 0x4000)) return "X";  // overlay data, comments
  if (group === 0x0002) return "X";                                         // file meta inside the data set: not allowed
  return ACTIONS.get(tag);
}

interface ElementHeader { tag: number; vr: string | undefined; headerStart: number; valueStart: number; length: number }

/** Bounds-checked little-endian reading of element headers; running off the end is ContentRejected. */
class Reader {
  readonly view: DataView;
  readonly length: number;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    this.length = bytes.length;
  }

  tag(at: number): number {
    this.checkedEnd(at, 4);
    return ((this.view.getUint16(at, true) << 16) | this.view.getUint16(at + 2, true)) >>> 0;
  }

  uint32(at: number): number {
    this.checkedEnd(at, 4);
    return this.view.getUint32(at, true);
  }

  header(at: number, explicit: boolean, itemOnly = false): ElementHeader {
    const tag = this.tag(at);
    if (itemOnly || tag >>> 16 === 0xfffe || !explicit) {
      return { tag, vr: undefined, headerStart: at, valueStart: this.checkedEnd(at, 8), length: this.uint32(at + 4) };
    }
    this.checkedEnd(at, 8);
    const vr = String.fromCharCode(this.bytes[at + 4], this.bytes[at + 5]);
    if (!/^[A-Z]{2}$/.test(vr)) throw corrupt("an element without a value representation in explicit VR");
    if (LONG_VRS.has(vr)) {
      return { tag, vr, headerStart: at, valueStart: this.checkedEnd(at, 12), length: this.uint32(at + 8) };
    }
    return { tag, vr, headerStart: at, valueStart: at + 8, length: this.view.getUint16(at + 6, true) };
  }

  checkedEnd(at: number, length: number): number {
    if (length < 0 || at + length > this.length) throw corrupt("an element runs past the end of the file");
    return at + length;
  }

  text(at: number, length: number): string {
    const end = this.checkedEnd(at, length);
    let value = "";
    for (let i = at; i < end; i++) value += String.fromCharCode(this.bytes[i]);
    return value.replace(/[\0 ]+$/, "").trim();
  }

  /** A defined-length implicit VR value that starts with an item tag is a sequence (PS3.5 §7.5). */
  looksLikeItem(at: number, length: number): boolean {
    return length >= 8 && at + 4 <= this.length && this.tag(at) === ITEM;
  }

}

/** Output built as a list of chunks, joined once. */
class Writer {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  raw(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  explicitElement(tag: number, vr: string | undefined, value: Uint8Array): void {
    const header = new Uint8Array(vr !== undefined && LONG_VRS.has(vr) ? 12 : 8);
    const view = new DataView(header.buffer);
    writeTag(view, tag);
    header[4] = (vr ?? "UN").charCodeAt(0);
    header[5] = (vr ?? "UN").charCodeAt(1);
    if (header.length === 12) view.setUint32(8, value.length, true);
    else view.setUint16(6, value.length, true);
    this.raw(header);
    this.raw(value);
  }

  implicitElement(tag: number, value: Uint8Array): void {
    const header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    writeTag(view, tag);
    view.setUint32(4, value.length, true);
    this.raw(header);
    this.raw(value);
  }

  explicitString(tag: number, vr: string, value: string): void {
    this.explicitElement(tag, vr, padded(value, vr === "UI" ? 0 : 0x20));
  }

  implicitString(tag: number, value: string): void {
    // Only UIDs and plain ASCII texts are written here: UIDs pad with NUL, the rest with a space.
    this.implicitElement(tag, padded(value, /^[0-9.\\]*$/.test(value) ? 0 : 0x20));
  }

  /** Sequences and items are written with undefined lengths and delimiters (PS3.5 §7.5.1): no lengths to redo. */
  sequenceStart(tag: number, vr: string | undefined): void {
    const header = new Uint8Array(vr === undefined ? 8 : 12);
    const view = new DataView(header.buffer);
    writeTag(view, tag);
    if (vr !== undefined) {
      header[4] = vr.charCodeAt(0);
      header[5] = vr.charCodeAt(1);
      view.setUint32(8, UNDEFINED_LENGTH, true);
    } else {
      view.setUint32(4, UNDEFINED_LENGTH, true);
    }
    this.raw(header);
  }

  sequenceEnd(): void {
    this.marker(SEQUENCE_DELIMITATION, 0);
  }

  itemStart(): void {
    this.marker(ITEM, UNDEFINED_LENGTH);
  }

  itemEnd(): void {
    this.marker(ITEM_DELIMITATION, 0);
  }

  bytes(): Uint8Array<ArrayBuffer> {
    const joined = new Uint8Array(this.size);
    let at = 0;
    for (const chunk of this.chunks) {
      joined.set(chunk, at);
      at += chunk.length;
    }
    return joined;
  }

  private marker(tag: number, length: number): void {
    const header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    writeTag(view, tag);
    view.setUint32(4, length, true);
    this.raw(header);
  }
}

function writeTag(view: DataView, tag: number): void {
  view.setUint16(0, tag >>> 16, true);
  view.setUint16(2, tag & 0xffff, true);
}

/** ASCII bytes padded to an even length (PS3.5 §6.2). */
function padded(value: string, pad: number): Uint8Array {
  const bytes = new Uint8Array(value.length + (value.length & 1));
  for (let i = 0; i < value.length; i++) bytes[i] = value.charCodeAt(i) & 0x7f;
  if (value.length & 1) bytes[value.length] = pad;
  return bytes;
}

function corrupt(detail: string): ContentRejected {
  return new ContentRejected(`corrupt DICOM file: ${detail}`);
}
