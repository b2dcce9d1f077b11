// The dApp side of verification: clients/js/registry-client.js with near-api-js against a model registry
// on the local node. A frontend hashes what the user has (WebCrypto), asks the registry through the
// provider it already uses, and gets the same verdicts as nexus-verify.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Account, JsonRpcProvider, KeyPair, actions, nearToYocto, teraToGas } from 'near-api-js';

import {
  ChunkMismatchError,
  ChunkVerifier,
  RegistryClient,
  Sha256,
  chunkList,
  compareUtf8,
  fileEntry,
  leafHash,
  manifestDigest,
  merkleRoot,
  placesVerdict,
  sha256Hex,
  sha256Stream,
} from '../../../clients/js/registry-client.js';
import { REPO_ROOT, startSandbox } from './sandbox_node.js';

const REGISTRY_WASM = join(REPO_ROOT, 'target/near/model-registry/model_registry.wasm');
const MODEL = 'acme/sentiment';
const TIMEOUT_MS = 120_000;

describe('registry client (clients/js) with near-api-js against a model registry', { timeout: TIMEOUT_MS }, () => {
  let node;
  let provider;
  let registry;
  let acme;
  let client;
  // The model as the user has it: bytes per path. Two non-ASCII names sort differently by UTF-8 bytes
  // (the registry's order) than by JS's UTF-16 string order.
  const weights = new Uint8Array(200_000).map((_, i) => (i * 31) % 251);
  const folder = {
    'model.safetensors': weights,
    'config.json': '{"labels":["neg","pos"]}',
    '\u{1F600}.txt': 'emoji',
    '\uFF21.txt': 'fullwidth A',
  };

  async function newAccount(prefix, balance) {
    const root = new Account(node.rootAccountId, provider, node.rootSecretKey);
    const accountId = `${prefix}.${root.accountId}`;
    const keyPair = KeyPair.fromRandom('ed25519');
    await root.createSubAccount({ accountOrPrefix: accountId, publicKey: keyPair.getPublicKey(), nearToTransfer: balance });
    return new Account(accountId, provider, keyPair.toString());
  }

  function call(account, methodName, args) {
    return account.callFunction({
      contractId: registry.accountId, methodName, args, deposit: nearToYocto(1), gas: teraToGas(100),
    });
  }

  before(async () => {
    assert.ok(existsSync(REGISTRY_WASM), `${REGISTRY_WASM} is missing: run scripts/build.sh`);
    node = await startSandbox();
    provider = new JsonRpcProvider({ url: node.url });
    registry = await newAccount('registry', nearToYocto(30));
    await registry.signAndSendTransaction({
      receiverId: registry.accountId,
      actions: [
        actions.deployContract(new Uint8Array(readFileSync(REGISTRY_WASM))),
        actions.functionCall('new', { owner_id: registry.accountId }, teraToGas(30), 0n),
      ],
      waitUntil: 'FINAL',
    });
    acme = await newAccount('acme', nearToYocto(20));
    await call(acme, 'create_model', { namespace: 'acme', name: 'sentiment' });
    const files = await Promise.all(Object.entries(folder).map(([path, data]) => fileEntry(path, data)));
    await call(acme, 'publish_version', { model_id: MODEL, version: '1.0.0', files, commercial_use: true });
    // One node: the latest block holds what was just written (`final` trails it by two).
    client = new RegistryClient(provider, registry.accountId, { blockQuery: { finality: 'optimistic' } });
  });

  after(async () => {
    await node?.stop();
  });

  it('computes the manifest digest the registry stored, in UTF-8 path order', async () => {
    const files = await Promise.all(Object.entries(folder).map(([path, data]) => fileEntry(path, data)));
    const paths = files.map((f) => f.path);
    assert.notDeepEqual([...paths].sort(), [...paths].sort(compareUtf8), 'the two orders differ for these names');
    const version = await client.getVersion(`${MODEL}@1.0.0`);
    assert.deepEqual(version.files.map((f) => f.path), [...paths].sort(compareUtf8));
    const digest = await manifestDigest(files);
    assert.equal(digest, version.manifest_digest);
    assert.equal(await client.view('compute_manifest_digest', { files }), digest);
  });

  it('verifies a file by its bytes and does not verify changed bytes', async () => {
    const ok = await client.verifyFile(weights);
    assert.equal(ok.verdict, 'verified');
    assert.equal(ok.sha256, await sha256Hex(weights));
    assert.deepEqual(ok.places, [{
      model_id: MODEL, version: '1.0.0', path: 'model.safetensors', size: '200000',
      publication: 'published', status: { state: 'active' },
    }]);
    const changed = weights.slice();
    changed[7] ^= 1;
    const unknown = await client.verifyFile(changed);
    assert.equal(unknown.verdict, 'unknown');
    assert.deepEqual(unknown.places, []);
  });

  it('hashes a stream as WebCrypto hashes the whole, and verifies it without holding it', async () => {
    // Every length around the 64-byte block and its 56-byte padding limit, fed in pieces of every awkward size.
    for (let n = 0; n <= 200; n++) {
      const data = new Uint8Array(n).map((_, i) => (i * 131 + n) % 256);
      const expected = createHash('sha256').update(data).digest('hex');
      for (const size of [1, 3, 55, 56, 63, 64, 65, 129]) {
        const hasher = new Sha256();
        for (let at = 0; at < n; at += size) hasher.update(data.subarray(at, at + size));
        assert.equal(Buffer.from(hasher.digest()).toString('hex'), expected, `${n} bytes in pieces of ${size}`);
      }
    }
    const pieces = function* () {
      for (let at = 0; at < weights.length; at += 4099) yield weights.subarray(at, at + 4099);
    };
    assert.deepEqual(await sha256Stream(pieces()), { sha256: await sha256Hex(weights), size: '200000' });
    const streamed = await client.verifyStream(pieces());
    assert.equal(streamed.verdict, 'verified');
    assert.deepEqual(streamed.places.map((p) => `${p.model_id}@${p.version}/${p.path}`), [`${MODEL}@1.0.0/model.safetensors`]);
    const changed = async function* () {
      for (const piece of pieces()) yield piece.byteOffset === 8198 ? piece.map((b, i) => (i === 5 ? b ^ 1 : b)) : piece;
    };
    assert.equal((await client.verifyStream(changed())).verdict, 'unknown');
  });

  it('compares a folder with a version: missing, changed and extra files', async () => {
    const whole = await client.verifyAgainst(`${MODEL}@1.0.0`, folder);
    assert.equal(whole.verdict, 'verified');
    assert.equal(whole.matching.length, 4);

    const { 'config.json': _dropped, ...partial } = folder;
    const changed = { ...partial, '\uFF21.txt': 'fullwidth B', 'README.md': '# notes' };
    const report = await client.verifyAgainst(`${MODEL}@1.0.0`, changed);
    assert.equal(report.verdict, 'mismatch');
    assert.deepEqual(report.missing, ['config.json']);
    assert.deepEqual(report.modified.map((m) => m.path), ['\uFF21.txt']);
    assert.deepEqual(report.extra, ['README.md']);

    const extraOnly = { ...folder, 'README.md': '# notes' };
    assert.equal((await client.verifyAgainst(`${MODEL}@1.0.0`, extraOnly)).verdict, 'verified');
    assert.equal((await client.verifyAgainst(`${MODEL}@1.0.0`, extraOnly, { exact: true })).verdict, 'mismatch');
    await assert.rejects(client.verifyAgainst(`${MODEL}@9.0.0`, folder), /acme\/sentiment@9.0.0 is not in the registry/);

    // Against what an alias points to now.
    await call(acme, 'set_alias', { model_id: MODEL, alias: 'production', version: '1.0.0' });
    const production = await client.verifyAgainst(`${MODEL}:production`, folder);
    assert.equal(production.verdict, 'verified');
    assert.equal(production.version.version_id, `${MODEL}@1.0.0`);
    await assert.rejects(client.verifyAgainst(`${MODEL}:staging`, folder), /acme\/sentiment has no alias "staging"/);
    await assert.rejects(client.verifyAgainst('acme', folder), /expected namespace\/name@version or namespace\/name:alias/);
  });

  it('reports deprecation as a warning and revocation as revoked', async () => {
    await call(acme, 'publish_version', {
      model_id: MODEL, version: '1.1.0', commercial_use: true,
      files: [await fileEntry('model.safetensors', 'v1.1 weights')],
    });
    await call(acme, 'deprecate_version', { model_id: MODEL, version: '1.0.0', message: 'use 1.1.0', successor: '1.1.0' });
    const deprecated = await client.verifyFile(weights);
    assert.equal(deprecated.verdict, 'verified');
    assert.deepEqual(deprecated.warnings, ['acme/sentiment@1.0.0 is deprecated: use 1.1.0 (successor: acme/sentiment@1.1.0)']);

    await call(acme, 'revoke_version', { model_id: MODEL, version: '1.0.0', code: 'security_vulnerability', reason: 'pickle payload' });
    const revoked = await client.verifyFile(weights);
    assert.equal(revoked.verdict, 'revoked');
    assert.equal(revoked.places[0].status.reason, 'pickle payload');
    assert.equal((await client.verifyAgainst(`${MODEL}@1.0.0`, folder)).verdict, 'revoked');
  });

  it('computes RFC 9162 Merkle roots: the RFC 6962 reference vectors', async () => {
    // The eight inputs of the certificate-transparency / trillian test vectors and the roots over their first
    // 1..=8 entries (the same vectors test nexus-verify's tree).
    const inputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
    const roots = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    const leaves = await Promise.all(inputs.map((h) => leafHash(Buffer.from(h, 'hex'))));
    for (let n = 1; n <= 8; n++) assert.equal(await merkleRoot(leaves.slice(0, n)), roots[n - 1], `${n} leaves`);
    assert.equal(await merkleRoot([]), await sha256Hex(''));
  });

  describe('a download checked chunk by chunk against the Merkle root on chain', () => {
    // 5 chunks of 1 KiB, the last one short; published with its root, as `nexus-verify manifest
    // --chunk-size 1024` would publish it.
    const shard = new Uint8Array(4 * 1024 + 700).map((_, i) => (i * i + (i >> 10)) % 251); // no two chunks alike
    let list;
    const pieces = (bytes, size) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

    before(async () => {
      list = await chunkList(shard, 1024);
      assert.equal(new Set(list.leaves).size, 5, 'five different chunks');
      await call(acme, 'publish_version', {
        model_id: MODEL, version: '2.0.0', commercial_use: true,
        files: [
          { path: 'shard-1.bin', sha256: list.sha256, size: list.size, merkle: { chunk_size: 1024, root: list.root } },
          await fileEntry('config.json', '{}'),
        ],
      });
    });

    it('the registry stores the root the client computed', async () => {
      const version = await client.getVersion(`${MODEL}@2.0.0`);
      const file = version.files.find((f) => f.path === 'shard-1.bin');
      assert.deepEqual(file.merkle, { chunk_size: 1024, root: list.root });
    });

    it('verifies a stream in pieces of any size, with or without the leaf list', async () => {
      for (const leaves of [undefined, list.leaves]) {
        const v = await client.chunkVerifier(`${MODEL}@2.0.0`, 'shard-1.bin', { leaves });
        for (const piece of pieces(shard, 333)) await v.update(piece);
        assert.deepEqual(await v.finish(), { verdict: 'verified', root: list.root });
      }
      // Out of order (parallel range requests): each chunk on its own.
      const v = await client.chunkVerifier(`${MODEL}@2.0.0`, 'shard-1.bin', { leaves: list.leaves });
      const chunks = pieces(shard, 1024);
      for (const i of [4, 0, 2, 1, 3]) assert.equal(await v.checkChunk(i, chunks[i]), true, `chunk ${i}`);
      assert.equal(await v.checkChunk(1, chunks[2]), false);
      assert.equal(await v.checkChunk(4, shard.subarray(4096, 4700)), false, 'a cut last chunk');
      assert.equal(await v.checkChunk(5, chunks[4]), false, 'past the end');
    });

    it('stops at the first bad chunk when it has the leaf list, and fails at the end without it', async () => {
      const bad = shard.slice();
      bad[2 * 1024 + 10] ^= 1;
      const withList = await client.chunkVerifier(`${MODEL}@2.0.0`, 'shard-1.bin', { leaves: list.leaves });
      await withList.update(bad.subarray(0, 2048));
      const err = await withList.update(bad.subarray(2048)).then(() => null, (e) => e);
      assert.ok(err instanceof ChunkMismatchError, `${err}`);
      assert.deepEqual([err.index, err.offset, err.length], [2, 2048, 1024]);

      const withoutList = await client.chunkVerifier(`${MODEL}@2.0.0`, 'shard-1.bin');
      await withoutList.update(bad);
      const result = await withoutList.finish();
      assert.equal(result.verdict, 'mismatch');
      assert.match(result.reason, new RegExp(`differs from the published ${list.root}`));

      const short = await client.chunkVerifier(`${MODEL}@2.0.0`, 'shard-1.bin');
      await short.update(shard.subarray(0, 4000));
      assert.deepEqual(await short.finish(), { verdict: 'mismatch', reason: 'received 4000 bytes, the published file has 4796' });
      await assert.rejects(short.update(shard.subarray(0, 1000)), /more bytes than the published 4796/);
    });

    it('refuses a leaf list that does not match the root on chain, and files without a root', async () => {
      const forged = [...list.leaves];
      forged[3] = list.leaves[2];
      await assert.rejects(client.chunkVerifier(`${MODEL}@2.0.0`, 'shard-1.bin', { leaves: forged }),
        /the leaf list does not match the Merkle root published in the registry/);
      await assert.rejects(client.chunkVerifier(`${MODEL}@2.0.0`, 'shard-1.bin', { leaves: list.leaves.slice(1) }),
        /the leaf list has 4 leaves; a 4796-byte file has 5 chunks of 1024 bytes/);
      await assert.rejects(client.chunkVerifier(`${MODEL}@2.0.0`, 'config.json'),
        /config.json has no chunked Merkle root: verify the whole file instead/);
      await assert.rejects(client.chunkVerifier(`${MODEL}@2.0.0`, 'weights.bin'), /acme\/sentiment@2.0.0 has no file "weights.bin"/);
      await assert.rejects(ChunkVerifier.create({ size: '10', merkle: { chunk_size: 1000, root: list.root } }),
        /chunk size 1000 must be a power of two/);
      const unchecked = await ChunkVerifier.create({ size: list.size, merkle: { chunk_size: 1024, root: list.root } });
      await assert.rejects(unchecked.checkChunk(0, shard.subarray(0, 1024)), /needs the leaf list/);
    });
  });

  it('decides like nexus-verify: any usable version verifies, then revoked, then pending', () => {
    const at = (publication, state) => ({ publication, status: { state } });
    assert.equal(placesVerdict([at('published', 'revoked'), at('published', 'deprecated')]), 'verified');
    assert.equal(placesVerdict([at('pending', 'active'), at('published', 'revoked')]), 'revoked');
    assert.equal(placesVerdict([at('pending', 'active')]), 'pending');
    assert.equal(placesVerdict([]), 'unknown');
  });
});
