// The LZW that memberlist compresses with (util.go:238–278: Go's compress/lzw, LSB bit order, 8-bit
// literals): a decoder that follows Go's reader step by step (compress/lzw/reader.go decode), so
// that what a real node compressed is read as Go reads it. Codes start 9 bits wide and grow to 12;
// 256 clears the table, 257 ends the stream. No npm package implements this variant (GIF's and
// TIFF's differ in bit order or in when the width grows).

const MAX_WIDTH = 12;
const CLEAR = 256;
const EOF = 257;
const INVALID = 0xffff;

export class LzwError extends Error {
  override name = "LzwError";
}

/** Decompresses Go compress/lzw (LSB, litWidth 8) data; throws LzwError on a code the stream cannot hold. */
export function lzwDecompress(input: Uint8Array): Uint8Array {
  const suffix = new Uint8Array(1 << MAX_WIDTH);
  const prefix = new Uint16Array(1 << MAX_WIDTH);
  const out: number[] = [];
  const chain: number[] = [];
  let width = 9;
  let hi = EOF;
  let overflow = 1 << width;
  let last = INVALID;
  let bits = 0;
  let nBits = 0;
  let pos = 0;
  for (;;) {
    while (nBits < width) {
      if (pos >= input.length) throw new LzwError("the stream ended before its end code");
      bits |= input[pos++]! << nBits;
      nBits += 8;
    }
    const code = bits & ((1 << width) - 1);
    bits >>>= width;
    nBits -= width;
    if (code < CLEAR) {
      out.push(code);
      if (last !== INVALID) {
        suffix[hi] = code;
        prefix[hi] = last;
      }
    } else if (code === CLEAR) {
      width = 9;
      hi = EOF;
      overflow = 1 << width;
      last = INVALID;
      continue;
    } else if (code === EOF) {
      return Uint8Array.from(out);
    } else if (code <= hi) {
      chain.length = 0;
      let c = code;
      if (code === hi && last !== INVALID) {
        // The code being defined: the last expansion followed by its own first byte.
        let head = last;
        while (head >= CLEAR) head = prefix[head]!;
        chain.push(head);
        c = last;
      }
      while (c >= CLEAR) {
        chain.push(suffix[c]!);
        c = prefix[c]!;
      }
      chain.push(c);
      for (let i = chain.length - 1; i >= 0; i--) out.push(chain[i]!);
      if (last !== INVALID) {
        suffix[hi] = c;
        prefix[hi] = last;
      }
    } else {
      throw new LzwError(`code ${code} is past the table (${hi})`);
    }
    last = code;
    hi++;
    if (hi >= overflow) {
      if (width === MAX_WIDTH) {
        last = INVALID;
        hi--;
      } else {
        width++;
        overflow = 1 << width;
      }
    }
  }
}

/**
 * Compresses as Go's compress/lzw Writer does (writer.go: a clear code first, codes growing from 9
 * to 12 bits, a clear code when the table fills, the end code last), so that a fake member can send
 * what a real node would decompress.
 */
export function lzwCompress(input: Uint8Array): Uint8Array<ArrayBuffer> {
  const out: number[] = [];
  let bits = 0;
  let nBits = 0;
  let width = 9;
  let hi = EOF;
  let overflow = 1 << width;
  let table = new Map<number, number>();
  const write = (code: number) => {
    bits |= code << nBits;
    nBits += width;
    while (nBits >= 8) {
      out.push(bits & 0xff);
      bits >>>= 8;
      nBits -= 8;
    }
  };
  /** false when the table was full and has been cleared (the key is not inserted then). */
  const incHi = (): boolean => {
    hi++;
    if (hi === overflow) {
      width++;
      overflow <<= 1;
    }
    if (hi === (1 << MAX_WIDTH) - 1) {
      write(CLEAR);
      width = 9;
      hi = EOF;
      overflow = 1 << width;
      table = new Map();
      return false;
    }
    return true;
  };
  write(CLEAR);
  if (input.length > 0) {
    let code = input[0]!;
    for (let i = 1; i < input.length; i++) {
      const literal = input[i]!;
      const key = (code << 8) | literal;
      const hit = table.get(key);
      if (hit !== undefined) {
        code = hit;
        continue;
      }
      write(code);
      code = literal;
      if (incHi()) table.set(key, hi);
    }
    write(code);
    incHi();
  }
  write(EOF);
  if (nBits > 0) out.push(bits & 0xff);
  return Uint8Array.from(out);
}
