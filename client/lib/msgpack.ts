// A small MessagePack codec standing in for `msgpackr` in the browser build (vite.config.ts
// aliases it): the Colyseus SDK uses msgpackr only to pack the payloads of `room.send` and to
// unpack the server's messages, and msgpackr costs 10 KB gzip of a member's 120 KB budget.
// It covers plain data — null, booleans, numbers, strings, arrays, objects, bytes — which is all
// the Roundtable protocol sends. The server packs with `useRecords: false`: standard MessagePack.

/** msgpackr's flag for `pack(value, RESERVE_START_SPACE | n)`: leave n bytes free at the start. */
export const RESERVE_START_SPACE = 2048;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

class Writer {
  bytes = new Uint8Array(256);
  length = 0;
  #view = new DataView(this.bytes.buffer);

  ensure(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes);
    this.bytes = next;
    this.#view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.bytes[this.length++] = b;
  }

  /** A type byte followed by an unsigned big-endian number of `size` bytes. */
  head(type: number, size: 1 | 2 | 4, n: number): void {
    this.byte(type);
    this.ensure(size);
    if (size === 1) this.#view.setUint8(this.length, n);
    else if (size === 2) this.#view.setUint16(this.length, n);
    else this.#view.setUint32(this.length, n);
    this.length += size;
  }

  float(n: number): void {
    this.byte(0xcb);
    this.ensure(8);
    this.#view.setFloat64(this.length, n);
    this.length += 8;
  }

  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  /** The header of a string, bytes, array or map of length n, in its shortest form. */
  sized(n: number, fix: number, fixMax: number, one: number, two: number, four: number): void {
    if (n < fixMax && fix >= 0) this.byte(fix | n);
    else if (n < 0x100 && one >= 0) this.head(one, 1, n);
    else if (n < 0x10000) this.head(two, 2, n);
    else this.head(four, 4, n);
  }
}

function write(w: Writer, value: unknown): void {
  if (value === null || value === undefined) return w.byte(0xc0);
  if (value === false) return w.byte(0xc2);
  if (value === true) return w.byte(0xc3);
  if (typeof value === "number") {
    if (!Number.isInteger(value) || Math.abs(value) > 0xffffffff) return w.float(value);
    if (value >= 0) {
      if (value < 0x80) return w.byte(value);
      if (value < 0x100) return w.head(0xcc, 1, value);
      if (value < 0x10000) return w.head(0xcd, 2, value);
      return w.head(0xce, 4, value);
    }
    if (value >= -0x20) return w.byte(value & 0xff);
    if (value >= -0x80) return w.head(0xd0, 1, value & 0xff);
    if (value >= -0x8000) return w.head(0xd1, 2, value & 0xffff);
    if (value >= -0x80000000) return w.head(0xd2, 4, value >>> 0);
    return w.float(value);
  }
  if (typeof value === "string") {
    const data = utf8.encode(value);
    w.sized(data.length, 0xa0, 32, 0xd9, 0xda, 0xdb);
    return w.raw(data);
  }
  if (value instanceof Uint8Array) {
    w.sized(value.length, -1, 0, 0xc4, 0xc5, 0xc6);
    return w.raw(value);
  }
  if (Array.isArray(value)) {
    w.sized(value.length, 0x90, 16, -1, 0xdc, 0xdd);
    for (const item of value) write(w, item);
    return;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    w.sized(entries.length, 0x80, 16, -1, 0xde, 0xdf);
    for (const [k, v] of entries) {
      write(w, k);
      write(w, v);
    }
    return;
  }
  throw new TypeError(`Cannot pack a ${typeof value}.`);
}

/** msgpackr's `Packr`, as far as the SDK uses it. */
export class Packr {
  /** Packs a value; `options` may reserve free bytes at the start (RESERVE_START_SPACE | n). */
  pack(value: unknown, options = 0): Uint8Array {
    const w = new Writer();
    const reserve = options & RESERVE_START_SPACE ? options & 0xff : 0;
    w.ensure(reserve);
    w.length = reserve;
    write(w, value);
    return w.bytes.subarray(0, w.length);
  }
}

class Reader {
  #view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    public at: number,
  ) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  uint(size: 1 | 2 | 4 | 8): number {
    const v = this.#view;
    const at = this.at;
    this.at += size;
    if (size === 1) return v.getUint8(at);
    if (size === 2) return v.getUint16(at);
    if (size === 4) return v.getUint32(at);
    return Number(v.getBigUint64(at));
  }

  int(size: 1 | 2 | 4 | 8): number {
    const v = this.#view;
    const at = this.at;
    this.at += size;
    if (size === 1) return v.getInt8(at);
    if (size === 2) return v.getInt16(at);
    if (size === 4) return v.getInt32(at);
    return Number(v.getBigInt64(at));
  }

  float(size: 4 | 8): number {
    const at = this.at;
    this.at += size;
    return size === 4 ? this.#view.getFloat32(at) : this.#view.getFloat64(at);
  }

  take(n: number): Uint8Array {
    const part = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return part;
  }
}

const sizes = [1, 2, 4, 8] as const;

function read(r: Reader): unknown {
  const b = r.uint(1);
  if (b < 0x80) return b;
  if (b < 0x90) return readMap(r, b & 0x0f);
  if (b < 0xa0) return readArray(r, b & 0x0f);
  if (b < 0xc0) return fromUtf8.decode(r.take(b & 0x1f));
  if (b >= 0xe0) return b - 0x100;
  switch (b) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
    case 0xc5:
    case 0xc6:
      return r.take(r.uint(sizes[b - 0xc4]!)).slice();
    case 0xc7:
    case 0xc8:
    case 0xc9: {
      const n = r.uint(sizes[b - 0xc7]!);
      return readExt(r, n);
    }
    case 0xca:
      return r.float(4);
    case 0xcb:
      return r.float(8);
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
      return r.uint(sizes[b - 0xcc]!);
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
      return r.int(sizes[b - 0xd0]!);
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return readExt(r, [1, 2, 4, 8, 16][b - 0xd4]!);
    case 0xd9:
    case 0xda:
    case 0xdb:
      return fromUtf8.decode(r.take(r.uint(sizes[b - 0xd9]!)));
    case 0xdc:
    case 0xdd:
      return readArray(r, r.uint(sizes[b - 0xdb]!));
    case 0xde:
    case 0xdf:
      return readMap(r, r.uint(sizes[b - 0xdd]!));
    default:
      throw new RangeError(`Unknown MessagePack byte 0x${b.toString(16)}.`);
  }
}

/** Extensions: msgpackr writes `undefined` as fixext 1 of type 0; others are not ours. */
function readExt(r: Reader, n: number): unknown {
  const type = r.int(1);
  const data = r.take(n);
  if (type === 0 && n === 1) return undefined;
  if (type === -1 && (n === 4 || n === 8)) {
    // The timestamp extension: seconds (and nanoseconds) since the epoch.
    const view = new DataView(data.buffer, data.byteOffset, n);
    return new Date(
      n === 4 ? view.getUint32(0) * 1000 : Number(view.getBigUint64(0) & 0x3ffffffffn) * 1000,
    );
  }
  return data.slice();
}

function readArray(r: Reader, n: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(read(r));
  return out;
}

function readMap(r: Reader, n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const key = String(read(r));
    out[key] = read(r);
  }
  return out;
}

/** Unpacks one value from `buffer`, starting at `options.start`. */
export function unpack(buffer: Uint8Array, options: { start?: number } = {}): unknown {
  return read(new Reader(buffer, options.start ?? 0));
}
