import { test } from "node:test";
import assert from "node:assert/strict";
import { type ContentMessage, MAX_MANIFEST_FILES, MAX_POINT_NUMBERS, decodeContent, decodeManifest, encodeContent, encodeManifest } from "../src/content/messages";

const SHA = Buffer.alloc(32, 7).toString("base64");
const KEY = Buffer.alloc(32, 9).toString("base64");
const offer = {
  t: "share-offer",
  share: { shareId: "0123456789abcdef", kind: "pdf", name: "Hinge drawing rev. 7.pdf", mime: "application/pdf", key: KEY, file: { fileId: "a".repeat(32), bytes: 123_456, sha256: SHA } },
};
const target = { kind: "share", shareId: "0123456789abcdef", page: 2 };

const raw = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decoded = (value: unknown) => decodeContent(raw(value));

/** The value with one field replaced (a path of keys), as a malicious or buggy member might send it. */
function withField(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  if (replacement === undefined) delete at[path[path.length - 1]];
  else at[path[path.length - 1]] = replacement;
  return copy;
}

const valid: ContentMessage[] = [
  offer as ContentMessage,
  { ...offer, share: { ...offer.share, kind: "image", mime: "image/webp" } } as ContentMessage,
  { ...offer, share: { ...offer.share, kind: "dicom", mime: "application/dicom", name: "" } } as ContentMessage,
  { t: "share-withdraw", shareId: "0123456789abcdef" },
  { t: "view", shareId: null, page: 0 },
  { t: "view", shareId: "0123456789abcdef", page: 41, window: { center: -600.5, width: 1500 } },
  { t: "annotation", op: { op: "begin", strokeId: "fedcba9876543210", target: { kind: "share", shareId: "0123456789abcdef", page: 2 }, color: "#ff8800", width: 300, points: [0, 65535, 100, 200] } },
  { t: "annotation", op: { op: "points", strokeId: "fedcba9876543210", points: Array.from({ length: MAX_POINT_NUMBERS }, (_, i) => i) } },
  { t: "annotation", op: { op: "end", strokeId: "fedcba9876543210" } },
  { t: "annotation", op: { op: "undo", strokeId: "fedcba9876543210" } },
  { t: "annotation", op: { op: "clear", target: { kind: "screen", participantId: "p-7Yx" } } },
  { t: "annotation", op: { op: "pointer", target: { kind: "screen", participantId: "p-7Yx" }, x: 32768, y: 1 } },
  {
    t: "annotation",
    op: { op: "snapshot", target: { kind: "share", shareId: "0123456789abcdef", page: 0 }, strokes: [{ strokeId: "fedcba9876543210", color: "#00AA00", width: 10, points: [1, 2, 3, 4] }] },
  },
];

test("every kind of content message survives encoding and decoding unchanged", () => {
  for (const message of valid) assert.deepEqual(decodeContent(encodeContent(message)), message);
});

test("fields a message does not define are dropped when it is decoded", () => {
  const message = decoded({ t: "share-withdraw", shareId: "0123456789abcdef", html: "<img src=x>" });
  assert.deepEqual(message, { t: "share-withdraw", shareId: "0123456789abcdef" });
});

test("an unknown t or op decodes to undefined, as does anything that is not a UTF-8 JSON object", () => {
  assert.equal(decoded({ t: "poll", question: "?" }), undefined);
  assert.equal(decoded({ t: "annotation", op: { op: "erase", strokeId: "fedcba9876543210" } }), undefined);
  assert.equal(decoded([offer]), undefined);
  assert.equal(decoded(null), undefined);
  assert.equal(decodeContent(new TextEncoder().encode('{"t":"share-withdraw",')), undefined);
  assert.equal(decodeContent(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), undefined);
});

test("a share offer with any field of the wrong shape or out of bounds is refused", () => {
  const broken: [(string | number)[], unknown][] = [
    [["share", "shareId"], "0123456789ABCDEF"],
    [["share", "shareId"], "0123456789abcde"],
    [["share", "kind"], "video"],
    [["share", "name"], "x".repeat(256)],
    [["share", "name"], 7],
    [["share", "mime"], "image/png"],
    [["share", "mime"], undefined],
    [["share", "key"], Buffer.alloc(16).toString("base64")],
    [["share", "key"], KEY.replace("=", "")],
    [["share", "file", "fileId"], "A".repeat(32)],
    [["share", "file", "fileId"], "a".repeat(31)],
    [["share", "file", "bytes"], -1],
    [["share", "file", "bytes"], 1.5],
    [["share", "file", "bytes"], "12"],
    [["share", "file", "sha256"], Buffer.alloc(33).toString("base64")],
    [["share", "file"], null],
    [["share"], "0123456789abcdef"],
  ];
  assert.notEqual(decoded(withField(offer, ["share", "name"], "x".repeat(255))), undefined);
  for (const [path, value] of broken) assert.equal(decoded(withField(offer, path, value)), undefined, `${path.join(".")} = ${JSON.stringify(value)}`);
  const image = withField(withField(offer, ["share", "kind"], "image"), ["share", "mime"], "image/gif");
  assert.equal(decoded(image), undefined);
});

