// The MLS member and SFrame crypto of a GStreamer webrtcbin participant, run under Node with the
// browser's own code (client/src/e2ee), as bench/load/conclave.ts runs it. It joins the meeting
// over WSS as the meeting page does (client/src/session.ts): a fresh MLS signature key in `join`,
// the meeting's group followed with GroupSession, each offer answered. The WebRTC side is
// tests/support/webrtcbin_participant.py --e2ee, its child: the appliance's offers go to it and its
// answers come back; every frame it encodes comes here to be sealed and every frame it receives
// to be opened, so its keys never leave this process (docs/e2ee.md).
//
// argv: the appliance's https://host:port, the meeting id, the Python participant's path.
// stdin: first line {"cookie": "..."} (the member's session cookie: never an argument); its end means leave.
// stdout, one JSON object a line: joined, epoch, answer-sent, closed, error, python-exit, and what
// webrtcbin_participant.py reports (state, track, counts: here with the sealed and opened counts).
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type HttpsTarget, TextWebSocket, httpsRequest } from "../../../bench/load/https";
import { SFrameSender } from "../../../bench/load/frames";
import { GroupSession, fromBase64, isGroupMessage, toBase64 } from "../../../src/Conclave.Web/client/src/e2ee/group-session";
import { type SignatureKeyPair, generateSignatureKeyPair } from "../../../src/Conclave.Web/client/src/e2ee/mls";
import {
  type MediaKind,
  type MlsKeyIdLayout,
  SFrameKey,
  StreamContext,
  mlsSenderBaseKey,
  openMediaFrame,
  parseMlsKeyId,
  readMediaFrameHeader,
  senderBitsForLeafCount,
} from "../../../src/Conclave.Web/client/src/e2ee/sframe";
import type { PageToWorker } from "../../../src/Conclave.Web/client/src/e2ee/worker-messages";
import type { ClientMessage, ServerMessage, TrackInfo } from "../../../src/Conclave.Web/client/src/protocol";

const SESSION_COOKIE = "__Host-conclave-session";
const PYTHON = "/usr/bin/python3";
/** RFC 9605 §5.2 as the E2EE worker lays KIDs out: 8 bits of epoch. */
const EPOCH_BITS = 8;
/** As the worker: frames sealed under the previous epoch are still in flight when a new one arrives. */
const PREVIOUS_EPOCH_KEPT_MS = 2000;

type Epoch = Extract<PageToWorker, { type: "epoch" }>;

/** A frame as the Python participant hands it over (and takes it back, `data` replaced). */
interface FrameMessage {
  type: "seal" | "open";
  kind: MediaKind;
  mid?: string;
  pts: number | null;
  duration: number | null;
  data: string;
}

function report(message: object): void {
  process.stdout.write(JSON.stringify(message) + "\n");
}

/** The epoch keys this member opens with, by the KID's epoch bits: the current epoch and, for a while, the one before. */
class EpochKeys {
  readonly layout: MlsKeyIdLayout;
  private readonly keys = new Map<bigint, Promise<SFrameKey>>();
  retiredAtMs: number | undefined;

  constructor(
    private readonly secret: Uint8Array,
    leafCount: number,
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
}

/**
 * Opens received frames as the E2EE worker's receive side does (client/src/e2ee-worker.ts): the
 * KID picks the epoch; its sender and stream context must be the ones the appliance said publish
 * on that mid; a frame that does not open is dropped, never decoded.
 */
class FrameOpener {
  private readonly epochs = new Map<number, EpochKeys>();
  private current: EpochKeys | undefined;
  leafByMid = new Map<string, number>();
  readonly opened: Record<MediaKind, number> = { audio: 0, video: 0 };
  readonly dropped = { noKey: 0, wrongSender: 0, authentication: 0, malformed: 0 };

  setEpoch(epoch: Epoch): void {
    const nowMs = performance.now();
    if (this.current) this.current.retiredAtMs = nowMs;
    this.current = new EpochKeys(epoch.sframeEpochSecret, epoch.leafCount);
    this.epochs.set(Number(epoch.epoch & 0xffn), this.current);
    for (const [low, keys] of this.epochs) {
      if (keys.retiredAtMs !== undefined && nowMs - keys.retiredAtMs > PREVIOUS_EPOCH_KEPT_MS) this.epochs.delete(low);
    }
  }

