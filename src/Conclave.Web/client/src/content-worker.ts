// The content worker: seals a shared file as it streams from disk and opens downloaded ones
// (docs/content-sharing.md), off the page's main thread. It holds a share's key only while it works.
import { FileCipherError, openFile, sealFile } from "./content/file-cipher";
import type { ContentWorkerToPage, PageToContentWorker } from "./content/content-worker-messages";

declare const self: DedicatedWorkerGlobalScope;

// One progress message per this many bytes: a chunk each would be 4,096 messages for 256 MiB.
const PROGRESS_EVERY_BYTES = 1024 * 1024;

function post(message: ContentWorkerToPage, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

async function handle(message: PageToContentWorker): Promise<void> {
  switch (message.type) {
    case "seal": {
      let posted = 0;
      const sealed = await sealFile(message.file.stream(), message.key, (bytesDone) => {
        if (bytesDone - posted < PROGRESS_EVERY_BYTES) return;
        posted = bytesDone;
        post({ type: "progress", id: message.id, bytesDone });
      });
      post({ type: "sealed", id: message.id, ...sealed });
      break;
    }
    case "open": {
      const plaintext = await openFile(message.ciphertext, message.key);
      post({ type: "opened", id: message.id, plaintext }, [plaintext]);
      break;
    }
    default:
      message satisfies never;
  }
}

self.onmessage = (e: MessageEvent<PageToContentWorker>) => {
  const message = e.data;
  handle(message)
    .catch((error: unknown) =>
      post({ type: "failed", id: message.id, message: error instanceof Error ? error.message : String(error), tampered: error instanceof FileCipherError }),
    )
    .finally(() => message.key.fill(0));
};