test("a view with a bad share id, page or window is refused", () => {
  for (const view of [
    { t: "view", shareId: "nope", page: 0 },
    { t: "view", page: 0 },
    { t: "view", shareId: null, page: -1 },
    { t: "view", shareId: null, page: 65536 },
    { t: "view", shareId: null, page: 0.5 },
    { t: "view", shareId: null, page: 0, window: { center: 40, width: 0 } },
    { t: "view", shareId: null, page: 0, window: { center: "40", width: 400 } },
    { t: "view", shareId: null, page: 0, window: [40, 400] },
  ]) {
    assert.equal(decoded(view), undefined, JSON.stringify(view));
  }
});

test("annotations are held to 16-bit integer coordinates, even point lists of at most 512 numbers, #rrggbb and 16-hex stroke ids", () => {
  const begin = { t: "annotation", op: { op: "begin", strokeId: "fedcba9876543210", target, color: "#ff8800", width: 300, points: [0, 1] } };
  assert.notEqual(decoded(begin), undefined);
  const broken: [(string | number)[], unknown][] = [
    [["op", "points"], [1, 2, 3]],
    [["op", "points"], [1, 65536]],
    [["op", "points"], [1, -1]],
    [["op", "points"], [1, 2.5]],
    [["op", "points"], ["1", 2]],
    [["op", "points"], Array.from({ length: MAX_POINT_NUMBERS + 2 }, () => 1)],
    [["op", "color"], "red"],
    [["op", "color"], "#ff88"],
    [["op", "width"], 70000],
    [["op", "strokeId"], "fedcba987654321g"],
    [["op", "target"], { kind: "share", shareId: "0123456789abcdef" }],
    [["op", "target"], { kind: "screen", participantId: "" }],
    [["op", "target"], { kind: "window", participantId: "p" }],
    [["op", "target"], undefined],
  ];
  for (const [path, value] of broken) assert.equal(decoded(withField(begin, path, value)), undefined, `${path.join(".")} = ${JSON.stringify(value)}`);
  assert.equal(decoded({ t: "annotation", op: { op: "pointer", target, x: 65536, y: 0 } }), undefined);
  assert.equal(decoded({ t: "annotation", op: { op: "end" } }), undefined);
});

test("a snapshot's strokes share the 512-number budget", () => {
  const stroke = (points: number) => ({ strokeId: "fedcba9876543210", color: "#000000", width: 1, points: Array.from({ length: points }, () => 5) });
  const snapshot = (strokes: unknown[]) => ({ t: "annotation", op: { op: "snapshot", target, strokes } });
  assert.notEqual(decoded(snapshot([stroke(256), stroke(256)])), undefined);
  assert.equal(decoded(snapshot([stroke(256), stroke(258)])), undefined);
  assert.equal(decoded(snapshot([{ ...stroke(2), color: "#12345g" }])), undefined);
  assert.equal(decoded(snapshot(Array.from({ length: 257 }, () => stroke(0)))), undefined);
});

test("encoding a message its receivers would drop throws instead of sending it", () => {
  assert.throws(() => encodeContent({ t: "view", shareId: null, page: -3 }), RangeError);
  assert.throws(() => encodeContent({ t: "annotation", op: { op: "pointer", target: { kind: "screen", participantId: "p" }, x: 1e6, y: 0 } }), RangeError);
});

test("a series manifest decodes to its file references in order, and one with no, too many or malformed files does not", () => {
  const ref = (n: number) => ({ fileId: n.toString(16).padStart(32, "0"), bytes: n, sha256: SHA });
  const files = [ref(3), ref(1), ref(2)];
  assert.deepEqual(decodeManifest(encodeManifest(files)), files);
  assert.equal(decodeManifest(encodeManifest([])), undefined);
  assert.equal(decodeManifest(encodeManifest(Array.from({ length: MAX_MANIFEST_FILES + 1 }, (_, i) => ref(i)))), undefined);
  assert.equal(decodeManifest(encodeManifest([ref(1), { ...ref(2), bytes: -2 }])), undefined);
  assert.equal(decodeManifest(raw({ slices: files })), undefined);
});