  async open(kind: MediaKind, mid: string | undefined, data: Uint8Array): Promise<Uint8Array | undefined> {
    const header = readMediaFrameHeader(kind, data);
    if (!header) {
      this.dropped.malformed++;
      return undefined;
    }
    const keys = this.epochs.get(Number(header.kid & 0xffn));
    if (!keys) {
      this.dropped.noKey++;
      return undefined;
    }
    const { context, senderIndex } = parseMlsKeyId(keys.layout, header.kid);
    const expected = kind === "audio" ? StreamContext.Microphone : StreamContext.Camera;
    if (context !== expected || mid === undefined || this.leafByMid.get(mid) !== senderIndex) {
      this.dropped.wrongSender++;
      return undefined;
    }
    const plain = await openMediaFrame(await keys.key(header.kid, senderIndex), kind, data);
    if (!plain) {
      this.dropped.authentication++;
      return undefined;
    }
    this.opened[kind]++;
    return plain;
  }
}

class GstMember {
  private ws: TextWebSocket | undefined;
  private group: GroupSession | undefined;
  private signatureKeys: SignatureKeyPair | undefined;
  private readonly present = new Set<string>();
  private readonly tracksByMid = new Map<string, TrackInfo>();
  /** Offers sent to webrtcbin and not answered yet, oldest first: it answers in order. */
  private readonly revisions: number[] = [];
  private inbox: Promise<void> = Promise.resolve();
  /** Frames are sealed and opened one at a time, so each stream keeps its order. */
  private frames: Promise<void> = Promise.resolve();
  private readonly sealer = new SFrameSender();
  private readonly opener = new FrameOpener();
  private sealed = 0;
  private sealDroppedNoKey = 0;
  private readonly python: ChildProcessWithoutNullStreams;

  constructor(
    private readonly target: HttpsTarget,
    private readonly meetingId: string,
    private readonly cookie: string,
    participantScript: string,
  ) {
    this.python = spawn(PYTHON, [participantScript, "--e2ee"], { stdio: ["pipe", "pipe", "pipe"] });
    createInterface({ input: this.python.stderr }).on("line", (line) => process.stderr.write(`python: ${line}\n`));
    createInterface({ input: this.python.stdout }).on("line", (line) => this.onPython(JSON.parse(line)));
    this.python.on("exit", (code, signal) => {
      report({ type: "python-exit", code, signal });
      process.exit(code ?? 1);
    });
  }

  get origin(): string {
    return `https://${this.target.host}:${this.target.port}`;
  }

  /**
   * GroupSession fetches `/m/{meeting}/mls/group-info` with a relative URL, as a page does on its
   * own origin; under Node the request goes to the appliance with this member's cookie.
   */
  installMeetingFetch(): void {
    const nodeFetch = globalThis.fetch;
    globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      if (typeof input !== "string" || !input.startsWith("/")) return nodeFetch(input, init);
      const outgoing: Record<string, string> = { Cookie: `${SESSION_COOKIE}=${this.cookie}`, Origin: this.origin };
      new Headers(init?.headers).forEach((value, name) => (outgoing[name] = value));
      const body = init?.body ? (init.body instanceof Uint8Array ? init.body : new Uint8Array(init.body as ArrayBuffer)) : undefined;
      if (body) outgoing["Content-Length"] = String(body.length);
      const response = await httpsRequest(this.target, init?.method ?? "GET", input, outgoing, body);
      const headers = new Headers();
      for (const [name, value] of Object.entries(response.headers)) if (typeof value === "string") headers.set(name, value);
      const empty = response.status === 204 || response.status === 304;
      return new Response(empty ? null : new Uint8Array(response.body), { status: response.status, headers });
    };
  }

  async join(): Promise<void> {
    const ws = await TextWebSocket.connect(this.target, "/ws", { Origin: this.origin, Cookie: `${SESSION_COOKIE}=${this.cookie}` });
    this.ws = ws;
    ws.onMessage = (text) => {
      this.inbox = this.inbox.then(() => this.onMessage(JSON.parse(text) as ServerMessage)).catch((e: unknown) => this.fail(e));
    };
    ws.onClose = () => {
      report({ type: "closed" });
      this.python.stdin.end();
    };
    this.signatureKeys = await generateSignatureKeyPair();
    this.send({ type: "join", room: this.meetingId, e2ee: { signatureKey: toBase64(this.signatureKeys.publicKey) } });
  }

  leave(): void {
    this.send({ type: "leave" });
    this.ws?.close();
    this.python.stdin.end();
  }

