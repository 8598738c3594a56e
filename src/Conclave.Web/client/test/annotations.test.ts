import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AnnotationBoard, BATCH_INTERVAL_MS, MAX_POINTS_PER_AUTHOR, MAX_POINTS_PER_STROKE, MAX_STROKES_PER_TARGET,
  POINTER_SHOWN_MS, StrokeBatcher, drawAnnotations, quantise, type BatchClock,
} from "../src/content/annotations";
import { type AnnotationOp, type ContentTarget, MAX_POINT_NUMBERS } from "../src/content/messages";
import { nodeCanvas } from "./support/node-viewers";

const PAGE_0: ContentTarget = { kind: "share", shareId: "00112233445566aa", page: 0 };
const PAGE_1: ContentTarget = { kind: "share", shareId: "00112233445566aa", page: 1 };
const SCREEN: ContentTarget = { kind: "screen", participantId: "p-bob" };
const ALICE = "p-alice";
const BOB = "p-bob";
const MALLORY = "p-mallory";

let nextId = 0;
const strokeId = () => (nextId++).toString(16).padStart(16, "0");

function begin(id: string, target: ContentTarget = PAGE_0, points = [100, 200, 300, 400]): AnnotationOp {
  return { op: "begin", strokeId: id, target, color: "#ff0000", width: 500, points };
}

function ids(board: AnnotationBoard, target: ContentTarget = PAGE_0): string[] {
  return board.strokes(target).map((s) => s.strokeId);
}

test("a stroke's points, end and undo apply from its author, and from anyone else are dropped and counted as forged", () => {
  const board = new AnnotationBoard();
  const id = strokeId();
  assert.ok(board.apply(begin(id), ALICE));
  assert.equal(board.apply({ op: "points", strokeId: id, points: [1, 2] }, MALLORY), false);
  assert.equal(board.apply({ op: "end", strokeId: id }, MALLORY), false);
  assert.equal(board.apply({ op: "undo", strokeId: id }, MALLORY), false);
  assert.equal(board.dropped.forged, 3);
  const [stroke] = board.strokes(PAGE_0);
  assert.deepEqual(Array.from(stroke.points), [100, 200, 300, 400]);
  assert.equal(stroke.complete, false);
  assert.equal(stroke.author, ALICE);

  assert.ok(board.apply({ op: "points", strokeId: id, points: [500, 600] }, ALICE));
  assert.ok(board.apply({ op: "end", strokeId: id }, ALICE));
  assert.deepEqual(Array.from(board.strokes(PAGE_0)[0].points), [100, 200, 300, 400, 500, 600]);
  assert.equal(board.strokes(PAGE_0)[0].complete, true);
  assert.equal(board.apply({ op: "points", strokeId: id, points: [7, 8] }, ALICE), false, "no points after end");
  assert.equal(board.dropped.malformed, 1);
  assert.ok(board.apply({ op: "undo", strokeId: id }, ALICE));
  assert.deepEqual(ids(board), []);
});

test("undo removes only the undoer's own stroke", () => {
  const board = new AnnotationBoard();
  const alices = strokeId();
  const bobs = strokeId();
  board.apply(begin(alices), ALICE);
  board.apply(begin(bobs), BOB);
  assert.equal(board.apply({ op: "undo", strokeId: alices }, BOB), false);
  assert.ok(board.apply({ op: "undo", strokeId: bobs }, BOB));
  assert.deepEqual(ids(board), [alices]);
  assert.equal(board.dropped.forged, 1);
});

test("a begin reusing another member's stroke id is dropped as forged; its author re-sending it starts it over", () => {
  const board = new AnnotationBoard();
  const id = strokeId();
  board.apply(begin(id), ALICE);
  assert.equal(board.apply(begin(id, PAGE_0, [9, 9]), MALLORY), false);
  assert.equal(board.dropped.forged, 1);
  assert.ok(board.apply(begin(id, PAGE_0, [1, 1, 2, 2]), ALICE));
  assert.deepEqual(board.strokes(PAGE_0).map((s) => [s.author, Array.from(s.points)]), [[ALICE, [1, 1, 2, 2]]]);
});

test("ops for a stroke the board does not have are dropped and counted", () => {
  const board = new AnnotationBoard();
  assert.equal(board.apply({ op: "points", strokeId: strokeId(), points: [1, 2] }, ALICE), false);
  assert.equal(board.apply({ op: "end", strokeId: strokeId() }, ALICE), false);
  assert.equal(board.dropped.unknownStroke, 2);
});

