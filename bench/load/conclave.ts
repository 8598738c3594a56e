// Conclave through the product's own paths: the first admin through the one-time setup link with
// TOTP enrolment, member accounts and a meeting per room from the console's forms, a login per
// member for its session cookie; then each participant joins over WSS as the meeting page does
// (client/src/session.ts): a fresh MLS signature key in `join`, the meeting's MLS group followed
// with the page's own GroupSession, every offer answered, and media sealed under the group's epoch.
import type { MediaStreamTrack, RTCPeerConnection, RTCRtpSender } from "werift";
import { GroupSession, fromBase64, isGroupMessage, toBase64 } from "../../src/Conclave.Web/client/src/e2ee/group-session";
import { generateSignatureKeyPair } from "../../src/Conclave.Web/client/src/e2ee/mls";
import type { PageToWorker } from "../../src/Conclave.Web/client/src/e2ee/worker-messages";
import type { ClientMessage, PublishMids, ServerMessage } from "../../src/Conclave.Web/client/src/protocol";
import { SFrameSender } from "./frames";
import { ConsoleClient, type HttpsTarget, TextWebSocket, expectRedirect, httpsRequest } from "./https";
import { type Clip, Publisher, type RoomTraffic, countReceived } from "./media";
import { newPeerConnection, waitFor } from "./peer";
import { fromBase32, totp } from "./totp";

const SESSION_COOKIE = "__Host-conclave-session";
const PASSWORD = "load harness password";

export interface ConclaveAccount {
  userName: string;
  cookie: string;
  /** The loopback address this participant connects from: the appliance counts sockets per source address. */
  localAddress: string;
}

export interface ConclaveRoom {
  meetingId: string;
  accounts: ConclaveAccount[];
}

/** The console's datetime-local form value, UTC (the appliance's clock). */
function formTime(date: Date): string {
  return date.toISOString().slice(0, 16);
}

/** The first admin (setup link, TOTP enrolment), `rooms` meetings each with `perRoom` member accounts on its roster, and their logins. */
export async function admitParticipants(target: HttpsTarget, setupLink: string, rooms: number, perRoom: number): Promise<{ admin: ConsoleClient; rooms: ConclaveRoom[] }> {
  const admin = new ConsoleClient(target);
  const link = new URL(setupLink);
  const created = await admin.submit(link.pathname + link.search, "/setup", [
    ["token", link.searchParams.get("token")!],
    ["username", "bench-admin"],
    ["display_name", "Bench Admin"],
    ["password", PASSWORD],
  ]);
  expectRedirect(created, "setup", /^\/console\/enrol$/);
  const enrolPage = await admin.page("/console/enrol");
  const secret = /id="totp-secret"[^>]*>([A-Z2-7]+)</.exec(enrolPage);
  if (!secret) throw new Error("the enrolment page shows no TOTP secret");
  const code = totp(fromBase32(secret[1]), Date.now() / 1000);
  expectRedirect(await admin.submitFrom(enrolPage, "/console/enrol", [["password", PASSWORD], ["code", code]]), "TOTP enrolment", /^\/console$/);

  const result: ConclaveRoom[] = [];
  let sourceIndex = 0;
  for (let r = 0; r < rooms; r++) {
    const userNames = Array.from({ length: perRoom }, (_, i) => `r${r}p${i}`);
    for (const userName of userNames) {
      expectRedirect(
        await admin.submit("/console/users", "/console/users", [["username", userName], ["display_name", `Room ${r} participant ${userName}`], ["password", PASSWORD], ["roles", "member"]]),
        `creating ${userName}`,
      );
    }
    const now = Date.now();
    const meeting = await admin.submit("/console/meetings", "/console/meetings", [
      ["title", `Load room ${r}`],
      ["starts_at", formTime(new Date(now - 60_000))],
      ["ends_at", formTime(new Date(now + 4 * 3600_000))],
      ["roster", userNames.join(" ")],
    ]);
    const meetingId = expectRedirect(meeting, `creating room ${r}`, /^\/console\/meetings\/[^/]+$/).split("/").pop()!;
    const accounts: ConclaveAccount[] = [];
    for (const userName of userNames) {
      sourceIndex++;
      const localAddress = `127.0.1.${sourceIndex}`;
      const member = new ConsoleClient(target, localAddress);
      expectRedirect(await member.submit("/login", "/login", [["username", userName], ["password", PASSWORD], ["code", ""], ["return", "/console"]]), `login of ${userName}`);
      const cookie = member.cookie(SESSION_COOKIE);
      if (!cookie) throw new Error(`login of ${userName} set no session cookie`);
      accounts.push({ userName, cookie, localAddress });
    }
    result.push({ meetingId, accounts });
  }
  return { admin, rooms: result };
}

/** Each participant's group token → its cookie and source: GroupSession's fetches carry the token, the cookie is the participant's own. */
const fetchIdentities = new Map<string, { account: ConclaveAccount; target: HttpsTarget }>();

/**
 * GroupSession fetches `/m/{meeting}/mls/group-info` with a relative URL, as a page does on its
 * own origin; under Node the request is made here with the participant's cookie.
 */
