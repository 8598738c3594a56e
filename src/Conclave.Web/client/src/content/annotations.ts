// Live annotations (docs/content-sharing.md, "Annotations"): the strokes and pointers members
// draw over a page, slice or screen share. Every op arrives from a verified signer; a stroke
// belongs to whoever began it, and only they may extend, end or undo it. Coordinates and widths
// are normalised to the target and quantised to 16 bits (width: a fraction of the target's width).
import { getStroke } from "perfect-freehand";
import { type AnnotationOp, type ContentTarget, MAX_COORDINATE, MAX_PAGE, MAX_POINT_NUMBERS } from "./messages";

/** Limits on what one board holds, so that a hostile member cannot exhaust a browser's memory. */
export const MAX_STROKES_PER_TARGET = 2_000;
export const MAX_POINTS_PER_STROKE = 10_000;
export const MAX_STROKES_PER_AUTHOR = 10_000;
/** 2 MB of coordinates per member at most. */
export const MAX_POINTS_PER_AUTHOR = 500_000;
/** A pointer not moved for this long is no longer shown. */
export const POINTER_SHOWN_MS = 3_000;
/** A member sends at most one annotation message per this interval (20 per second). */
export const BATCH_INTERVAL_MS = 50;

const STROKE_ID = /^[0-9a-f]{16}$/;
const COLOR = /^#[0-9a-fA-F]{6}$/;
const MAX_PARTICIPANT_ID_CHARACTERS = 128;

/** A stroke as drawn: points are x0, y0, x1, y1, … quantised to 0..MAX_COORDINATE. */
export interface Stroke {
  readonly strokeId: string;
  readonly author: string;
  readonly color: string;
  readonly width: number;
  readonly points: Uint16Array;
  /** Ended by its author (or received whole in a snapshot). */
  readonly complete: boolean;
}

export interface Pointer { readonly author: string; readonly x: number; readonly y: number }

/** Why ops were dropped: each dropped op counts once. */
export interface DroppedOps {
  /** points/end/undo of a stroke, or a begin or snapshot reusing a stroke id, from someone other than its author. */
  forged: number;
  /** points/end/undo of a stroke this board does not have. */
  unknownStroke: number;
  /** Fields out of range or of the wrong shape, points after end, an op this build does not know. */
  malformed: number;
  /** Over one of the limits above. */
  overLimit: number;
}

class StrokeRecord implements Stroke {
  complete = false;
  #buffer: Uint16Array;
  #length = 0;

  constructor(readonly strokeId: string, readonly author: string, readonly target: ContentTarget, readonly targetKey: string,
    readonly color: string, readonly width: number, points: readonly number[]) {
    this.#buffer = new Uint16Array(Math.max(64, points.length));
    this.append(points);
  }

