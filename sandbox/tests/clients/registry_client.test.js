// The dApp side of verification: clients/js/registry-client.js with near-api-js against a model registry
// on the local node. A frontend hashes what the user has (WebCrypto), asks the registry through the
// provider it already uses, and gets the same verdicts as nexus-verify.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Account, JsonRpcProvider, KeyPair, actions, nearToYocto, teraToGas } from 'near-api-js';

import {
  RegistryClient,
  compareUtf8,
  fileEntry,
  manifestDigest,
  placesVerdict,
  sha256Hex,
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

  it('decides like nexus-verify: any usable version verifies, then revoked, then pending', () => {
    const at = (publication, state) => ({ publication, status: { state } });
    assert.equal(placesVerdict([at('published', 'revoked'), at('published', 'deprecated')]), 'verified');
    assert.equal(placesVerdict([at('pending', 'active'), at('published', 'revoked')]), 'revoked');
    assert.equal(placesVerdict([at('pending', 'active')]), 'pending');
    assert.equal(placesVerdict([]), 'unknown');
  });
});
