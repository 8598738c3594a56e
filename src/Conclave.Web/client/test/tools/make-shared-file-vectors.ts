// Writes tests/vectors/shared-file.json: files sealed by this client's content/file-cipher.ts under a
// fixed key and nonce prefix, at the sizes around the 64 KiB chunk boundary. test/file-cipher.test.ts
// opens them and seals them again to the same bytes; tests/Conclave.Crypto.Tests/SharedFileCrossVectorTests.cs
// opens them with SharedFileCiphertext and seals them again to the same bytes in C# — so each side's
// ciphertext is the other's, and each opens it. Every input comes from fixed seeds, so a rerun writes
// the same file. Regenerate with (from src/Conclave.Web/client):
//   npx esbuild test/tools/make-shared-file-vectors.ts --bundle --platform=node --format=esm \
//     --outfile=../../../artifacts/client-tests/make-shared-file-vectors.mjs && node ../../../artifacts/client-tests/make-shared-file-vectors.mjs
import { writeFileSync } from "node:fs";
import { openFile, sealFileWithNoncePrefix } from "../../src/content/file-cipher";
import { type SharedFileVectorFile, SHARED_FILE_VECTOR_SIZES, sharedFilePlaintext, sharedFileVectorKey, sharedFileVectorPrefix } from "../support/shared-file-vectors";
import { repositoryPath, toHex } from "../support/sframe-vectors";

const key = await sharedFileVectorKey();
const prefix = await sharedFileVectorPrefix();
const file: SharedFileVectorFile = {
  about:
    "Shared files sealed by src/Conclave.Web/client/src/content/file-cipher.ts (test/tools/make-shared-file-vectors.ts): \"CNSF\" ‖ 1 ‖ nonce prefix, then 64 KiB AES-256-GCM STREAM chunks (docs/content-sharing.md). The plaintext of n bytes is the seeded bytes of \"shared file <n> bytes\" (SHA-256(seed ‖ \":\" ‖ block) blocks). Checked by test/file-cipher.test.ts and tests/Conclave.Crypto.Tests/SharedFileCrossVectorTests.cs, which both open the ciphertext and seal the plaintext again to the same bytes. key and noncePrefix are hex, plaintextSha256 hex, ciphertext base64.",
  key: toHex(key),
  noncePrefix: toHex(prefix),
  vectors: [],
};
for (const bytes of SHARED_FILE_VECTOR_SIZES) {
  const plaintext = await sharedFilePlaintext(bytes);
  const sealed = await sealFileWithNoncePrefix(new Blob([plaintext]), key, prefix);
  const ciphertext = new Uint8Array(await sealed.ciphertext.arrayBuffer());
  if (toHex(new Uint8Array(await openFile(ciphertext.buffer, key))) !== toHex(plaintext)) throw new Error(`${bytes} bytes: did not open to its plaintext`);
  file.vectors.push({ bytes, plaintextSha256: toHex(sealed.sha256), ciphertext: Buffer.from(ciphertext).toString("base64") });
}
writeFileSync(repositoryPath("tests/vectors/shared-file.json"), `${JSON.stringify(file, null, 2)}\n`);
console.log(`wrote ${file.vectors.length} vectors`);
