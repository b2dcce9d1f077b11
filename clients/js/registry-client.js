// Verify files against the Nexus model registry from a dApp (browser or Node.js >= 20): hashes with WebCrypto,
// reads through a near-api-js provider (anything with `callFunction({contractId, method, args, blockQuery})`).
// No dependencies. The decision rules are nexus-verify's (tools/verify/src/verdict.rs):
//   verified  published in a version that is not revoked (a deprecated one comes with a warning)
//   revoked   published only in revoked versions: must not be used
//   pending   only in versions whose lineage consent check has not finished
//   mismatch  differs from the version it was compared with
//   unknown   not published in this registry

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
   * Where the content `data` is published as a file (same sha256 and size), and the verdict:
   * `{verdict, sha256, size, places, warnings, truncated}`.
   */
  async verifyFile(data) {
    const bytes = bytesOf(data);
    const sha256 = await sha256Hex(bytes);
    const { places, truncated } = await this.places(sha256);
    const size = String(bytes.byteLength);
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
