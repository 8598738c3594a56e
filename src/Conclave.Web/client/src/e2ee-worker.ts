// The E2EE worker: every encoded audio and video frame passes through here, sealed with
// SFrame (RFC 9605) on the way out and opened on the way in (docs/e2ee.md). Keys come from
// the page, one SFrame epoch secret per MLS epoch; nothing undecryptable reaches a decoder.
import {
  type MediaKind,
  type MlsKeyIdLayout,
  SFrameKey,
  StreamContext,
  mlsKeyId,
  mlsSenderBaseKey,
  openMediaFrame,
  parseMlsKeyId,
  readMediaFrameHeader,
  sealMediaFrame,
  senderBitsForLeafCount,
} from "./e2ee/sframe";
import type { MediaSourceName, PageToWorker, ReceiveCounts, SendCounts, TransformOptions, WorkerToPage } from "./e2ee/worker-messages";

declare const self: DedicatedWorkerGlobalScope;

// RFC 9605 §5.2 with E = 8: the KID's low byte is the epoch's low byte.
const EPOCH_BITS = 8;
// Frames sealed under the previous epoch are still in flight when a new one arrives.
const PREVIOUS_EPOCH_KEPT_MS = 2000;
// At most one key-frame request per receiver in this interval: the SFU throttles too.
const KEY_FRAME_REQUEST_INTERVAL_MS = 500;

class EpochKeys {
  readonly layout: MlsKeyIdLayout;
  private readonly keys = new Map<bigint, Promise<SFrameKey>>();
  private readonly counters = new Map<bigint, bigint>();
  retiredAtMs: number | undefined;

  constructor(
    readonly epoch: bigint,
    private readonly secret: Uint8Array,
    leafCount: number,
    readonly ownLeaf: number,
  ) {
    this.layout = { senderBits: senderBitsForLeafCount(leafCount), epochBits: EPOCH_BITS };
  }

  key(kid: bigint, senderIndex: number): Promise<SFrameKey> {
    let key = this.keys.get(kid);
    if (!key) {
      key = mlsSenderBaseKey(this.secret, senderIndex).then((base) => SFrameKey.fromBaseKey(base, kid));
      this.keys.set(kid, key);
    }
    return key;
  }

  /** The next CTR under this KID; a KID is this epoch's, so a new epoch starts new counters. */
  nextCounter(kid: bigint): bigint {
    const ctr = this.counters.get(kid) ?? 0n;
    this.counters.set(kid, ctr + 1n);
    return ctr;
  }
}

/** Epochs by the KID's epoch bits: the current one and, for a while, the one before. */
const epochs = new Map<number, EpochKeys>();
let current: EpochKeys | undefined;
let leafByMid: Record<string, number> = {};
let sourceByMid: Record<string, MediaSourceName> = {};
const receiveCounts: Record<string, ReceiveCounts> = {};
const sendCounts: Record<string, SendCounts> = {};
const receivers = new Set<ReceiveTransform>();

function contextOf(source: MediaSourceName): StreamContext {
  switch (source) {
    case "microphone":
      return StreamContext.Microphone;
    case "camera":
      return StreamContext.Camera;
    case "screen":
      return StreamContext.ScreenVideo;
  }
}

function forgetRetiredEpochs(nowMs: number): void {
  for (const [low, keys] of epochs) {
    if (keys.retiredAtMs !== undefined && nowMs - keys.retiredAtMs > PREVIOUS_EPOCH_KEPT_MS) epochs.delete(low);
  }
}

function onEpoch(epoch: bigint, secret: Uint8Array, leafCount: number, ownLeaf: number): void {
  const nowMs = performance.now();
  if (current) current.retiredAtMs = nowMs;
  current = new EpochKeys(epoch, secret, leafCount, ownLeaf);
  // A later epoch with the same low byte replaces an old one outright.
  epochs.set(Number(epoch & 0xffn), current);
  forgetRetiredEpochs(nowMs);
  for (const receiver of receivers) receiver.onNewKey();
}

type EncodedFrame = RTCEncodedVideoFrame | RTCEncodedAudioFrame;