test("malformed ops are dropped: coordinates outside 16 bits, odd or over-long points, bad ids, colours, widths and targets", () => {
  const board = new AnnotationBoard();
  const bad: AnnotationOp[] = [
    begin(strokeId(), PAGE_0, [0, 65536]),
    begin(strokeId(), PAGE_0, [1, 2, 3]),
    begin(strokeId(), PAGE_0, new Array(MAX_POINT_NUMBERS + 2).fill(1)),
    begin(strokeId(), PAGE_0, [1.5, 2]),
    begin("XYZ"),
    { ...begin(strokeId()), color: "red" } as AnnotationOp,
    { ...begin(strokeId()), width: 0 } as AnnotationOp,
    begin(strokeId(), { kind: "share", shareId: "00112233445566aa", page: -1 }),
    begin(strokeId(), { kind: "screen", participantId: "" }),
    { op: "pointer", target: PAGE_0, x: 70000, y: 1 },
    { op: "erase", strokeId: strokeId() } as unknown as AnnotationOp,
  ];
  for (const op of bad) assert.equal(board.apply(op, ALICE), false, JSON.stringify(op).slice(0, 80));
  assert.equal(board.dropped.malformed, bad.length);
  assert.ok(board.apply(begin(strokeId(), PAGE_0, new Array(MAX_POINT_NUMBERS).fill(65535)), ALICE), "512 numbers of 65535 are fine");
});

test("a snapshot replaces only its sender's strokes on its target; others' strokes and the sender's on other targets stay", () => {
  const board = new AnnotationBoard();
  const [a1, a2, b1, aOther] = [strokeId(), strokeId(), strokeId(), strokeId()];
  board.apply(begin(a1), ALICE);
  board.apply(begin(b1), BOB);
  board.apply(begin(a2), ALICE);
  board.apply(begin(aOther, PAGE_1), ALICE);
  const fresh = strokeId();
  assert.ok(board.apply({ op: "snapshot", target: PAGE_0, strokes: [
    { strokeId: a2, color: "#00ff00", width: 100, points: [5, 5, 6, 6] },
    { strokeId: fresh, color: "#0000ff", width: 100, points: [7, 7] },
  ] }, ALICE));
  assert.deepEqual(board.strokes(PAGE_0).map((s) => [s.strokeId, s.author, s.color, s.complete]),
    [[b1, BOB, "#ff0000", false], [a2, ALICE, "#00ff00", true], [fresh, ALICE, "#0000ff", true]]);
  assert.deepEqual(ids(board, PAGE_1), [aOther]);
  assert.ok(board.apply({ op: "snapshot", target: PAGE_0, strokes: [] }, ALICE), "an empty snapshot clears the sender's strokes there");
  assert.deepEqual(ids(board), [b1]);
});

test("a snapshot claiming another member's stroke id is dropped whole as forged", () => {
  const board = new AnnotationBoard();
  const [mine, bobs] = [strokeId(), strokeId()];
  board.apply(begin(mine), MALLORY);
  board.apply(begin(bobs), BOB);
  assert.equal(board.apply({ op: "snapshot", target: PAGE_0, strokes: [{ strokeId: bobs, color: "#000000", width: 1, points: [] }] }, MALLORY), false);
  assert.equal(board.dropped.forged, 1);
  assert.deepEqual(board.strokes(PAGE_0).map((s) => [s.strokeId, s.author]), [[mine, MALLORY], [bobs, BOB]]);
});

test("a snapshot over 512 numbers in all is dropped as malformed", () => {
  const board = new AnnotationBoard();
  const half = new Array(MAX_POINT_NUMBERS / 2 + 2).fill(3);
  const strokes = [strokeId(), strokeId()].map((id) => ({ strokeId: id, color: "#000000", width: 1, points: half }));
  assert.equal(board.apply({ op: "snapshot", target: PAGE_0, strokes }, ALICE), false);
  assert.equal(board.dropped.malformed, 1);
});

test("clear removes every stroke on its target, whoever drew it, and none elsewhere", () => {
  const board = new AnnotationBoard();
  const kept = strokeId();
  board.apply(begin(strokeId()), ALICE);
  board.apply(begin(strokeId()), BOB);
  board.apply(begin(kept, SCREEN), ALICE);
  assert.ok(board.apply({ op: "clear", target: PAGE_0 }, BOB));
  assert.deepEqual(ids(board), []);
  assert.deepEqual(ids(board, SCREEN), [kept]);
});

