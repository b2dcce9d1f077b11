// Verify files against the Nexus model registry from a dApp (browser or Node.js >= 20): hashes with WebCrypto,
// reads through a near-api-js provider (anything with `callFunction({contractId, method, args, blockQuery})`).
// No dependencies. The decision rules are nexus-verify's (tools/verify/src/verdict.rs):
//   verified  published in a version that is not revoked (a deprecated one comes with a warning)
//   revoked   published only in revoked versions: must not be used
//   pending   only in versions whose lineage consent check has not finished
//   mismatch  differs from the version it was compared with
//   unknown   not published in this registry

import { Sha256 } from './sha256.js';

export { Sha256 };

export const MANIFEST_DOMAIN = 'nexus-model-manifest/v1\n';

/** Page size of the registry's list views (their maximum). */
const PAGE = 100;
/** At most this many places are read for one digest. */
export const MAX_PLACES = 1000;

const utf8 = new TextEncoder();

function toHex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

function bytesOf(data) {
  if (typeof data === 'string') return utf8.encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError('expected a string, an ArrayBuffer or a typed array');
}

/** sha256 of `data` (string, ArrayBuffer or typed array) as 64 lowercase hex characters. */
export async function sha256Hex(data) {
  return toHex(await globalThis.crypto.subtle.digest('SHA-256', bytesOf(data)));
}

/**
 * sha256 and size of content that arrives in pieces (any iterable or async iterable of typed arrays or
 * ArrayBuffers, e.g. a fetch body or `file.stream()`), without holding it: `{sha256, size}` (size a decimal
 * string).
 */
export async function sha256Stream(pieces) {
  const hasher = new Sha256();
  let size = 0n;
  for await (const piece of pieces) {
    const bytes = bytesOf(piece);
    hasher.update(bytes);
    size += BigInt(bytes.byteLength);
  }
  return { sha256: toHex(hasher.digest()), size: String(size) };
}

/** A manifest entry as `publish_version` takes it: `{path, sha256, size}` (size a decimal string). */
export async function fileEntry(path, data) {
  const bytes = bytesOf(data);
  return { path, sha256: await sha256Hex(bytes), size: String(bytes.byteLength) };
}

