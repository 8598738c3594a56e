// The page's side of the content worker (content-worker.ts): file sealing and opening as promises.
import type { ContentWorkerToPage, PageToContentWorker } from "./content-worker-messages";
import { FileCipherError, type SealProgress, type SealedFile } from "./file-cipher";
import type { FileCrypto } from "./shared-files";

interface Pending {
  resolve(message: ContentWorkerToPage): void;
  reject(error: Error): void;
  onProgress?: SealProgress;
}

export class WorkerFileCrypto implements FileCrypto {
  private readonly worker = new Worker("/js/content-worker.js", { name: "content" });
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker.onmessage = (e: MessageEvent<ContentWorkerToPage>) => this.onMessage(e.data);
  }

  async seal(file: Blob, key: Uint8Array, onProgress?: SealProgress): Promise<SealedFile> {
    const id = this.nextId++;
    const done = this.request(id, onProgress);
    this.post({ type: "seal", id, file, key });
    const reply = await done;
    if (reply.type !== "sealed") throw new Error(`the content worker answered ${reply.type} to seal`);
    return { ciphertext: reply.ciphertext, sha256: reply.sha256, bytes: reply.bytes };
  }

  /** Opens in the worker; the ciphertext is transferred to it, so the caller must not use it after. */
  async open(ciphertext: ArrayBuffer, key: Uint8Array): Promise<ArrayBuffer> {
    const id = this.nextId++;
    const done = this.request(id);
    this.post({ type: "open", id, ciphertext, key }, [ciphertext]);
    const reply = await done;
    if (reply.type !== "opened") throw new Error(`the content worker answered ${reply.type} to open`);
    return reply.plaintext;
  }

  /** Stops the worker; whatever it was doing fails. */
  terminate(): void {
    this.worker.terminate();
    for (const pending of this.pending.values()) pending.reject(new Error("The file worker was stopped."));
    this.pending.clear();
  }

  private request(id: number, onProgress?: SealProgress): Promise<ContentWorkerToPage> {
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, onProgress }));
  }

  private post(message: PageToContentWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private onMessage(message: ContentWorkerToPage): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === "progress") {
      pending.onProgress?.(message.bytesDone);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === "failed") pending.reject(message.tampered ? new FileCipherError(message.message) : new Error(message.message));
    else pending.resolve(message);
  }
}