test("withdrawing a share drops its strokes on every page", () => {
  const board = new AnnotationBoard();
  const onScreen = strokeId();
  board.apply(begin(strokeId(), PAGE_0), ALICE);
  board.apply(begin(strokeId(), PAGE_1), BOB);
  board.apply(begin(onScreen, SCREEN), BOB);
  board.dropShare(PAGE_0.kind === "share" ? PAGE_0.shareId : "");
  assert.deepEqual([ids(board, PAGE_0), ids(board, PAGE_1), ids(board, SCREEN)], [[], [], [onScreen]]);
});

test("each member shows one pointer, at its latest place and target, until it has not moved for 3 s", () => {
  let now = 1_000;
  const board = new AnnotationBoard(() => now);
  board.apply({ op: "pointer", target: PAGE_0, x: 10, y: 20 }, ALICE);
  board.apply({ op: "pointer", target: PAGE_0, x: 30, y: 40 }, BOB);
  board.apply({ op: "pointer", target: PAGE_0, x: 50, y: 60 }, ALICE);
  assert.deepEqual(board.pointers(PAGE_0), [{ author: ALICE, x: 50, y: 60 }, { author: BOB, x: 30, y: 40 }]);
  now += 1_000;
  board.apply({ op: "pointer", target: PAGE_1, x: 1, y: 2 }, BOB);
  assert.deepEqual(board.pointers(PAGE_0), [{ author: ALICE, x: 50, y: 60 }]);
  now += POINTER_SHOWN_MS - 1_000 + 1;
  assert.deepEqual(board.pointers(PAGE_0), []);
  assert.deepEqual(board.pointers(PAGE_1), [{ author: BOB, x: 1, y: 2 }]);
});

test("a target holds at most 2,000 strokes; more are dropped and counted", () => {
  const board = new AnnotationBoard();
  for (let i = 0; i < MAX_STROKES_PER_TARGET; i++) assert.ok(board.apply(begin(strokeId(), PAGE_0, [i % 65535, 0]), i % 2 ? ALICE : BOB));
  assert.equal(board.apply(begin(strokeId()), MALLORY), false);
  assert.equal(board.dropped.overLimit, 1);
  assert.equal(board.strokes(PAGE_0).length, MAX_STROKES_PER_TARGET);
  assert.ok(board.apply(begin(strokeId(), PAGE_1), MALLORY), "another target still has room");
});

/** Begins a stroke of pointCount points and sends them in messages of 512 numbers; true when every op applied. */
function drawLong(board: AnnotationBoard, author: string, target: ContentTarget, pointCount: number): boolean {
  const id = strokeId();
  const numbers = new Array(2 * pointCount).fill(9);
  let ok = board.apply(begin(id, target, numbers.slice(0, MAX_POINT_NUMBERS)), author);
  for (let at = MAX_POINT_NUMBERS; ok && at < numbers.length; at += MAX_POINT_NUMBERS) {
    ok = board.apply({ op: "points", strokeId: id, points: numbers.slice(at, at + MAX_POINT_NUMBERS) }, author);
  }
  return ok;
}

test("a stroke holds at most 10,000 points; a points op that would pass that is dropped", () => {
  const board = new AnnotationBoard();
  assert.ok(drawLong(board, ALICE, PAGE_0, MAX_POINTS_PER_STROKE));
  const [stroke] = board.strokes(PAGE_0);
  assert.equal(stroke.points.length, 2 * MAX_POINTS_PER_STROKE);
  assert.equal(board.apply({ op: "points", strokeId: stroke.strokeId, points: [1, 1] }, ALICE), false);
  assert.equal(board.dropped.overLimit, 1);
  assert.equal(board.strokes(PAGE_0)[0].points.length, 2 * MAX_POINTS_PER_STROKE);
});

test("a member's strokes hold at most 500,000 points in all: past that their ops are dropped, and others still draw", () => {
  const board = new AnnotationBoard();
  for (let i = 0; i < MAX_POINTS_PER_AUTHOR / MAX_POINTS_PER_STROKE; i++) assert.ok(drawLong(board, MALLORY, PAGE_0, MAX_POINTS_PER_STROKE));
  assert.equal(board.apply(begin(strokeId(), PAGE_1, [1, 1]), MALLORY), false);
  assert.equal(board.dropped.overLimit, 1);
  assert.ok(board.apply(begin(strokeId(), PAGE_1), ALICE), "another member's stroke still fits");
  board.apply({ op: "clear", target: PAGE_0 }, ALICE);
  assert.ok(board.apply(begin(strokeId(), PAGE_1, [1, 1]), MALLORY), "cleared strokes no longer count");
});

