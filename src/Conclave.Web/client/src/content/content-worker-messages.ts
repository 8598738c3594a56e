// What the page and the content worker (content-worker.ts) tell each other: shared files are sealed
// and opened off the main thread, so a 200 MB series does not stall the meeting's video.

export type PageToContentWorker =
  /** Seal a file under its share's key (content/file-cipher.ts), reading it from File.stream(). */
  | { type: "seal"; id: number; file: Blob; key: Uint8Array }
  /** Open a downloaded ciphertext; it is transferred, so the page no longer holds it. */
  | { type: "open"; id: number; ciphertext: ArrayBuffer; key: Uint8Array };

export type ContentWorkerToPage =
  | { type: "progress"; id: number; bytesDone: number }
  | { type: "sealed"; id: number; ciphertext: Blob; sha256: Uint8Array; bytes: number }
  /** The plaintext, transferred. */
  | { type: "opened"; id: number; plaintext: ArrayBuffer }
  /** tampered: the ciphertext failed authentication (FileCipherError), as opposed to a failure of the browser. */
  | { type: "failed"; id: number; message: string; tampered: boolean };