export function installMeetingFetch(): void {
  const nodeFetch = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (typeof input !== "string" || !input.startsWith("/")) return nodeFetch(input, init);
    const headers = new Headers(init?.headers);
    const token = (headers.get("Authorization") ?? "").replace(/^Bearer /, "");
    const identity = fetchIdentities.get(token);
    if (!identity) throw new Error("a meeting request from no known participant");
    const outgoing: Record<string, string> = { Cookie: `${SESSION_COOKIE}=${identity.account.cookie}` };
    headers.forEach((value, name) => (outgoing[name] = value));
    const body = init?.body ? (init.body instanceof Uint8Array ? init.body : new Uint8Array(init.body as ArrayBuffer)) : undefined;
    if (body) outgoing["Content-Length"] = String(body.length);
    const response = await httpsRequest(identity.target, init?.method ?? "GET", input, outgoing, body, identity.account.localAddress);
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) if (typeof value === "string") responseHeaders.set(name, value);
    const empty = response.status === 204 || response.status === 304;
    return new Response(empty ? null : new Uint8Array(response.body), { status: response.status, headers: responseHeaders });
  };
}

export type Role = "publisher" | "subscriber";

/** One participant of a Conclave meeting, as the meeting page would be, without a browser. */
export class ConclaveParticipant {
  readonly pc: RTCPeerConnection = newPeerConnection();
  private ws: TextWebSocket | undefined;
  private group: GroupSession | undefined;
  private readonly present = new Set<string>();
  private inbox: Promise<void> = Promise.resolve();
  private readonly sealer = new SFrameSender();
  private publisher: Publisher | undefined;
  private readonly seenKinds = new Set<string>();
  private signatureKeys: Awaited<ReturnType<typeof generateSignatureKeyPair>> | undefined;
  epoch: bigint | undefined;
  error: string | undefined;

  constructor(
    private readonly target: HttpsTarget,
    private readonly account: ConclaveAccount,
    private readonly meetingId: string,
    readonly role: Role,
    private readonly clip: Clip,
    private readonly traffic: RoomTraffic,
  ) {
    this.pc.onTrack.subscribe((track: MediaStreamTrack) => {
      if (role === "subscriber") countReceived(track, traffic, account.userName, this.seenKinds);
    });
  }

  get keyFramesSent(): number {
    return this.publisher?.keyFramesSent ?? 0;
  }

  async join(): Promise<void> {
    const ws = await TextWebSocket.connect(
      this.target,
      "/ws",
      { Origin: `https://${this.target.host}:${this.target.port}`, Cookie: `${SESSION_COOKIE}=${this.account.cookie}` },
      this.account.localAddress,
    );
    this.ws = ws;
    ws.onMessage = (text) => {
      this.inbox = this.inbox.then(() => this.onMessage(JSON.parse(text) as ServerMessage)).catch((e: unknown) => this.fail(e));
    };
    ws.onClose = () => this.publisher?.stop();
    this.signatureKeys = await generateSignatureKeyPair();
    this.send({ type: "join", room: this.meetingId, e2ee: { signatureKey: toBase64(this.signatureKeys.publicKey) } });
  }

  leave(): void {
    this.publisher?.stop();
    this.send({ type: "leave" });
    this.ws?.close();
    void this.pc.close();
  }

  private fail(e: unknown): void {
    this.error ??= e instanceof Error ? e.message : String(e);
  }

  private send(message: ClientMessage): void {
    if (this.ws?.open) this.ws.send(JSON.stringify(message));
  }

  private async onMessage(message: ServerMessage): Promise<void> {
    if (isGroupMessage(message)) {
      this.group?.handle(message);
      return;
    }
    switch (message.type) {
      case "joined":
        await this.startGroup(message);
        break;
      case "participant-joined":
        this.present.add(message.participant.id);
        break;
      case "participant-left":
        this.present.delete(message.participantId);
        break;
      case "offer":
        await this.answer(message.revision, message.sdp, message.publish);
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
    fetchIdentities.set(message.e2ee.groupToken, { account: this.account, target: this.target });
    // The E2EE worker's part: it only ever receives each epoch's SFrame secret.
    const worker = {
      postMessage: (m: PageToWorker) => {
        if (m.type !== "epoch") return;
        this.epoch = m.epoch;
        this.sealer.setEpoch(m);
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
      { onEpoch: () => {}, onRecording: () => {}, onChat: () => {}, onContent: () => {}, onFailure: (reason) => this.fail(new Error(reason)) },
    );
  }

  /** The appliance offers; the publisher sends on publish.audio / publish.video, every forwarded section is received. */
  private async answer(revision: number, sdp: string, publish: PublishMids): Promise<void> {
    await this.pc.setRemoteDescription({ type: "offer", sdp });
    let audio: RTCRtpSender | undefined;
    let video: RTCRtpSender | undefined;
    for (const transceiver of this.pc.getTransceivers()) {
      const mid = transceiver.mid;
      if (mid === publish.audio || mid === publish.video) {
        const sends = this.role === "publisher";
        transceiver.setDirection(sends ? "sendonly" : "inactive");
        if (sends && mid === publish.audio) audio = transceiver.sender;
        if (sends && mid === publish.video) video = transceiver.sender;
      } else if (mid === publish.screen) {
        transceiver.setDirection("inactive");
      } else {
        transceiver.setDirection("recvonly");
      }
    }
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    this.send({ type: "answer", revision, sdp: this.pc.localDescription!.sdp });
    if (audio && video && !this.publisher) {
      this.publisher = new Publisher(this.clip, this.sealer, audio, video, this.traffic);
      this.publisher.start();
    }
  }

  async waitInGroup(epoch: bigint | undefined, timeoutMs: number): Promise<void> {
    await waitFor(() => this.error !== undefined || (this.epoch !== undefined && (epoch === undefined || this.epoch >= epoch)), timeoutMs, `${this.account.userName} in the MLS group`);
    if (this.error) throw new Error(`${this.account.userName}: ${this.error}`);
  }
}