test("snapshotOps gives a new member this member's strokes as they are, in order, in messages of at most 512 numbers", () => {
  const board = new AnnotationBoard();
  const long = Array.from({ length: 1_400 }, (_, i) => i);
  const [short1, longId, short2, open, screenId] = [strokeId(), strokeId(), strokeId(), strokeId(), strokeId()];
  board.apply(begin(short1, PAGE_0, [1, 1, 2, 2]), ALICE);
  board.apply({ op: "end", strokeId: short1 }, ALICE);
  board.apply(begin(strokeId(), PAGE_0), BOB);
  board.apply(begin(longId, PAGE_0, long.slice(0, 512)), ALICE);
  board.apply({ op: "points", strokeId: longId, points: long.slice(512, 1024) }, ALICE);
  board.apply({ op: "points", strokeId: longId, points: long.slice(1024) }, ALICE);
  board.apply({ op: "end", strokeId: longId }, ALICE);
  board.apply(begin(short2, PAGE_0, [3, 3]), ALICE);
  board.apply({ op: "end", strokeId: short2 }, ALICE);
  board.apply(begin(open, PAGE_0, [4, 4]), ALICE);
  board.apply(begin(screenId, SCREEN, [5, 5]), ALICE);
  board.apply({ op: "end", strokeId: screenId }, ALICE);

  const ops = board.snapshotOps(ALICE);
  for (const op of ops) {
    const numbers = op.op === "snapshot" ? op.strokes.reduce((n, s) => n + s.points.length, 0) : "points" in op ? op.points.length : 0;
    assert.ok(numbers <= MAX_POINT_NUMBERS, `${op.op} carries ${numbers} numbers`);
  }
  assert.deepEqual(ops.map((op) => op.op), ["snapshot", "begin", "points", "points", "end", "begin", "end", "begin", "snapshot"]);

  const own = (b: AnnotationBoard, target: ContentTarget) => b.strokes(target).filter((s) => s.author === ALICE)
    .map((s) => ({ id: s.strokeId, points: Array.from(s.points), complete: s.complete, color: s.color, width: s.width }));
  const newcomer = new AnnotationBoard();
  for (const op of ops) assert.ok(newcomer.apply(op, ALICE));
  const before = [own(board, PAGE_0), own(board, SCREEN)];
  for (const op of ops) assert.ok(board.apply(op, ALICE));
  assert.deepEqual([own(board, PAGE_0), own(board, SCREEN)], before, "re-applying them to a board that has them changes nothing");
  assert.deepEqual([own(newcomer, PAGE_0), own(newcomer, SCREEN)], before);
  assert.deepEqual(ids(newcomer), [short1, longId, short2, open]);
  assert.equal(board.strokes(PAGE_0).length, 5, "Bob's stroke is untouched");
  assert.deepEqual(board.snapshotOps(BOB).map((op) => op.op), ["snapshot", "begin"], "a stroke in progress goes as begin, without end");
});