/** Compares paths by their UTF-8 bytes, the registry's canonical order (JS string order is UTF-16's). */
export function compareUtf8(a, b) {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

/**
 * The registry's manifest digest of `files` ([{path, sha256, size}], any order): sha256 over
 * "nexus-model-manifest/v1\n" and, per file sorted by path bytes, `path\nsha256-lowercase-hex\nsize\n`.
 */
export async function manifestDigest(files) {
  const sorted = [...files].sort((a, b) => compareUtf8(a.path, b.path));
  let text = MANIFEST_DOMAIN;
  for (const f of sorted) {
    text += `${f.path}\n${String(f.sha256).toLowerCase()}\n${BigInt(f.size).toString()}\n`;
  }
  return sha256Hex(text);
}

// ---- Chunked Merkle roots (contracts/model-registry/src/manifest.rs) ----
// A file may be published with `merkle: {chunk_size, root}`: the RFC 9162 tree over the file cut into
// `chunk_size`-byte chunks (the last one shorter; no chunks for an empty file). leaf = sha256(0x00 ‖ chunk),
// node = sha256(0x01 ‖ left ‖ right), a list of n > 1 leaves splits at the largest power of two below n, and
// the root of no leaves is sha256(""). A downloader checks a multi-gigabyte file chunk by chunk as it
// arrives, holding one chunk in memory, never the file.

/** Bytes per chunk: a power of two from 1 KiB to 1 GiB (the registry's rule). */
export const MIN_CHUNK_SIZE = 1024;
export const MAX_CHUNK_SIZE = 1024 * 1024 * 1024;

export function validChunkSize(n) {
  return Number.isInteger(n) && n >= MIN_CHUNK_SIZE && n <= MAX_CHUNK_SIZE && (n & (n - 1)) === 0;
}

async function digest(bytes) {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

/** `sha256(0x00 ‖ chunk)`. */
export async function leafHash(chunk) {
  const bytes = bytesOf(chunk);
  const buf = new Uint8Array(bytes.byteLength + 1);
  buf.set(bytes, 1);
  return digest(buf);
}

async function nodeHash(left, right) {
  const buf = new Uint8Array(65);
  buf[0] = 1;
  buf.set(left, 1);
  buf.set(right, 33);
  return digest(buf);
}

function fromHex(hex, what) {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error(`${what} must be 64 hex characters, got ${JSON.stringify(hex)}`);
  }
  return Uint8Array.from(hex.match(/../g), (b) => parseInt(b, 16));
}

async function rootOf(leaves) {
  if (leaves.length === 0) return digest(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(await rootOf(leaves.slice(0, k)), await rootOf(leaves.slice(k)));
}

/** The root (hex) over `leaves`: leaf hashes as 32-byte arrays or 64 hex characters. */
export async function merkleRoot(leaves) {
  return toHex(await rootOf(leaves.map((l, i) => (typeof l === 'string' ? fromHex(l, `leaves[${i}]`) : l))));
}

/**
 * A file's chunk list, as `nexus-verify chunks` prints it (without `path`): `{sha256, size, chunk_size,
 * root, leaves}`. `root` is what `publish_version` takes as `merkle.root`; `leaves`, published next to the
 * file, let a downloader check every chunk as it arrives (see `ChunkVerifier`).
 */
export async function chunkList(data, chunkSize) {
  if (!validChunkSize(chunkSize)) throw new Error(`chunk size ${chunkSize} must be a power of two from 1024 to 1073741824`);
  const bytes = bytesOf(data);
  const leaves = [];
  for (let at = 0; at < bytes.byteLength; at += chunkSize) leaves.push(await leafHash(bytes.subarray(at, at + chunkSize)));
  return {
    sha256: await sha256Hex(bytes),
    size: String(bytes.byteLength),
    chunk_size: chunkSize,
    root: toHex(await rootOf(leaves)),
    leaves: leaves.map(toHex),
  };
}

/** A chunk that is not the one published: which, and where in the file. */
export class ChunkMismatchError extends Error {
  constructor(index, offset, length) {
    super(`chunk ${index} (bytes ${offset}..${offset + length}) differs from the published file`);
    this.name = 'ChunkMismatchError';
    this.index = index;
    this.offset = offset;
    this.length = length;
  }
}

/**
 * Checks a file against its published entry (`{size, merkle: {chunk_size, root}}`, as version views show
 * files) while it arrives, one chunk in memory at a time.
 *
 * With the file's leaf list (`leaves`, e.g. from a chunk list published next to the file: untrusted, so it is
 * checked against the root on chain first), every chunk is checked as soon as it is complete and the first bad
 * one throws `ChunkMismatchError`, so a download from a bad mirror stops there; `checkChunk` checks chunks
 * fetched out of order (parallel range requests). Without it, the root is computed from the chunks and
 * compared at `finish`.
 */
export class ChunkVerifier {
  static async create(entry, { leaves } = {}) {
    const merkle = entry?.merkle;
    if (!merkle) throw new Error(`${entry?.path ?? 'the file'} has no chunked Merkle root: verify the whole file instead`);
    const v = new ChunkVerifier(BigInt(entry.size), merkle.chunk_size, fromHex(merkle.root, 'merkle.root'));
    if (leaves) {
      if (leaves.length !== v.count) {
        throw new Error(`the leaf list has ${leaves.length} leaves; a ${entry.size}-byte file has ${v.count} chunks of ${v.chunkSize} bytes`);
      }
      const listed = leaves.map((l, i) => fromHex(l, `leaves[${i}]`));
      if (toHex(await rootOf(listed)) !== merkle.root.toLowerCase()) {
        throw new Error('the leaf list does not match the Merkle root published in the registry');
      }
      v.leaves = listed;
    }
    return v;
  }

  constructor(size, chunkSize, root) {
    if (!validChunkSize(chunkSize)) throw new Error(`chunk size ${chunkSize} must be a power of two from 1024 to 1073741824`);
    this.size = size;
    this.chunkSize = chunkSize;
    this.root = root;
    this.count = Number((size + BigInt(chunkSize) - 1n) / BigInt(chunkSize));
    this.leaves = null;
    this.computed = [];
    // Chunk being filled, after the 0x00 leaf prefix, so a full chunk is hashed without a copy.
    this.buf = new Uint8Array(Math.min(chunkSize, Number(size)) + 1);
    this.filled = 0;
    this.received = 0n;
  }

  /** Byte length of chunk `index` (the last one may be shorter). */
  chunkLength(index) {
    const offset = BigInt(index) * BigInt(this.chunkSize);
    const rest = this.size - offset;
    return Number(rest < BigInt(this.chunkSize) ? rest : BigInt(this.chunkSize));
  }

  /** Whether `bytes` are chunk `index` of the published file (needs the leaf list). */
  async checkChunk(index, bytes) {
    if (!this.leaves) throw new Error('checking a single chunk needs the leaf list (ChunkVerifier.create(entry, {leaves}))');
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return false;
    const data = bytesOf(bytes);
    if (data.byteLength !== this.chunkLength(index)) return false;
    return toHex(await leafHash(data)) === toHex(this.leaves[index]);
  }

  /** Takes the next bytes of the file, in pieces of any size. */
  async update(piece) {
    const bytes = bytesOf(piece);
    if (this.received + BigInt(bytes.byteLength) > this.size) {
      throw new Error(`more bytes than the published ${this.size}`);
    }
    this.received += BigInt(bytes.byteLength);
    let at = 0;
    while (at < bytes.byteLength) {
      const index = this.computed.length;
      const want = this.chunkLength(index) - this.filled;
      const take = Math.min(want, bytes.byteLength - at);
      this.buf.set(bytes.subarray(at, at + take), 1 + this.filled);
      this.filled += take;
      at += take;
      if (take === want) await this.close(index);
    }
  }

  async close(index) {
    const leaf = await digest(this.buf.subarray(0, 1 + this.filled));
    if (this.leaves && toHex(leaf) !== toHex(this.leaves[index])) {
      throw new ChunkMismatchError(index, index * this.chunkSize, this.filled);
    }
    this.computed.push(leaf);
    this.filled = 0;
  }

  /** After the last byte: `{verdict: 'verified' | 'mismatch', reason?}`. */
  async finish() {
    if (this.received !== this.size) {
      return { verdict: 'mismatch', reason: `received ${this.received} bytes, the published file has ${this.size}` };
    }
    const root = toHex(await rootOf(this.computed));
    return root === toHex(this.root)
      ? { verdict: 'verified', root }
      : { verdict: 'mismatch', reason: `Merkle root ${root} differs from the published ${toHex(this.root)}` };
  }
}

/** What one published version says about content found in it. */
export function versionVerdict(publication, status) {
  if (publication !== 'published') return 'pending';
  return status?.state === 'revoked' ? 'revoked' : 'verified';
}

/** What a set of places publishing the same content says (the most trustworthy answer wins). */
export function placesVerdict(places) {
  const verdicts = places.map((p) => versionVerdict(p.publication, p.status));
  for (const v of ['verified', 'revoked', 'pending']) {
    if (verdicts.includes(v)) return v;
  }
  return 'unknown';
}

/** Deprecation warnings of the usable versions among `places`, each version once. */
function deprecationWarnings(places) {
  const seen = new Set();
  const warnings = [];
  for (const p of places) {
    const id = `${p.model_id}@${p.version}`;
    if (p.status?.state !== 'deprecated' || versionVerdict(p.publication, p.status) !== 'verified' || seen.has(id)) continue;
    seen.add(id);
    const successor = p.status.successor ? ` (successor: ${p.model_id}@${p.status.successor})` : '';
    warnings.push(`${id} is deprecated: ${p.status.message}${successor}`);
  }
  return warnings;
}

function splitVersionId(versionId) {
  const at = versionId.indexOf('@');
  const modelId = versionId.slice(0, at);
  const version = versionId.slice(at + 1);
  if (at < 0 || !modelId.includes('/') || !version) {
    throw new Error(`invalid version id ${JSON.stringify(versionId)}: expected namespace/name@version`);
  }
  return { modelId, version };
}

export class RegistryClient {
  /**
   * @param provider a near-api-js provider (JsonRpcProvider, FailoverRpcProvider, …)
   * @param registryId the registry's account
   * @param blockQuery which block views read, default `{finality: 'final'}`
   */
  constructor(provider, registryId, { blockQuery = { finality: 'final' } } = {}) {
    this.provider = provider;
    this.registryId = registryId;
    this.blockQuery = blockQuery;
  }

  view(method, args) {
    return this.provider.callFunction({ contractId: this.registryId, method, args, blockQuery: this.blockQuery });
  }

  /** Every place `sha256` (hex; a file hash or a manifest digest) is published, and whether the list was cut. */
  async places(sha256) {
    const places = [];
    for (;;) {
      const page = await this.view('lookup_hash', { sha256, from_index: places.length, limit: PAGE });
      places.push(...page);
      if (page.length < PAGE) return { places, truncated: false };
      if (places.length >= MAX_PLACES) return { places, truncated: true };
    }
  }

  /**
   * `namespace/name@version` as is, or the version `namespace/name:alias` points to now (e.g.
   * `acme/sentiment:production`).
   */
  async resolve(expected) {
    if (expected.includes('@')) return expected;
    const colon = expected.indexOf(':');
    const modelId = expected.slice(0, colon);
    const alias = expected.slice(colon + 1);
    if (colon < 0 || !modelId.includes('/') || !alias) {
      throw new Error(`invalid version ${JSON.stringify(expected)}: expected namespace/name@version or namespace/name:alias`);
    }
    const view = await this.view('get_alias', { model_id: modelId, alias });
    if (!view) throw new Error(`${modelId} has no alias ${JSON.stringify(alias)}`);
    if (!view.version) throw new Error(`alias ${JSON.stringify(alias)} of ${modelId} points to no version (it was removed)`);
    return `${modelId}@${view.version}`;
  }

  /** A version as `get_version` shows it, or null. */
  getVersion(versionId) {
    const { modelId, version } = splitVersionId(versionId);
    return this.view('get_version', { model_id: modelId, version });
  }

  /**
   * A `ChunkVerifier` for file `path` of a version (`model@version` or `model:alias`), to check a download
   * chunk by chunk; `leaves` is the file's leaf list if the publisher provides one. Fails if the version has no
   * such file or the file no Merkle root.
   */
  async chunkVerifier(expected, path, { leaves } = {}) {
    const versionId = await this.resolve(expected);
    const version = await this.getVersion(versionId);
    if (!version) throw new Error(`${versionId} is not in the registry`);
    const file = version.files.find((f) => f.path === path);
    if (!file) throw new Error(`${versionId} has no file ${JSON.stringify(path)}`);
    return ChunkVerifier.create(file, { leaves });
  }

  /**
   * Where the content `data` is published as a file (same sha256 and size), and the verdict:
   * `{verdict, sha256, size, places, warnings, truncated}`.
   */
  async verifyFile(data) {
    const bytes = bytesOf(data);
    return this.verifyDigest(await sha256Hex(bytes), String(bytes.byteLength));
  }

  /**
   * `verifyFile` for content that arrives in pieces (a fetch body, `file.stream()`, any async iterable of
   * bytes), hashed as it streams with one 64-byte block in memory.
   */
  async verifyStream(pieces) {
    const { sha256, size } = await sha256Stream(pieces);
    return this.verifyDigest(sha256, size);
  }

  /** Where a file of this sha256 (hex) and size (decimal string) is published, and the verdict. */
  async verifyDigest(sha256, size) {
    const { places, truncated } = await this.places(sha256);
    const files = places.filter((p) => p.path !== null && p.size === size);
    return { verdict: placesVerdict(files), sha256, size, places: files, warnings: deprecationWarnings(files), truncated };
  }

  /**
   * A set of files (`{path: data}`, e.g. from a folder the user dropped) against one version's manifest
   * (`model@version`, or `model:alias` for the version an alias points to now):
   * `{verdict, version, matching, missing, modified, extra, warnings}`; with `exact`, extra files fail too.
   */
  async verifyAgainst(expected, filesByPath, { exact = false } = {}) {
    const versionId = await this.resolve(expected);
    const version = await this.getVersion(versionId);
    if (!version) throw new Error(`${versionId} is not in the registry`);
    const local = new Map();
    for (const [path, data] of Object.entries(filesByPath)) local.set(path, await fileEntry(path, data));
    const matching = [];
    const missing = [];
    const modified = [];
    for (const f of version.files) {
      const here = local.get(f.path);
      if (!here) missing.push(f.path);
      else if (here.sha256 === f.sha256.toLowerCase() && here.size === f.size) matching.push(f.path);
      else modified.push({ path: f.path, expected_sha256: f.sha256, local_sha256: here.sha256, expected_size: f.size, local_size: here.size });
    }
    const listed = new Set(version.files.map((f) => f.path));
    const extra = [...local.keys()].filter((p) => !listed.has(p)).sort(compareUtf8);
    const holds = missing.length === 0 && modified.length === 0 && (!exact || extra.length === 0);
    const place = { model_id: version.model_id, version: version.version, publication: version.publication, status: version.status };
    return {
      verdict: holds ? versionVerdict(version.publication, version.status) : 'mismatch',
      version,
      matching,
      missing,
      modified,
      extra,
      warnings: holds ? deprecationWarnings([place]) : [],
    };
  }
}
