// A member of a Conclave meeting without a browser, as the meeting page is one
// (client/src/session.ts): it joins over WSS with a fresh MLS signature key, follows the meeting's
// MLS group with the page's own GroupSession, keeps the roster of who is present, and hands each
// epoch's SFrame secret to whatever seals and opens its frames. What it does with offers is its
// own: the load harness answers them with werift (conclave.ts), the webrtcbin interop test hands
// them to GStreamer (tests/Conclave.Browser.Tests/interop/gst-member.ts).
import { GroupSession, fromBase64, isGroupMessage, toBase64 } from "../../src/Conclave.Web/client/src/e2ee/group-session";
import { type SignatureKeyPair, generateSignatureKeyPair } from "../../src/Conclave.Web/client/src/e2ee/mls";
import type { PageToWorker } from "../../src/Conclave.Web/client/src/e2ee/worker-messages";
import type { ClientMessage, ServerMessage } from "../../src/Conclave.Web/client/src/protocol";
import { type HttpsTarget, TextWebSocket, httpsRequest } from "./https";

export const SESSION_COOKIE = "__Host-conclave-session";

/** The epoch keys the E2EE worker would be given (PageToWorker "epoch"). */
export type EpochSecret = Extract<PageToWorker, { type: "epoch" }>;
export type OfferMessage = Extract<ServerMessage, { type: "offer" }>;
type JoinedMessage = Extract<ServerMessage, { type: "joined" }>;

/** Who a member is to the appliance: its session cookie, and the loopback address it connects from (the appliance counts sockets per source). */
export interface MemberIdentity {
  target: HttpsTarget;
  cookie: string;
  localAddress?: string;
}

/** Each member's group token → its identity: GroupSession's fetches carry the token, the cookie is the member's own. */
const fetchIdentities = new Map<string, MemberIdentity>();

/**
 * GroupSession fetches `/m/{meeting}/mls/group-info` with a relative URL, as a page does on its
 * own origin; under Node the request goes to the appliance with the cookie of the member whose
 * group token it carries. Once per process, before the first member joins.
 */
export function installMeetingFetch(): void {
  const nodeFetch = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (typeof input !== "string" || !input.startsWith("/")) return nodeFetch(input, init);
    const headers = new Headers(init?.headers);
    const token = (headers.get("Authorization") ?? "").replace(/^Bearer /, "");
    const identity = fetchIdentities.get(token);
    if (!identity) throw new Error("a meeting request from no known member");
    const outgoing: Record<string, string> = { Cookie: `${SESSION_COOKIE}=${identity.cookie}`, Origin: originOf(identity.target) };
    headers.forEach((value, name) => (outgoing[name] = value));
    const body = init?.body ? (init.body instanceof Uint8Array ? init.body : new Uint8Array(init.body as ArrayBuffer)) : undefined;
    if (body) outgoing["Content-Length"] = String(body.length);
    const response = await httpsRequest(identity.target, init?.method ?? "GET", input, outgoing, body, identity.localAddress);
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) if (typeof value === "string") responseHeaders.set(name, value);
    const empty = response.status === 204 || response.status === 304;
    return new Response(empty ? null : new Uint8Array(response.body), { status: response.status, headers: responseHeaders });
  };
}

function originOf(target: HttpsTarget): string {
  return `https://${target.host}:${target.port}`;
}

export abstract class MeetingMember {
  protected group: GroupSession | undefined;
  private ws: TextWebSocket | undefined;
  private signatureKeys: SignatureKeyPair | undefined;
  private readonly present = new Set<string>();
  private inbox: Promise<void> = Promise.resolve();

  protected constructor(
    protected readonly identity: MemberIdentity,
    protected readonly meetingId: string,
  ) {}

  async join(): Promise<void> {
    const ws = await TextWebSocket.connect(
      this.identity.target,
      "/ws",
      { Origin: originOf(this.identity.target), Cookie: `${SESSION_COOKIE}=${this.identity.cookie}` },
      this.identity.localAddress,
    );
    this.ws = ws;
    ws.onMessage = (text) => {
      this.inbox = this.inbox.then(() => this.onMessage(JSON.parse(text) as ServerMessage)).catch((e: unknown) => this.fail(e));
    };
    ws.onClose = () => this.onClosed();
    this.signatureKeys = await generateSignatureKeyPair();
    this.send({ type: "join", room: this.meetingId, e2ee: { signatureKey: toBase64(this.signatureKeys.publicKey) } });
  }

  leave(): void {
    this.send({ type: "leave" });
    this.ws?.close();
  }

  protected send(message: ClientMessage): void {
    if (this.ws?.open) this.ws.send(JSON.stringify(message));
  }

  /** An error of the appliance, the group or this member: recorded or reported by the subclass. */
  protected abstract fail(e: unknown): void;

  /** The appliance's offer (it is the only offerer); the subclass answers it with `send`. */
  protected abstract onOffer(offer: OfferMessage): Promise<void> | void;

  /** Each epoch's SFrame secret, as the E2EE worker would receive it. */
  protected abstract onEpochSecret(epoch: EpochSecret): void;

  /** Admitted, and the group started (created, joined or waiting for a GroupInfo). */
  protected onJoined(_message: JoinedMessage): void {}

  /** The group's members changed (a new epoch was processed). */
  protected onGroupEpoch(): void {}

  /** The signalling socket closed. */
  protected onClosed(): void {}

  private async onMessage(message: ServerMessage): Promise<void> {
    if (isGroupMessage(message)) {
      this.group?.handle(message);
      return;
    }
    switch (message.type) {
      case "joined":
        await this.startGroup(message);
        this.onJoined(message);
        break;
      case "participant-joined":
        this.present.add(message.participant.id);
        break;
      case "participant-left":
        this.present.delete(message.participantId);
        break;
      case "offer":
        await this.onOffer(message);
        break;
      case "error":
        this.fail(new Error(`${message.code}: ${message.message}`));
        break;
      default:
        break;
    }
  }

  private async startGroup(message: JoinedMessage): Promise<void> {
    const caPublicKey = await crypto.subtle.importKey("spki", fromBase64(message.e2ee.caPublicKey) as BufferSource, { name: "ECDSA", namedCurve: "P-256" }, false, [
      "verify",
    ]);
    this.present.add(message.participantId);
    for (const p of message.participants) this.present.add(p.id);
    fetchIdentities.set(message.e2ee.groupToken, this.identity);
    // The E2EE worker's part: it only ever receives each epoch's SFrame secret.
    const worker = {
      postMessage: (m: PageToWorker) => {
        if (m.type === "epoch") this.onEpochSecret(m);
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
      {
        onEpoch: () => this.onGroupEpoch(),
        onRecording: () => {},
        onChat: () => {},
        onContent: () => {},
        onFailure: (reason) => this.fail(new Error(reason)),
      },
    );
  }
}
