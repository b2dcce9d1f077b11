// Starts a local NEAR node for one test file and stops it afterwards.
//
// The binary is NEAR_SANDBOX_BIN_PATH (as for near-workspaces), defaulting to the project's own node,
// target/debug/nexus-sandbox under the repository root. A relative NEAR_SANDBOX_BIN_PATH is taken
// relative to the repository root too, as .cargo/config.toml does. The node is started exactly like
// the official sandbox (`--home DIR init --fast`, then `run --rpc-addr … --network-addr …`), so an
// official near-sandbox binary works as well.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function sandboxBinary() {
  return resolve(REPO_ROOT, process.env.NEAR_SANDBOX_BIN_PATH || 'target/debug/nexus-sandbox');
}

/** A loopback port that was free a moment ago (the OS picks it). */
function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Inits a fresh home in a temp directory, runs the node on free loopback ports and waits until its
 * RPC answers `status`. Returns { url, home, genesis, rootAccountId, rootSecretKey, stop }.
 */
export async function startSandbox({ readyTimeoutMs = 30_000 } = {}) {
  const bin = sandboxBinary();
  if (!existsSync(bin)) {
    throw new Error(`node binary ${bin} is missing: build it (scripts/build.sh) or set NEAR_SANDBOX_BIN_PATH`);
  }
  const home = mkdtempSync(join(tmpdir(), 'nexus-client-tests-'));
  const init = spawnSync(bin, ['--home', home, 'init', '--fast'], { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(home, { recursive: true, force: true });
    throw new Error(`${bin} init failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
  }
  const [rpcPort, networkPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${rpcPort}`;
  const child = spawn(
    bin,
    ['--home', home, 'run', '--rpc-addr', `127.0.0.1:${rpcPort}`, '--network-addr', `127.0.0.1:${networkPort}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((r) => child.on('exit', (code, signal) => r((exited = { code, signal }))));
  // Never leave a node behind, even if the test process dies without running `after`.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(home, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`node exited before answering RPC (${JSON.stringify(exited)}):\n${output}`);
    }
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 'ready', method: 'status', params: [] }),
      });
      if (res.ok && (await res.json()).result?.sync_info) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`node did not answer status within ${readyTimeoutMs} ms:\n${output}`);
    }
    await sleep(100);
  }

  const key = JSON.parse(readFileSync(join(home, 'validator_key.json'), 'utf8'));
  const genesis = JSON.parse(readFileSync(join(home, 'genesis.json'), 'utf8'));
  return { url, home, genesis, rootAccountId: key.account_id, rootSecretKey: key.secret_key, stop, output: () => output };
}

/** A raw JSON-RPC call, for the request/response of a diagnosis. */
export async function rawRpc(url, method, params) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 'raw', method, params }),
  });
  return { status: res.status, body: await res.json() };
}