  get points(): Uint16Array { return this.#buffer.subarray(0, this.#length); }
  get pointCount(): number { return this.#length / 2; }

  append(points: readonly number[]): void {
    if (this.#length + points.length > this.#buffer.length) {
      const grown = new Uint16Array(Math.max(this.#buffer.length * 2, this.#length + points.length));
      grown.set(this.points);
      this.#buffer = grown;
    }
    this.#buffer.set(points, this.#length);
    this.#length += points.length;
  }
}

/** What each member's strokes cost this board. */
interface AuthorUse { strokes: number; points: number }

/**
 * The annotations of every target of a meeting, built from ops of verified authors. Strokes are
 * drawn in the order begun; a snapshot replaces its author's strokes on its target.
 */
export class AnnotationBoard {
  readonly dropped: DroppedOps = { forged: 0, unknownStroke: 0, malformed: 0, overLimit: 0 };
  readonly #byId = new Map<string, StrokeRecord>();
  readonly #byTarget = new Map<string, Map<string, StrokeRecord>>();
  readonly #use = new Map<string, AuthorUse>();
  readonly #pointers = new Map<string, { targetKey: string; x: number; y: number; atMs: number }>();

  constructor(private readonly nowMs: () => number = () => performance.now()) {}

  /** Applies op from author (the participantId of its verified signer); false when dropped (counted in `dropped`). */
  apply(op: AnnotationOp, author: string): boolean {
    switch (op.op) {
      case "begin": {
        if (!isStrokeId(op.strokeId) || !isTarget(op.target) || !isColor(op.color) || !isWidth(op.width) || !isPoints(op.points)) {
          return this.#drop("malformed");
        }
        const existing = this.#byId.get(op.strokeId);
        if (existing && existing.author !== author) return this.#drop("forged");
        // The same author beginning the same stroke again (a re-send) starts it over.
        if (existing) this.#remove(existing);
        if (!this.#fits(author, targetKey(op.target), 1, op.points.length / 2)) return this.#drop("overLimit");
        this.#add(new StrokeRecord(op.strokeId, author, op.target, targetKey(op.target), op.color, op.width, op.points));
        return true;
      }
      case "points": {
        if (!isStrokeId(op.strokeId) || !isPoints(op.points)) return this.#drop("malformed");
        const stroke = this.#byId.get(op.strokeId);
        if (!stroke) return this.#drop("unknownStroke");
        if (stroke.author !== author) return this.#drop("forged");
        if (stroke.complete) return this.#drop("malformed");
        const added = op.points.length / 2;
        if (stroke.pointCount + added > MAX_POINTS_PER_STROKE || !this.#fits(author, stroke.targetKey, 0, added)) return this.#drop("overLimit");
        stroke.append(op.points);
        this.#useOf(author).points += added;
        return true;
      }
      case "end":
      case "undo": {
        if (!isStrokeId(op.strokeId)) return this.#drop("malformed");
        const stroke = this.#byId.get(op.strokeId);
        if (!stroke) return this.#drop("unknownStroke");
        if (stroke.author !== author) return this.#drop("forged");
        if (op.op === "end") stroke.complete = true;
        else this.#remove(stroke);
        return true;
      }
      case "clear": {
        if (!isTarget(op.target)) return this.#drop("malformed");
        for (const stroke of [...(this.#byTarget.get(targetKey(op.target))?.values() ?? [])]) this.#remove(stroke);
        return true;
      }
      case "pointer": {
        if (!isTarget(op.target) || !isCoordinate(op.x) || !isCoordinate(op.y)) return this.#drop("malformed");
        this.#pointers.set(author, { targetKey: targetKey(op.target), x: op.x, y: op.y, atMs: this.nowMs() });
        return true;
      }
      case "snapshot":
        return this.#applySnapshot(op, author);
      default:
        return this.#drop("malformed");
    }
  }

  /** The strokes on target, in drawing order. */
  strokes(target: ContentTarget): Stroke[] {
    return [...(this.#byTarget.get(targetKey(target))?.values() ?? [])];
  }

  /** The pointers shown on target: each member's latest, while moved within POINTER_SHOWN_MS. */
  pointers(target: ContentTarget): Pointer[] {
    const key = targetKey(target);
    const now = this.nowMs();
    const shown: Pointer[] = [];
    for (const [author, pointer] of this.#pointers) {
      if (now - pointer.atMs > POINTER_SHOWN_MS) this.#pointers.delete(author);
      else if (pointer.targetKey === key) shown.push({ author, x: pointer.x, y: pointer.y });
    }
    return shown;
  }

  /** Forgets every stroke on every page of a share (withdrawn). */
  dropShare(shareId: string): void {
    for (const strokes of [...this.#byTarget.values()]) {
      for (const stroke of [...strokes.values()]) {
        if (stroke.target.kind === "share" && stroke.target.shareId === shareId) this.#remove(stroke);
      }
    }
  }

  /**
   * The ops that give another member ownParticipantId's strokes as this board has them, for
   * re-sending in a new epoch: per target one snapshot of the whole strokes that fit in
   * MAX_POINT_NUMBERS together, then the rest as begin, points and end (so drawing order holds).
   * The caller sends them within the content budget.
   */
  snapshotOps(ownParticipantId: string): AnnotationOp[] {
    const ops: AnnotationOp[] = [];
    for (const strokes of this.#byTarget.values()) {
      const mine = [...strokes.values()].filter((s) => s.author === ownParticipantId);
      if (mine.length === 0) continue;
      const snapshot: Extract<AnnotationOp, { op: "snapshot" }> = { op: "snapshot", target: mine[0].target, strokes: [] };
      ops.push(snapshot);
      let budget = MAX_POINT_NUMBERS;
      let rest = 0;
      for (; rest < mine.length && mine[rest].complete && mine[rest].points.length <= budget; rest++) {
        const { strokeId, color, width, points } = mine[rest];
        snapshot.strokes.push({ strokeId, color, width, points: Array.from(points) });
        budget -= points.length;
      }
      for (const stroke of mine.slice(rest)) ops.push(...strokeOps(stroke));
    }
    return ops;
  }

  #applySnapshot(op: Extract<AnnotationOp, { op: "snapshot" }>, author: string): boolean {
    if (!isTarget(op.target) || !Array.isArray(op.strokes)) return this.#drop("malformed");
    let numbers = 0;
    for (const s of op.strokes) {
      if (!isStrokeId(s.strokeId) || !isColor(s.color) || !isWidth(s.width) || !isPoints(s.points)) return this.#drop("malformed");
      numbers += s.points.length;
    }
    if (numbers > MAX_POINT_NUMBERS || new Set(op.strokes.map((s) => s.strokeId)).size !== op.strokes.length) return this.#drop("malformed");
    if (op.strokes.some((s) => { const existing = this.#byId.get(s.strokeId); return existing !== undefined && existing.author !== author; })) {
      return this.#drop("forged");
    }
    const key = targetKey(op.target);
    for (const stroke of [...(this.#byTarget.get(key)?.values() ?? [])]) if (stroke.author === author) this.#remove(stroke);
    // A stroke id of theirs on another target moves here.
    for (const s of op.strokes) {
      const elsewhere = this.#byId.get(s.strokeId);
      if (elsewhere) this.#remove(elsewhere);
    }
    for (const s of op.strokes) {
      if (!this.#fits(author, key, 1, s.points.length / 2)) return this.#drop("overLimit");
      const stroke = new StrokeRecord(s.strokeId, author, op.target, key, s.color, s.width, s.points);
      stroke.complete = true;
      this.#add(stroke);
    }
    return true;
  }

  #fits(author: string, key: string, strokes: number, points: number): boolean {
    const use = this.#useOf(author);
    return points <= MAX_POINTS_PER_STROKE
      && (this.#byTarget.get(key)?.size ?? 0) + strokes <= MAX_STROKES_PER_TARGET
      && use.strokes + strokes <= MAX_STROKES_PER_AUTHOR
      && use.points + points <= MAX_POINTS_PER_AUTHOR;
  }

  #useOf(author: string): AuthorUse {
    let use = this.#use.get(author);
    if (!use) this.#use.set(author, use = { strokes: 0, points: 0 });
    return use;
  }

  #add(stroke: StrokeRecord): void {
    this.#byId.set(stroke.strokeId, stroke);
    let strokes = this.#byTarget.get(stroke.targetKey);
    if (!strokes) this.#byTarget.set(stroke.targetKey, strokes = new Map());
    strokes.set(stroke.strokeId, stroke);
    const use = this.#useOf(stroke.author);
    use.strokes++;
    use.points += stroke.pointCount;
  }

  #remove(stroke: StrokeRecord): void {
    this.#byId.delete(stroke.strokeId);
    const strokes = this.#byTarget.get(stroke.targetKey);
    strokes?.delete(stroke.strokeId);
    if (strokes?.size === 0) this.#byTarget.delete(stroke.targetKey);
    const use = this.#useOf(stroke.author);
    use.strokes--;
    use.points -= stroke.pointCount;
  }

  #drop(reason: keyof DroppedOps): false {
    this.dropped[reason]++;
    return false;
  }
}

/** begin (with the first MAX_POINT_NUMBERS numbers), points in chunks of at most that, and end if the stroke is complete. */
function strokeOps(stroke: StrokeRecord): AnnotationOp[] {
  const all = Array.from(stroke.points);
  const ops: AnnotationOp[] = [{ op: "begin", strokeId: stroke.strokeId, target: stroke.target, color: stroke.color, width: stroke.width, points: all.slice(0, MAX_POINT_NUMBERS) }];
  for (let at = MAX_POINT_NUMBERS; at < all.length; at += MAX_POINT_NUMBERS) {
    ops.push({ op: "points", strokeId: stroke.strokeId, points: all.slice(at, at + MAX_POINT_NUMBERS) });
  }
  if (stroke.complete) ops.push({ op: "end", strokeId: stroke.strokeId });
  return ops;
}

export function targetKey(target: ContentTarget): string {
  return target.kind === "share" ? `share/${target.shareId}/${target.page}` : `screen/${target.participantId}`;
}

function isStrokeId(value: unknown): boolean {
  return typeof value === "string" && STROKE_ID.test(value);
}

function isColor(value: unknown): boolean {
  return typeof value === "string" && COLOR.test(value);
}

function isCoordinate(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_COORDINATE;
}

function isWidth(value: unknown): boolean {
  return isCoordinate(value) && value > 0;
}

function isPoints(value: unknown): value is number[] {
  return Array.isArray(value) && value.length % 2 === 0 && value.length <= MAX_POINT_NUMBERS && value.every(isCoordinate);
}

function isTarget(value: unknown): value is ContentTarget {
  const target = value as ContentTarget | null;
  if (typeof target !== "object" || target === null) return false;
  if (target.kind === "share") {
    return isStrokeId(target.shareId) && Number.isInteger(target.page) && target.page >= 0 && target.page <= MAX_PAGE;
  }
  return target.kind === "screen" && typeof target.participantId === "string"
    && target.participantId.length > 0 && target.participantId.length <= MAX_PARTICIPANT_ID_CHARACTERS;
}

/** A normalised coordinate or width (0..1, clamped) as its 16-bit integer. */
export function quantise(value: number): number {
  return Math.round(Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0)) * MAX_COORDINATE);
}

/** When the batcher may send next. */
export interface BatchClock {
  nowMs(): number;
  setTimeout(run: () => void, delayMs: number): void;
}

const browserClock: BatchClock = {
  nowMs: () => performance.now(),
  setTimeout: (run, delayMs) => { setTimeout(run, delayMs); },
};

/**
 * Turns the local member's drawing into annotation ops: at most one message per
 * BATCH_INTERVAL_MS, at most MAX_POINT_NUMBERS numbers in each (a longer batch goes out in
 * several), points collected meanwhile, pointer moves coalesced to the latest. Coordinates
 * are normalised floats (0..1 of the target), quantised here.
 */
export class StrokeBatcher {
  readonly #queue: AnnotationOp[] = [];
  #lastSentMs = -Infinity;
  #timerSet = false;
  #stroke: { strokeId: string; pointCount: number; lastX: number; lastY: number } | undefined;

  constructor(private readonly send: (op: AnnotationOp) => void, private readonly clock: BatchClock = browserClock) {}

  /** Starts a stroke at (x, y); width is a fraction of the target's width. Returns its id. */
  begin(target: ContentTarget, color: string, width: number, x: number, y: number): string {
    if (this.#stroke) this.end();
    const strokeId = newStrokeId();
    const point = [quantise(x), quantise(y)];
    this.#stroke = { strokeId, pointCount: 1, lastX: point[0], lastY: point[1] };
    this.#enqueue({ op: "begin", strokeId, target, color, width: Math.max(1, quantise(width)), points: point });
    return strokeId;
  }

  /** Adds a point to the stroke in progress (ignored without one, when it repeats the last, or past MAX_POINTS_PER_STROKE). */
  add(x: number, y: number): void {
    const stroke = this.#stroke;
    if (!stroke || stroke.pointCount >= MAX_POINTS_PER_STROKE) return;
    const qx = quantise(x);
    const qy = quantise(y);
    if (qx === stroke.lastX && qy === stroke.lastY) return;
    stroke.pointCount++;
    stroke.lastX = qx;
    stroke.lastY = qy;
    const last = this.#queue.at(-1);
    if (last && (last.op === "begin" || last.op === "points") && last.strokeId === stroke.strokeId && last.points.length < MAX_POINT_NUMBERS) {
      last.points.push(qx, qy);
    } else {
      this.#enqueue({ op: "points", strokeId: stroke.strokeId, points: [qx, qy] });
    }
  }

  /** Ends the stroke in progress. */
  end(): void {
    if (!this.#stroke) return;
    this.#enqueue({ op: "end", strokeId: this.#stroke.strokeId });
    this.#stroke = undefined;
  }

  /** Moves this member's pointer; only the latest position waiting to be sent is kept. */
  pointer(target: ContentTarget, x: number, y: number): void {
    const op: AnnotationOp = { op: "pointer", target, x: quantise(x), y: quantise(y) };
    const waiting = this.#queue.findIndex((queued) => queued.op === "pointer");
    if (waiting >= 0) this.#queue[waiting] = op;
    else this.#enqueue(op);
  }

  /** Sends an undo or clear within the same rate. */
  command(op: Extract<AnnotationOp, { op: "undo" | "clear" }>): void {
    this.#enqueue(op);
  }

  #enqueue(op: AnnotationOp): void {
    this.#queue.push(op);
    this.#pump();
  }

  #pump(): void {
    if (this.#queue.length === 0 || this.#timerSet) return;
    const waitMs = this.#lastSentMs + BATCH_INTERVAL_MS - this.clock.nowMs();
    if (waitMs > 0) {
      this.#timerSet = true;
      this.clock.setTimeout(() => {
        this.#timerSet = false;
        this.#pump();
      }, waitMs);
      return;
    }
    this.#lastSentMs = this.clock.nowMs();
    this.send(this.#queue.shift()!);
    this.#pump();
  }
}

function newStrokeId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The outline polygon of a stroke on a canvas of canvasWidth × canvasHeight pixels:
 * perfect-freehand's getStroke over the de-quantised points, with pressure simulated from speed.
 */
export function strokeOutline(points: ArrayLike<number>, width: number, canvasWidth: number, canvasHeight: number, complete = true): number[][] {
  const pixels: number[][] = [];
  for (let i = 0; i + 1 < points.length; i += 2) {
    pixels.push([(points[i] / MAX_COORDINATE) * canvasWidth, (points[i + 1] / MAX_COORDINATE) * canvasHeight]);
  }
  return getStroke(pixels, {
    size: Math.max(1, (width / MAX_COORDINATE) * canvasWidth),
    thinning: 0.5,
    smoothing: 0.5,
    streamline: 0.5,
    simulatePressure: true,
    last: complete,
  });
}

/** Fills each stroke's outline in its colour, in order, onto a canvas of widthPx × heightPx showing the target. */
export function drawAnnotations(ctx: CanvasRenderingContext2D, strokes: readonly Stroke[], widthPx: number, heightPx: number): void {
  for (const stroke of strokes) {
    const outline = strokeOutline(stroke.points, stroke.width, widthPx, heightPx, stroke.complete);
    if (outline.length === 0) continue;
    ctx.beginPath();
    ctx.moveTo(outline[0][0], outline[0][1]);
    for (let i = 1; i < outline.length; i++) ctx.lineTo(outline[i][0], outline[i][1]);
    ctx.closePath();
    ctx.fillStyle = stroke.color;
    ctx.fill();
  }
}
