// TOTP (RFC 6238) as the appliance's console checks it: HMAC-SHA1, 30 s steps, 6 digits
// (src/Conclave.Meetings/Accounts/TotpAuthenticator.cs). The harness enrols its first admin with it.
import { createHmac } from "node:crypto";

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;

const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 §6 base32 without padding, the form the enrolment page shows the secret in. */
export function fromBase32(text: string): Uint8Array {
  const clean = text.replace(/=+$/, "").toUpperCase();
  const out = new Uint8Array(Math.floor((clean.length * 5) / 8));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const c of clean) {
    const digit = BASE32_ALPHABET.indexOf(c);
    if (digit < 0) throw new RangeError("not base32");
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  return out;
}

/** HOTP (RFC 4226 §5.3): dynamic truncation of HMAC-SHA1(secret, counter), reduced to `digits` decimal digits. */
export function hotp(secret: Uint8Array, counter: bigint, digits = TOTP_DIGITS): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const mac = createHmac("sha1", secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, "0");
}

/** RFC 6238 §4.2: T = floor(unix seconds / step), then HOTP of T. */
export function totp(secret: Uint8Array, unixSeconds: number, digits = TOTP_DIGITS): string {
  return hotp(secret, BigInt(Math.floor(unixSeconds / TOTP_STEP_SECONDS)), digits);
}
