// memberlist's encryption (security.go): AES-GCM with a key from the cluster's keyring (16, 24 or
// 32 bytes: AES-128/192/256). An encrypted payload is a version byte, a 12-byte nonce, then the
// sealed message with its 16-byte tag. Version 0 pads the message PKCS#7 to the block size before
// sealing; version 1 (protocol ≥ 2, what memberlist sends by default: net.go:198–205) does not. A
// UDP packet is encrypted whole, with no message-type byte before it and no additional data; a
// stream message is [encrypt type byte][uint32 length], then the payload, with those 5 bytes as
// additional authenticated data (net.go:981–1033).
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export const NONCE_SIZE = 12;
const TAG_SIZE = 16;
const BLOCK_SIZE = 16;

export type EncryptionVersion = 0 | 1;

export class MemberlistCryptoError extends Error {
  override name = "MemberlistCryptoError";
}

function algorithm(key: Uint8Array): "aes-128-gcm" | "aes-192-gcm" | "aes-256-gcm" {
  if (key.length === 16) return "aes-128-gcm";
  if (key.length === 24) return "aes-192-gcm";
  if (key.length === 32) return "aes-256-gcm";
  throw new MemberlistCryptoError(`a memberlist key is 16, 24 or 32 bytes, not ${key.length}`);
}

/** security.go encryptedLength: the size of `length` bytes sealed (version 0 pads to the block). */
export function encryptedLength(version: EncryptionVersion, length: number): number {
  return 1 + NONCE_SIZE + length + (version === 0 ? BLOCK_SIZE - (length % BLOCK_SIZE) : 0) + TAG_SIZE;
}

/** security.go encryptPayload: seals `message` with `key`; `nonce` defaults to a fresh random one. */
export function encryptPayload(
  version: EncryptionVersion,
  key: Uint8Array,
  message: Uint8Array,
  aad?: Uint8Array,
  nonce: Uint8Array = randomBytes(NONCE_SIZE),
): Buffer {
  if (nonce.length !== NONCE_SIZE) throw new MemberlistCryptoError(`a nonce is ${NONCE_SIZE} bytes`);
  const cipher = createCipheriv(algorithm(key), key, nonce);
  if (aad) cipher.setAAD(aad);
  const padding = version === 0 ? BLOCK_SIZE - (message.length % BLOCK_SIZE) : 0;
  const plain = padding > 0 ? Buffer.concat([message, Buffer.alloc(padding, padding)]) : message;
  const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([Buffer.of(version), nonce, sealed]);
}

export interface Opened {
  plain: Buffer;
  version: EncryptionVersion;
  nonce: Buffer;
  /** Which of the keys opened it (memberlist tries every installed key, primary first). */
  keyIndex: number;
}

/** security.go decryptPayload: tries each key in turn; throws when none opens it. */
export function decryptPayload(keys: readonly Uint8Array[], payload: Uint8Array, aad?: Uint8Array): Opened {
  if (payload.length === 0) throw new MemberlistCryptoError("Cannot decrypt empty payload");
  const version = payload[0]!;
  if (version > 1) throw new MemberlistCryptoError(`Unsupported encryption version ${version}`);
  if (payload.length < 1 + NONCE_SIZE + TAG_SIZE + (version === 0 ? BLOCK_SIZE : 0)) throw new MemberlistCryptoError("Payload is too small to decrypt");
  const nonce = Buffer.from(payload.subarray(1, 1 + NONCE_SIZE));
  const sealed = payload.subarray(1 + NONCE_SIZE, payload.length - TAG_SIZE);
  const tag = payload.subarray(payload.length - TAG_SIZE);
  for (const [keyIndex, key] of keys.entries()) {
    try {
      const decipher = createDecipheriv(algorithm(key), key, nonce);
      if (aad) decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      let plain = Buffer.concat([decipher.update(sealed), decipher.final()]);
      if (version === 0) plain = plain.subarray(0, plain.length - plain[plain.length - 1]!);
      return { plain, version: version as EncryptionVersion, nonce, keyIndex };
    } catch (error) {
      if (error instanceof MemberlistCryptoError) throw error;
      // not this key: try the next
    }
  }
  throw new MemberlistCryptoError("No installed keys could decrypt the message");
}
