// Following NEP-297 events over JSON-RPC (clients/js/events.js) with near-api-js against a model registry
// on the local node: what an indexer or a dApp listening to its contract sees, found by walking final
// blocks and their transactions, not by reading the outcomes of calls it made itself.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Account, JsonRpcProvider, KeyPair, actions, nearToYocto, teraToGas } from 'near-api-js';

import { EventFollower, eventsOfTransaction, jsonRpcReader, parseEventLog } from '../../../clients/js/events.js';
import { REPO_ROOT, rawRpc, startSandbox } from './sandbox_node.js';

const REGISTRY_WASM = join(REPO_ROOT, 'target/near/model-registry/model_registry.wasm');
const CALLER_WASM = join(REPO_ROOT, 'target/near/cross-caller/cross_caller.wasm');
const FOLLOW_EVENTS = join(REPO_ROOT, 'clients/js/follow-events.js');
const TIMEOUT_MS = 120_000;
const sha = (byte) => byte.repeat(64);

describe('following NEP-297 events (clients/js/events.js) over JSON-RPC', { timeout: TIMEOUT_MS }, () => {
  let node;
  let provider;
  let root;

  async function newAccount(prefix, balance, wasm) {
    const accountId = `${prefix}.${root.accountId}`;
    const keyPair = KeyPair.fromRandom('ed25519');
    await root.createSubAccount({ accountOrPrefix: accountId, publicKey: keyPair.getPublicKey(), nearToTransfer: balance });
    const account = new Account(accountId, provider, keyPair.toString());
    if (wasm) {
      await account.signAndSendTransaction({
        receiverId: accountId, actions: [actions.deployContract(new Uint8Array(readFileSync(wasm)))], waitUntil: 'FINAL',
      });
    }
    return account;
  }

  /** Calls `method` and returns the transaction's outcome at FINAL, failed or not. */
  function send(account, receiverId, method, args, deposit = nearToYocto(1)) {
    return account.signAndSendTransaction({
      receiverId,
      actions: [actions.functionCall(method, args, teraToGas(150), deposit)],
      waitUntil: 'FINAL',
      throwOnFailure: false,
    });
  }

  before(async () => {
    for (const wasm of [REGISTRY_WASM, CALLER_WASM]) assert.ok(existsSync(wasm), `${wasm} is missing: run scripts/build.sh`);
    node = await startSandbox();
    provider = new JsonRpcProvider({ url: node.url });
    root = new Account(node.rootAccountId, provider, node.rootSecretKey);
  });

  after(async () => {
    await node?.stop();
  });

  it('finds every event of the registry, its cross-contract ones included, once, in order, and none of a failed call', async () => {
    const registry = await newAccount('registry', nearToYocto(30), REGISTRY_WASM);
    await send(registry, registry.accountId, 'new', { owner_id: registry.accountId }, 0n);
    const caller = await newAccount('caller', nearToYocto(20), CALLER_WASM);
    const acme = await newAccount('acme', nearToYocto(20));
    const start = (await provider.viewBlock({ finality: 'final' })).header.height + 1;
    const follower = new EventFollower(provider, { accounts: [registry.accountId], fromHeight: start });

    const made = [];
    made.push(await send(acme, registry.accountId, 'create_model', { namespace: 'acme', name: 'sentiment' }));
    made.push(await send(acme, registry.accountId, 'publish_version', {
      model_id: 'acme/sentiment', version: '1.0.0', files: [{ path: 'model.bin', sha256: sha('a'), size: '10' }], commercial_use: true,
    }));
    // Refused (not above the latest version): no event may come of it.
    const refused = await send(acme, registry.accountId, 'publish_version', {
      model_id: 'acme/sentiment', version: '1.0.0', files: [{ path: 'model.bin', sha256: sha('b'), size: '10' }], commercial_use: true,
    });
    assert.match(JSON.stringify(refused.status), /version '1\.0\.0' must be greater than the latest version '1\.0\.0'/);
    // Heights skipped by a fast-forward are not blocks: the follower steps over them.
    const skipped = await rawRpc(node.url, 'sandbox_fast_forward', { delta_height: 20 });
    assert.deepEqual(skipped.body.result, {});
    // Sent to another contract, which calls the registry: the event comes from a later receipt.
    made.push(await send(caller, caller.accountId, 'call_then', {
      receiver: registry.accountId, method: 'create_model', args: JSON.stringify({ namespace: 'caller', name: 'relay' }),
    }));
    made.push(await send(acme, registry.accountId, 'deprecate_version', {
      model_id: 'acme/sentiment', version: '1.0.0', message: 'superseded',
    }));
    for (const outcome of made) assert.ok(!('Failure' in outcome.status), JSON.stringify(outcome.status));

    const last = (await provider.viewBlock({ finality: 'final' })).header.height;
    const seen = [];
    while (follower.nextHeight <= last) seen.push(...(await follower.poll({ maxBlocks: 7 })));

    assert.deepEqual(
      seen.map((e) => [e.standard, e.version, e.event, e.data?.model_id ?? e.data?.namespace]),
      [
        ['nexus-model-registry', '1.0.0', 'namespace_claimed', 'acme'],
        ['nexus-model-registry', '1.0.0', 'model_created', 'acme/sentiment'],
        ['nexus-model-registry', '1.0.0', 'version_published', 'acme/sentiment'],
        ['nexus-model-registry', '1.0.0', 'namespace_claimed', 'caller'],
        ['nexus-model-registry', '1.0.0', 'model_created', 'caller/relay'],
        ['nexus-model-registry', '1.0.0', 'version_deprecated', 'acme/sentiment'],
      ],
    );
    // Each is what the contract logged, in the transaction that caused it.
    const logged = made.flatMap((outcome) => eventsOfTransaction(outcome, { accounts: [registry.accountId] }));
    assert.deepEqual(seen.map(({ height, ...event }) => event), logged);
    const relayed = seen.filter((e) => e.txHash === made[2].transaction.hash);
    assert.equal(made[2].transaction.receiver_id, caller.accountId);
    assert.deepEqual(relayed.map((e) => [e.emitter, e.data.owner]), [
      [registry.accountId, caller.accountId],
      [registry.accountId, caller.accountId],
    ]);
    for (const event of seen) {
      const block = await provider.viewBlock({ blockId: event.blockHash });
      assert.equal(event.height, block.header.height);
      assert.ok(event.height >= start && event.height <= last);
    }
    // Nothing is returned twice.
    assert.deepEqual(await follower.poll(), []);
  });

  it('follow() yields events as their blocks become final; leaving early loses none', async () => {
    const registry = await newAccount('registry-live', nearToYocto(30), REGISTRY_WASM);
    await send(registry, registry.accountId, 'new', { owner_id: registry.accountId }, 0n);
    const acme = await newAccount('acme-live', nearToYocto(20));
    const follower = new EventFollower(provider, { accounts: [registry.accountId], standards: ['nexus-model-registry'] });
    assert.deepEqual(await follower.poll(), [], 'the first poll only takes its place after the final block');

    const controller = new AbortController();
    const first = (async () => {
      for await (const event of follower.follow({ intervalMs: 20, signal: controller.signal })) return event;
      return null;
    })();
    const made = await send(acme, registry.accountId, 'create_model', { namespace: 'live', name: 'm' });
    const got = await first;
    assert.equal(got.event, 'namespace_claimed');
    assert.equal(got.txHash, made.transaction.hash);
    // The loop was left after one event: the other one of the same block comes next, then nothing.
    assert.deepEqual((await follower.poll()).map((e) => e.event), ['model_created']);

    const waiting = (async () => {
      const seen = [];
      for await (const event of follower.follow({ intervalMs: 20, signal: controller.signal })) seen.push(event);
      return seen;
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    assert.deepEqual(await waiting, [], 'an abort ends a caught-up follower');
  });

  it('follow-events.js prints each event as a JSON line, without near-api-js, until stopped or once', async () => {
    const registry = await newAccount('registry-cli', nearToYocto(30), REGISTRY_WASM);
    await send(registry, registry.accountId, 'new', { owner_id: registry.accountId }, 0n);
    const acme = await newAccount('acme-cli', nearToYocto(20));
    const from = (await provider.viewBlock({ finality: 'final' })).header.height + 1;
    const made = await send(acme, registry.accountId, 'create_model', { namespace: 'cli', name: 'm' });

    const child = spawn(process.execPath, [
      FOLLOW_EVENTS, '--rpc', node.url, '--from', String(from), '--interval-ms', '50', registry.accountId,
    ]);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no two events within 30 s: ${stdout} ${stderr}`)), 30_000);
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.split('\n').length > 2) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null }, stderr);
    const printed = stdout.trim().split('\n').map((line) => JSON.parse(line));
    const logged = eventsOfTransaction(made, { accounts: [registry.accountId] });
    assert.deepEqual(printed.map(({ height, ...event }) => event), logged);
    assert.deepEqual(printed.map((e) => e.event), ['namespace_claimed', 'model_created']);

    // --once: what is final now, then exit; --text: a line a person reads.
    const once = spawnSync(process.execPath, [
      FOLLOW_EVENTS, '--rpc', node.url, '--from', String(from), '--once', '--text', registry.accountId,
    ], { encoding: 'utf8' });
    assert.equal(once.status, 0, once.stderr);
    assert.deepEqual(once.stdout.trim().split('\n'), printed.map((e) =>
      `#${e.height} ${registry.accountId} nexus-model-registry/1.0.0 ${e.event} ${JSON.stringify(e.data)}`));

    // The same reads through jsonRpcReader: a skipped height is UNKNOWN_BLOCK, as near-api-js reports it.
    const reader = jsonRpcReader(node.url);
    const final = (await reader.viewBlock({ finality: 'final' })).header.height;
    await assert.rejects(reader.viewBlock({ blockId: final + 1_000_000 }), (error) => error.type === 'UNKNOWN_BLOCK');

    const usage = spawnSync(process.execPath, [FOLLOW_EVENTS, registry.accountId], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--rpc URL is required/);
  });

  it('lists a transaction the node has no outcome for as dropped, and stops at any other error', async () => {
    const failing = new Set();
    const stub = {
      viewBlock: async (query) => {
        if (query.finality === 'final') return { header: { height: 11, hash: 'b11' } };
        const height = typeof query.blockId === 'number' ? query.blockId : Number(query.blockId.slice(1));
        return { header: { height, hash: `b${height}` }, chunks: [{ chunk_hash: `c${height}`, height_included: height }] };
      },
      viewChunk: async (hash) => ({
        transactions: [{ hash: `${hash}-dropped`, signer_id: 'a.near' }, { hash: `${hash}-ok`, signer_id: 'a.near' }],
      }),
      viewTransactionStatus: async ({ txHash }) => {
        if (txHash.endsWith('-dropped')) throw Object.assign(new Error('unknown'), { type: 'UNKNOWN_TRANSACTION' });
        if (failing.has(txHash)) throw Object.assign(new Error('node down'), { type: 'INTERNAL_ERROR' });
        const height = Number(txHash.slice(1, txHash.indexOf('-')));
        return {
          transaction: { hash: txHash },
          receipts_outcome: [receipt(`r${height}`, 'c.near', { SuccessValue: '' }, [event('s', `e${height}`)], `b${height}`)],
        };
      },
    };
    const follower = new EventFollower(stub, { fromHeight: 10 });
    failing.add('c11-ok');
    assert.deepEqual((await follower.poll()).map((e) => [e.event, e.height]), [['e10', 10]], 'stops before block 11');
    assert.equal(follower.nextHeight, 11);
    await assert.rejects(follower.poll(), /node down/);
    failing.clear();
    assert.deepEqual((await follower.poll()).map((e) => e.event), ['e11']);
    assert.deepEqual(follower.dropped.map((d) => [d.txHash, d.height]), [['c10-dropped', 10], ['c11-dropped', 11]]);
  });

  it('keeps only the accounts and standards asked for', async () => {
    const outcome = {
      transaction: { hash: 'tx1' },
      receipts_outcome: [
        receipt('r1', 'registry.near', { SuccessValue: '' }, [
          'plain log',
          event('nexus-model-registry', 'model_created'),
          event('nep171', 'nft_mint'),
        ]),
        receipt('r2', 'vault.near', { SuccessReceiptId: 'r3' }, [event('nexus-agent-vault', 'call_started')]),
      ],
    };
    assert.deepEqual(eventsOfTransaction(outcome).map((e) => [e.receiptId, e.logIndex, e.event]), [
      ['r1', 1, 'model_created'], ['r1', 2, 'nft_mint'], ['r2', 0, 'call_started'],
    ]);
    assert.deepEqual(eventsOfTransaction(outcome, { accounts: ['vault.near'] }).map((e) => e.event), ['call_started']);
    assert.deepEqual(
      eventsOfTransaction(outcome, { standards: ['nexus-model-registry', 'nexus-agent-vault'] }).map((e) => e.event),
      ['model_created', 'call_started'],
    );
    assert.throws(() => eventsOfTransaction(outcome, { accounts: 'registry.near' }), /accounts must be an array/);
  });

  it('skips the logs of a failed receipt and of one whose outcome is unknown', () => {
    const outcome = {
      transaction: { hash: 'tx2' },
      receipts_outcome: [
        receipt('r1', 'registry.near', { Failure: { ActionError: { index: 0, kind: {} } } }, [event('s', 'rolled_back')]),
        receipt('r2', 'registry.near', 'Unknown', [event('s', 'not_run')]),
        receipt('r3', 'registry.near', { SuccessValue: '' }, [event('s', 'happened')]),
      ],
    };
    assert.deepEqual(eventsOfTransaction(outcome).map((e) => e.event), ['happened']);
  });

  it('reads only well-formed NEP-297 lines as events', () => {
    assert.deepEqual(parseEventLog('EVENT_JSON:{"standard":"s","version":"1.0.0","event":"e","data":[1]}'), {
      standard: 's', version: '1.0.0', event: 'e', data: [1],
    });
    assert.deepEqual(parseEventLog('EVENT_JSON:{"standard":"s","version":"1.0.0","event":"e"}'), {
      standard: 's', version: '1.0.0', event: 'e', data: undefined,
    });
    for (const line of [
      'plain log',
      ' EVENT_JSON:{"standard":"s","version":"1","event":"e"}',
      'EVENT_JSON:not json',
      'EVENT_JSON:[1,2]',
      'EVENT_JSON:null',
      'EVENT_JSON:{"standard":"s","version":1,"event":"e"}',
      'EVENT_JSON:{"standard":"s","event":"e"}',
      undefined,
    ]) {
      assert.equal(parseEventLog(line), null, String(line));
    }
  });
});

function event(standard, name) {
  return `EVENT_JSON:${JSON.stringify({ standard, version: '1.0.0', event: name, data: {} })}`;
}

function receipt(id, executor, status, logs, blockHash = `block-of-${id}`) {
  return { id, block_hash: blockHash, outcome: { executor_id: executor, status, logs } };
}
