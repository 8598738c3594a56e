// HTTPS and WSS to the appliance as a browser uses them: a cookie jar, forms with the page's CSRF
// token, a WebSocket (RFC 6455) to /ws with the session cookie and the appliance's Origin. The
// development certificate chains to the appliance's own CA (README), which this client does not
// check: everything stays inside the harness's private network namespace.
import { randomBytes, createHash } from "node:crypto";
import { request } from "node:https";
import { connect as connectTcp } from "node:net";
import { connect, type TLSSocket } from "node:tls";

export interface HttpsTarget {
  host: string;
  port: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTPS request; `localAddress` is the loopback address it comes from (the appliance limits sockets per source). */
export function httpsRequest(
  target: HttpsTarget,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Uint8Array,
  localAddress?: string,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.host, port: target.port, method, path, headers, rejectUnauthorized: false, localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function htmlDecode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith("#x")) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith("#")) return String.fromCodePoint(parseInt(lower.slice(1), 10));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[lower]!;
  });
}

/** A browser-like console client: keeps cookies, never follows redirects, posts forms with their CSRF token. */
export class ConsoleClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly target: HttpsTarget, readonly localAddress?: string) {}

  get origin(): string {
    return `https://${this.target.host}:${this.target.port}`;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  get cookieHeader(): string {
    return Array.from(this.cookies, ([name, value]) => `${name}=${value}`).join("; ");
  }

  async send(method: string, path: string, body?: Uint8Array, contentType?: string): Promise<HttpResponse> {
    const headers: Record<string, string> = { Origin: this.origin };
    if (this.cookies.size > 0) headers.Cookie = this.cookieHeader;
    if (body) {
      headers["Content-Type"] = contentType ?? "application/octet-stream";
      headers["Content-Length"] = String(body.length);
    }
    const response = await httpsRequest(this.target, method, path, headers, body, this.localAddress);
    const setCookie = response.headers["set-cookie"];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair] = line.split(";");
      const equals = pair.indexOf("=");
      this.cookies.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
    }
    return response;
  }

  async page(path: string): Promise<string> {
    const response = await this.send("GET", path);
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
    return response.body.toString("utf8");
  }

  /** Posts the form of an already fetched page with that page's CSRF token (double-submit, as the browser does). */
  submitFrom(page: string, action: string, fields: [string, string][]): Promise<HttpResponse> {
    const token = /name="_csrf" value="([^"]+)"/.exec(page);
    if (!token) throw new Error(`the page posting to ${action} has no form token`);
    const form = new URLSearchParams([["_csrf", htmlDecode(token[1])], ...fields]);
    return this.send("POST", action, Buffer.from(form.toString()), "application/x-www-form-urlencoded");
  }

  async submit(pagePath: string, action: string, fields: [string, string][]): Promise<HttpResponse> {
    return this.submitFrom(await this.page(pagePath), action, fields);
  }
}

export function expectRedirect(response: HttpResponse, what: string, to?: RegExp): string {
  const location = response.headers.location;
  if (response.status !== 302 || typeof location !== "string" || (to && !to.test(location))) {
    throw new Error(`${what} answered ${response.status} ${location ?? ""}: ${response.body.toString("utf8").slice(0, 300)}`);
  }
  return location;
}

const OPCODE_CONTINUATION = 0x0, OPCODE_TEXT = 0x1, OPCODE_CLOSE = 0x8, OPCODE_PING = 0x9, OPCODE_PONG = 0xa;
const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** A text-only WebSocket client (RFC 6455) over TLS: what the meeting page's `new WebSocket("wss://…/ws")` does. */
export class TextWebSocket {
  private buffer: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closed = false;
  onMessage: (text: string) => void = () => {};
  onClose: () => void = () => {};

  private constructor(private readonly socket: TLSSocket) {}

  static connect(target: HttpsTarget, path: string, headers: Record<string, string>, localAddress?: string): Promise<TextWebSocket> {
    return new Promise((resolve, reject) => {
      const key = randomBytes(16).toString("base64");
      const tcp = connectTcp({ host: target.host, port: target.port, localAddress });
      const socket = connect({ socket: tcp, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] });
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.off("data", onData);
        const response = head.subarray(0, end).toString("latin1");
        const accept = createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
        if (!/^HTTP\/1\.1 101 /.test(response) || !response.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)) {
          socket.destroy();
          reject(new Error(`the WebSocket upgrade was refused: ${response.split("\r\n")[0]}`));
          return;
        }
        const ws = new TextWebSocket(socket);
        socket.on("data", (c: Buffer) => ws.receive(c));
        socket.on("close", () => ws.finish());
        socket.on("error", () => ws.finish());
        resolve(ws);
        ws.receive(head.subarray(end + 4));
      };
      socket.on("data", onData);
      socket.once("error", reject);
      socket.once("secureConnect", () => {
        const lines = [
          `GET ${path} HTTP/1.1`,
          `Host: ${target.host}:${target.port}`,
          "Upgrade: websocket",
          "Connection: Upgrade",
          `Sec-WebSocket-Key: ${key}`,
          "Sec-WebSocket-Version: 13",
          ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
        ];
        socket.write(lines.join("\r\n") + "\r\n\r\n");
      });
    });
  }

  get open(): boolean {
    return !this.closed;
  }

  send(text: string): void {
    if (!this.closed) this.writeFrame(OPCODE_TEXT, Buffer.from(text, "utf8"));
  }

  close(): void {
    if (this.closed) return;
    this.writeFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8]));
    this.socket.end();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  /** Client frames are masked (RFC 6455 §5.3). */
  private writeFrame(opcode: number, payload: Buffer): void {
    const mask = randomBytes(4);
    const length = payload.length;
    const header = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    if (length < 126) header[1] = 0x80 | length;
    else if (length < 65536) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(length, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(length), 2);
    }
    const masked = Buffer.alloc(length);
    for (let i = 0; i < length; i++) masked[i] = payload[i] ^ mask[i & 3];
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const fin = (this.buffer[0] & 0x80) !== 0;
      const opcode = this.buffer[0] & 0x0f;
      let length = this.buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      const payload = this.buffer.subarray(offset, offset + length);
      this.buffer = this.buffer.subarray(offset + length);
      if (opcode === OPCODE_PING) this.writeFrame(OPCODE_PONG, Buffer.from(payload));
      else if (opcode === OPCODE_CLOSE) this.close();
      else if (opcode === OPCODE_TEXT || opcode === OPCODE_CONTINUATION) {
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const text = Buffer.concat(this.fragments).toString("utf8");
          this.fragments = [];
          this.onMessage(text);
        }
      }
    }
  }
}
