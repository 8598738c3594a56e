// The MLS member and SFrame crypto of a GStreamer webrtcbin participant, run under Node with the
// browser's own code (client/src/e2ee), a MeetingMember as the load harness's participants are
// (bench/load/member.ts: it joins over WSS as the meeting page does and follows the meeting's group
// with GroupSession). The WebRTC side is
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
import { SFrameSender } from "../../../bench/load/frames";
import type { HttpsTarget } from "../../../bench/load/https";
import { type EpochSecret, MeetingMember, type OfferMessage, installMeetingFetch } from "../../../bench/load/member";
import { fromBase64, toBase64 } from "../../../src/Conclave.Web/client/src/e2ee/group-session";
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
import type { TrackInfo } from "../../../src/Conclave.Web/client/src/protocol";

const PYTHON = "/usr/bin/python3";
/** RFC 9605 §5.2 as the E2EE worker lays KIDs out: 8 bits of epoch. */
const EPOCH_BITS = 8;
/** As the worker: frames sealed under the previous epoch are still in flight when a new one arrives. */
const PREVIOUS_EPOCH_KEPT_MS = 2000;

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

  setEpoch(epoch: EpochSecret): void {
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

class GstMember extends MeetingMember {
  private readonly tracksByMid = new Map<string, TrackInfo>();
  /** Offers sent to webrtcbin and not answered yet, oldest first: it answers in order. */
  private readonly revisions: number[] = [];
  /** Frames are sealed and opened one at a time, so each stream keeps its order. */
  private frames: Promise<void> = Promise.resolve();
  private readonly sealer = new SFrameSender();
  private readonly opener = new FrameOpener();
  private sealed = 0;
  private sealDroppedNoKey = 0;
  private readonly python: ChildProcessWithoutNullStreams;

  constructor(target: HttpsTarget, meetingId: string, cookie: string, participantScript: string) {
    super({ target, cookie }, meetingId);
    this.python = spawn(PYTHON, [participantScript, "--e2ee"], { stdio: ["pipe", "pipe", "pipe"] });
    createInterface({ input: this.python.stderr }).on("line", (line) => process.stderr.write(`python: ${line}\n`));
    createInterface({ input: this.python.stdout }).on("line", (line) => this.onPython(JSON.parse(line)));
    this.python.on("exit", (code, signal) => {
      report({ type: "python-exit", code, signal });
      process.exit(code ?? 1);
    });
  }

  override leave(): void {
    super.leave();
    this.python.stdin.end();
  }

  protected fail(e: unknown): void {
    report({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }

  protected override onJoined(message: { participantId: string }): void {
    report({ type: "joined", participantId: message.participantId });
  }

  protected override onClosed(): void {
    report({ type: "closed" });
    this.python.stdin.end();
  }

  protected onEpochSecret(epoch: EpochSecret): void {
    this.sealer.setEpoch(epoch);
    this.opener.setEpoch(epoch);
    report({ type: "epoch", epoch: Number(epoch.epoch), leafCount: epoch.leafCount, ownLeaf: epoch.ownLeaf });
  }

  protected override onGroupEpoch(): void {
    this.updateSenders();
  }

  protected onOffer(offer: OfferMessage): void {
    for (const track of offer.tracks) this.tracksByMid.set(track.mid, track);
    this.updateSenders();
    this.revisions.push(offer.revision);
    this.toPython({ type: "offer", sdp: offer.sdp });
  }

  private toPython(message: object): void {
    if (this.python.stdin.writable) this.python.stdin.write(JSON.stringify(message) + "\n");
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
  installMeetingFetch();
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