/** A clock whose timers run when the test advances it. */
class ManualClock implements BatchClock {
  now = 0;
  readonly #timers: { atMs: number; run: () => void }[] = [];
  nowMs(): number { return this.now; }
  setTimeout(run: () => void, delayMs: number): void { this.#timers.push({ atMs: this.now + delayMs, run }); }
  advanceTo(ms: number): void {
    for (;;) {
      this.#timers.sort((a, b) => a.atMs - b.atMs);
      if (this.#timers.length === 0 || this.#timers[0].atMs > ms) break;
      const timer = this.#timers.shift()!;
      this.now = timer.atMs;
      timer.run();
    }
    this.now = ms;
  }
}

function recorder(clock: ManualClock) {
  const sent: { atMs: number; op: AnnotationOp }[] = [];
  return { sent, send: (op: AnnotationOp) => sent.push({ atMs: clock.now, op: structuredClone(op) }) };
}

test("quantising maps 0..1 onto 0..65535, clamping outside and treating non-numbers as 0", () => {
  assert.deepEqual([0, 1, 0.5, -0.2, 1.7, Number.NaN].map(quantise), [0, 65535, 32768, 0, 65535, 0]);
});

test("a stroke drawn for a second at 1,000 points a second goes out in at most 20 messages a second, 50 ms apart, every point in order", () => {
  const clock = new ManualClock();
  const { sent, send } = recorder(clock);
  const batcher = new StrokeBatcher(send, clock);
  const id = batcher.begin(PAGE_0, "#112233", 0.01, 0, 0);
  const expected = [0, 0];
  for (let ms = 1; ms <= 1_000; ms++) {
    clock.advanceTo(ms);
    batcher.add(ms / 1_000, 0.5);
    expected.push(quantise(ms / 1_000), quantise(0.5));
  }
  batcher.end();
  clock.advanceTo(2_000);

  const firstSecond = sent.filter((s) => s.atMs < 1_000).length;
  assert.ok(firstSecond <= 1_000 / BATCH_INTERVAL_MS, `${firstSecond} messages in the first second`);
  for (let i = 1; i < sent.length; i++) assert.ok(sent[i].atMs - sent[i - 1].atMs >= BATCH_INTERVAL_MS);
  assert.equal(sent[0].op.op, "begin");
  assert.equal(sent.at(-1)!.op.op, "end");
  const points = sent.flatMap((s) => ("points" in s.op ? s.op.points : []));
  assert.deepEqual(points, expected);
  const board = new AnnotationBoard();
  for (const { op } of sent) assert.ok(board.apply(op, ALICE));
  assert.deepEqual(board.strokes(PAGE_0).map((s) => [s.strokeId, s.color, s.width, s.complete]), [[id, "#112233", quantise(0.01), true]]);
});

test("points gathered faster than one message can carry are split into messages of at most 512 numbers", () => {
  const clock = new ManualClock();
  const { sent, send } = recorder(clock);
  const batcher = new StrokeBatcher(send, clock);
  batcher.begin(PAGE_0, "#000000", 0.01, 0, 0);
  for (let i = 1; i <= 600; i++) batcher.add(i / 1_000, i / 1_000);
  batcher.end();
  clock.advanceTo(1_000);
  assert.deepEqual(sent.map((s) => [s.atMs, s.op.op, "points" in s.op ? s.op.points.length : 0]),
    [[0, "begin", 2], [50, "points", 512], [100, "points", 512], [150, "points", 176], [200, "end", 0]]);
});

test("repeated points are not sent again, and a stroke stops growing at 10,000 points", () => {
  const clock = new ManualClock();
  const { sent, send } = recorder(clock);
  const batcher = new StrokeBatcher(send, clock);
  batcher.begin(SCREEN, "#000000", 0.01, 0.5, 0.5);
  batcher.add(0.5, 0.5);
  batcher.add(0.500001, 0.5);
  for (let i = 0; i < 2 * MAX_POINTS_PER_STROKE; i++) batcher.add((i % 2) / 2, 0.25);
  batcher.end();
  clock.advanceTo(60_000);
  const board = new AnnotationBoard();
  for (const { op } of sent) assert.ok(board.apply(op, ALICE));
  assert.equal(board.strokes(SCREEN)[0].points.length, 2 * MAX_POINTS_PER_STROKE);
});

test("pointer moves waiting to be sent are coalesced to the latest", () => {
  const clock = new ManualClock();
  const { sent, send } = recorder(clock);
  const batcher = new StrokeBatcher(send, clock);
  batcher.pointer(PAGE_0, 0.1, 0.1);
  for (let i = 0; i < 30; i++) batcher.pointer(PAGE_1, i / 100, 0.5);
  batcher.command({ op: "clear", target: PAGE_0 });
  clock.advanceTo(500);
  assert.deepEqual(sent.map((s) => s.op), [
    { op: "pointer", target: PAGE_0, x: quantise(0.1), y: quantise(0.1) },
    { op: "pointer", target: PAGE_1, x: quantise(0.29), y: quantise(0.5) },
    { op: "clear", target: PAGE_0 },
  ]);
  assert.deepEqual(sent.map((s) => s.atMs), [0, 50, 100]);
});

test("drawn strokes fill their outline in their colour along their points, leaving the rest of the canvas untouched", () => {
  const board = new AnnotationBoard();
  const id = strokeId();
  const across = Array.from({ length: 21 }, (_, i) => [quantise(0.1 + (0.8 * i) / 20), quantise(0.5)]).flat();
  board.apply({ op: "begin", strokeId: id, target: PAGE_0, color: "#ff0000", width: quantise(0.05), points: across }, ALICE);
  board.apply({ op: "end", strokeId: id }, ALICE);
  const canvas = nodeCanvas(200, 100);
  const context = canvas.getContext("2d")!;
  drawAnnotations(context, board.strokes(PAGE_0), 200, 100);
  const pixel = (x: number, y: number) => Array.from(context.getImageData(x, y, 1, 1).data);
  assert.deepEqual(pixel(100, 50), [255, 0, 0, 255], "on the stroke");
  assert.deepEqual(pixel(60, 50), [255, 0, 0, 255], "on the stroke");
  assert.equal(pixel(100, 20)[3], 0, "above it");
  assert.equal(pixel(100, 80)[3], 0, "below it");
  assert.equal(pixel(5, 50)[3], 0, "before its start");
});