  private fail(e: unknown): void {
    report({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }

  private send(message: ClientMessage): void {
    if (this.ws?.open) this.ws.send(JSON.stringify(message));
  }

  private toPython(message: object): void {
    if (this.python.stdin.writable) this.python.stdin.write(JSON.stringify(message) + "\n");
  }

  private async onMessage(message: ServerMessage): Promise<void> {
    if (isGroupMessage(message)) {
      this.group?.handle(message);
      return;
    }
    switch (message.type) {
      case "joined":
        await this.startGroup(message);
        report({ type: "joined", participantId: message.participantId });
        break;
      case "participant-joined":
        this.present.add(message.participant.id);
        break;
      case "participant-left":
        this.present.delete(message.participantId);
        break;
      case "offer":
        for (const track of message.tracks) this.tracksByMid.set(track.mid, track);
        this.updateSenders();
        this.revisions.push(message.revision);
        this.toPython({ type: "offer", sdp: message.sdp });
        break;
      case "error":
        this.fail(new Error(`${message.code}: ${message.message}`));
        break;
      default:
        break;
    }
  }

  private async startGroup(message: Extract<ServerMessage, { type: "joined" }>): Promise<void> {
    const caPublicKey = await crypto.subtle.importKey("spki", fromBase64(message.e2ee.caPublicKey) as BufferSource, { name: "ECDSA", namedCurve: "P-256" }, false, [
      "verify",
    ]);
    this.present.add(message.participantId);
    for (const p of message.participants) this.present.add(p.id);
    // The E2EE worker's part: it only ever receives each epoch's SFrame secret.
    const worker = {
      postMessage: (m: PageToWorker) => {
        if (m.type !== "epoch") return;
        this.sealer.setEpoch(m);
        this.opener.setEpoch(m);
        report({ type: "epoch", epoch: Number(m.epoch), leafCount: m.leafCount, ownLeaf: m.ownLeaf });
      },
    } as unknown as Worker;
    this.group = new GroupSession(
      this.meetingId,
      message.participantId,
      { credential: fromBase64(message.e2ee.credential), keys: this.signatureKeys! },
      message.e2ee,
      caPublicKey,
      this.present,
      (m) => this.send(m),
      worker,
      { onEpoch: () => this.updateSenders(), onRecording: () => {}, onChat: () => {}, onContent: () => {}, onFailure: (reason) => this.fail(new Error(reason)) },
    );
  }

  /** Which leaf may send on each receiving mid, from the verified members (as session.ts postSenders). */
  private updateSenders(): void {
    const leafByParticipant = new Map((this.group?.members ?? []).map((m) => [m.credential.participantId, m.leaf]));
    const leafByMid = new Map<string, number>();
    for (const [mid, track] of this.tracksByMid) {
      const leaf = leafByParticipant.get(track.participantId);
      if (leaf !== undefined) leafByMid.set(mid, leaf);
    }
    this.opener.leafByMid = leafByMid;
  }

  private onPython(message: { type: string } & Record<string, unknown>): void {
    switch (message.type) {
      case "answer": {
        const revision = this.revisions.shift();
        if (revision === undefined) {
          this.fail(new Error("webrtcbin answered an offer it was not given"));
          return;
        }
        this.send({ type: "answer", revision, sdp: message.sdp as string });
        report({ type: "answer-sent", revision });
        break;
      }
      case "seal":
      case "open": {
        const frame = message as unknown as FrameMessage;
        this.frames = this.frames.then(() => this.onFrame(frame)).catch((e: unknown) => this.fail(e));
        break;
      }
      case "counts":
        report({
          ...message,
          sealed: this.sealed,
          sealDroppedNoKey: this.sealDroppedNoKey,
          opened: this.opener.opened,
          openDropped: this.opener.dropped,
        });
        break;
      default:
        report(message);
    }
  }

  /** Seals (or opens) one frame and hands it back; a frame that cannot be is dropped, never passed on as it was. */
  private async onFrame(frame: FrameMessage): Promise<void> {
    const data = fromBase64(frame.data);
    if (frame.type === "seal") {
      if (!this.sealer.ready) {
        this.sealDroppedNoKey++;
        return;
      }
      const sealed = await this.sealer.seal(frame.kind, data);
      this.sealed++;
      this.toPython({ ...frame, type: "sealed", data: toBase64(sealed) });
      return;
    }
    const plain = await this.opener.open(frame.kind, frame.mid, data);
    if (plain) this.toPython({ ...frame, type: "opened", data: toBase64(plain) });
  }
}

async function main(): Promise<void> {
  const [applianceUrl, meetingId, participantScript] = process.argv.slice(2);
  if (!applianceUrl || !meetingId || !participantScript) throw new Error("usage: gst-member.mjs <https://host:port> <meeting id> <webrtcbin_participant.py>");
  const url = new URL(applianceUrl);
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error("no cookie on stdin");
  const { cookie } = JSON.parse(first.value) as { cookie: string };
  const member = new GstMember({ host: url.hostname, port: Number(url.port) }, meetingId, cookie, participantScript);
  member.installMeetingFetch();
  await member.join();
  // The rest of stdin is only waited out: its end is the test's "leave".
  while (!(await lines.next()).done) {
    // Nothing else is read from stdin.
  }
  member.leave();
}

main().catch((e: unknown) => {
  report({ type: "error", message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
