// Small PDFs written byte by byte for the viewer tests (ISO 32000-1 §7.5: header, numbered
// objects, a cross-reference table with each object's byte offset, trailer): one line of
// Helvetica text per page at a known place, optionally encrypted with the standard security
// handler, revision 2 (§7.6.3, Algorithms 2, 3 and 4: 40-bit RC4 keyed from MD5).
import { createHash } from "node:crypto";

export interface PdfSpec {
  /** One text line per page, drawn at (72, 700) in 24-point Helvetica on a US Letter page. */
  pageTexts: string[];
  /** Encrypt under this user password (§7.6.3.3); the owner password is the same. */
  userPassword?: string;
  /** An image XObject drawn on the first page into the rectangle at (x, y) of width × height points. */
  image?: PdfImage;
}

export interface PdfImage {
  /** The image dictionary's entries besides /Type, /Subtype and /Length, e.g. "/Width 16 /Height 8 …". */
  dictionary: string;
  data: Uint8Array;
  x: number; y: number; width: number; height: number;
}

/** Where each page's line is: PDF user space, origin bottom left, on a 612 × 792 page. */
export const TEXT_ORIGIN = { x: 72, y: 700, fontSize: 24, pageWidth: 612, pageHeight: 792 } as const;

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function md5(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("md5");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  const s = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i] + key[i % key.length]) & 0xff;
    [s[i], s[j]] = [s[j], s[i]];
  }
  const out = new Uint8Array(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]) & 0xff;
    [s[i], s[j]] = [s[j], s[i]];
    out[n] = data[n] ^ s[(s[i] + s[j]) & 0xff];
  }
  return out;
}

/** §7.6.3.3 Algorithm 2's padding string. */
const PASSWORD_PAD = Uint8Array.from([
  0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e, 0x56, 0xff, 0xfa, 0x01, 0x08,
  0x2e, 0x2e, 0x00, 0xb6, 0xd0, 0x68, 0x3e, 0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
]);

const padPassword = (password: string) => concat([latin1(password), PASSWORD_PAD]).subarray(0, 32);
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

interface Encryption { fileKey: Uint8Array; dictionary: string }

function standardSecurityR2(password: string, fileId: Uint8Array): Encryption {
  const permissions = -4; // every permission bit set (Table 22), bits 1–2 clear
  const owner = rc4(md5(padPassword(password)).subarray(0, 5), padPassword(password)); // Algorithm 3
  const p = new Uint8Array(4);
  new DataView(p.buffer).setInt32(0, permissions, true);
  const fileKey = md5(padPassword(password), owner, p, fileId).subarray(0, 5); // Algorithm 2
  const user = rc4(fileKey, PASSWORD_PAD); // Algorithm 4
  return {
    fileKey,
    dictionary: `<< /Filter /Standard /V 1 /R 2 /O <${hex(owner)}> /U <${hex(user)}> /P ${permissions} >>`,
  };
}

/** §7.6.2 Algorithm 1: each string and stream is RC4 under MD5(file key ‖ object number ‖ generation). */
function objectKey(fileKey: Uint8Array, objectNumber: number): Uint8Array {
  const suffix = Uint8Array.of(objectNumber & 0xff, (objectNumber >> 8) & 0xff, (objectNumber >> 16) & 0xff, 0, 0);
  return md5(fileKey, suffix).subarray(0, Math.min(fileKey.length + 5, 16));
}

/** A complete PDF file with one text line per page. */
export function makePdf(spec: PdfSpec): Uint8Array {
  const pageCount = spec.pageTexts.length;
  // 1 catalog, 2 page tree, 3 font, then per page: the page, its content stream.
  const fileId = md5(latin1(spec.pageTexts.join("\n")));
  const encryption = spec.userPassword === undefined ? undefined : standardSecurityR2(spec.userPassword, fileId);
  const objects: Uint8Array[] = [];
  const pageRefs = spec.pageTexts.map((_, i) => `${4 + 2 * i} 0 R`).join(" ");
  objects.push(latin1("<< /Type /Catalog /Pages 2 0 R >>"));
  objects.push(latin1(`<< /Type /Pages /Kids [${pageRefs}] /Count ${pageCount} >>`));
  objects.push(latin1("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"));
  const imageNumber = 4 + 2 * pageCount;
  spec.pageTexts.forEach((text, i) => {
    const contentNumber = 5 + 2 * i;
    const image = i === 0 ? spec.image : undefined;
    const xObject = image ? ` /XObject << /Im1 ${imageNumber} 0 R >>` : "";
    objects.push(latin1(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${TEXT_ORIGIN.pageWidth} ${TEXT_ORIGIN.pageHeight}] ` +
      `/Resources << /Font << /F1 3 0 R >>${xObject} >> /Contents ${contentNumber} 0 R >>`));
    const escaped = text.replace(/[\\()]/g, (c) => `\\${c}`);
    const drawImage = image ? `q ${image.width} 0 0 ${image.height} ${image.x} ${image.y} cm /Im1 Do Q\n` : "";
    let content: Uint8Array = latin1(`${drawImage}BT /F1 ${TEXT_ORIGIN.fontSize} Tf ${TEXT_ORIGIN.x} ${TEXT_ORIGIN.y} Td (${escaped}) Tj ET\n`);
    if (encryption) content = rc4(objectKey(encryption.fileKey, contentNumber), content);
    objects.push(concat([latin1(`<< /Length ${content.length} >>\nstream\n`), content, latin1("\nendstream")]));
  });
  if (spec.image) {
    let data = spec.image.data;
    if (encryption) data = rc4(objectKey(encryption.fileKey, imageNumber), data);
    objects.push(concat([latin1(`<< /Type /XObject /Subtype /Image ${spec.image.dictionary} /Length ${data.length} >>\nstream\n`), data,
      latin1("\nendstream")]));
  }
  if (encryption) objects.push(latin1(encryption.dictionary));

  const parts: Uint8Array[] = [latin1("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")];
  const offsets: number[] = [];
  let length = parts[0].length;
  objects.forEach((body, i) => {
    offsets.push(length);
    const object = concat([latin1(`${i + 1} 0 obj\n`), body, latin1("\nendobj\n")]);
    parts.push(object);
    length += object.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, "0000000000 65535 f \n",
    ...offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`)].join("");
  const encrypt = encryption ? ` /Encrypt ${objects.length} 0 R` : "";
  parts.push(latin1(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${encrypt} /ID [<${hex(fileId)}> <${hex(fileId)}>] >>\n` +
    `startxref\n${length}\n%%EOF\n`));
  return concat(parts);
}