/** The bytes as an ArrayBuffer of their own (a view may sit inside a larger buffer). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return (whole ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
}

async function sealFrame(kind: MediaKind, source: MediaSourceName, frame: EncodedFrame): Promise<boolean> {
  const counts = (sendCounts[source === "screen" ? source : kind] ??= { encrypted: 0, droppedNoKey: 0 });
  const keys = current;
  if (!keys) {
    counts.droppedNoKey++;
    return false;
  }
  const kid = mlsKeyId(keys.layout, contextOf(source), keys.ownLeaf, keys.epoch);
  const key = await keys.key(kid, keys.ownLeaf);
  const sealed = await sealMediaFrame(key, keys.nextCounter(kid), kind, new Uint8Array(frame.data));
  frame.data = ownBuffer(sealed);
  counts.encrypted++;
  return true;
}

class ReceiveTransform {
  private readonly counts: ReceiveCounts;
  private waitingForKey = false;
  private lastRequestMs = -Infinity;

  constructor(
    private readonly options: Extract<TransformOptions, { side: "receive" }>,
    private readonly transformer: RTCRtpScriptTransformer,
  ) {
    this.counts = receiveCounts[options.mid] ??= {
      decrypted: 0,
      droppedNoKey: 0,
      droppedAuthentication: 0,
      droppedWrongSender: 0,
      droppedMalformed: 0,
      keyFrameRequests: 0,
    };
  }

  /** Opens the frame in place; false when it must be dropped. */
  async open(frame: EncodedFrame): Promise<boolean> {
    const { kind, mid } = this.options;
    const data = new Uint8Array(frame.data);
    const header = readMediaFrameHeader(kind, data);
    if (!header) {
      this.counts.droppedMalformed++;
      return false;
    }
    const keys = epochs.get(Number(header.kid & 0xffn));
    if (!keys) {
      this.counts.droppedNoKey++;
      this.waitingForKey = true;
      return false;
    }
    const { context, senderIndex } = parseMlsKeyId(keys.layout, header.kid);
    const source = sourceByMid[mid] ?? (kind === "audio" ? "microphone" : "camera");
    if (context !== contextOf(source) || leafByMid[mid] !== senderIndex) {
      this.counts.droppedWrongSender++;
      return false;
    }
    const plain = await openMediaFrame(await keys.key(header.kid, senderIndex), kind, data);
    if (!plain) {
      this.counts.droppedAuthentication++;
      this.waitingForKey = true;
      return false;
    }
    frame.data = ownBuffer(plain);
    this.counts.decrypted++;
    return true;
  }

  /** Frames were dropped for want of a key; now that one arrived, a key frame restarts the picture. */
  onNewKey(): void {
    if (!this.waitingForKey || this.options.kind !== "video") return;
    const nowMs = performance.now();
    if (nowMs - this.lastRequestMs < KEY_FRAME_REQUEST_INTERVAL_MS) return;
    this.lastRequestMs = nowMs;
    this.waitingForKey = false;
    this.counts.keyFrameRequests++;
    this.transformer.sendKeyFrameRequest().catch(() => {
      // No key frame request possible (the track has ended): nothing to recover.
    });
  }
}

self.onrtctransform = (event: RTCTransformEvent) => {
  const transformer = event.transformer;
  const options = transformer.options as TransformOptions;
  const receiver = options.side === "receive" ? new ReceiveTransform(options, transformer) : undefined;
  if (receiver) receivers.add(receiver);
  const transform = new TransformStream<EncodedFrame, EncodedFrame>({
    async transform(frame, controller) {
      try {
        const keep = receiver ? await receiver.open(frame) : options.side === "send" && (await sealFrame(options.kind, options.source, frame));
        if (keep) controller.enqueue(frame);
      } catch {
        // A frame that cannot be sealed or opened is dropped, never passed on in the clear.
        if (options.side === "receive") receiveCounts[options.mid]!.droppedMalformed++;
      }
    },
    flush() {
      if (receiver) receivers.delete(receiver);
    },
  });
  transformer.readable.pipeThrough(transform).pipeTo(transformer.writable).catch(() => {
    if (receiver) receivers.delete(receiver);
  });
};

self.onmessage = (event: MessageEvent<PageToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case "epoch":
      onEpoch(message.epoch, message.sframeEpochSecret, message.leafCount, message.ownLeaf);
      break;
    case "senders":
      leafByMid = message.leafByMid;
      sourceByMid = message.sourceByMid;
      break;
    case "forget":
      epochs.clear();
      current = undefined;
      break;
    default:
      message satisfies never;
  }
};

setInterval(() => {
  const counts: WorkerToPage = { type: "counts", receive: receiveCounts, send: sendCounts };
  self.postMessage(counts);
}, 1000);
