"""End-to-end measurement of the agent vault on the project's local node (no dependencies beyond
`requests` and `cryptography`): deploys status-message (the target) and the vault, creates grants,
and reports the gas of a direct call vs. the same call through `execute` (the overhead), storage per
grant, a key-based agent (key added, used, deleted on revoke), a refused call, a key trying to
withdraw, and five concurrent executes against a 3-call budget.

    scripts/build.sh agent-vault status-message      # or: cargo run -p nexus-build -- ...
    target/debug/nexus-sandbox --home /tmp/vaultbench/home init
    target/debug/nexus-sandbox --home /tmp/vaultbench/home run --rpc-addr 127.0.0.1:3940 \
        --network-addr 127.0.0.1:3941 &
    NEXUS_HOME=/tmp/vaultbench/home python3 contracts/agent-vault/bench/e2e_bench.py

A stop-gap until these scenarios move into `sandbox-tests` as near-workspaces tests.
"""
import json, struct, hashlib, base64, sys, time, requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

import os
RPC = os.environ.get("NEXUS_RPC", "http://127.0.0.1:3940")
HOME = os.environ.get("NEXUS_HOME", "/tmp/vaultbench/home")
ROOT_DIR = os.environ.get("NEXUS_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))
ALPH = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
def b58d(s):
    n = 0
    for c in s: n = n * 58 + ALPH.index(c)
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    pad = len(s) - len(s.lstrip("1"))
    return b"\0" * pad + b
def b58e(b):
    n = int.from_bytes(b, "big"); s = ""
    while n: n, r = divmod(n, 58); s = ALPH[r] + s
    return "1" * (len(b) - len(b.lstrip(b"\0"))) + s

def rpc(method, params):
    r = requests.post(RPC, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=60).json()
    if "error" in r: raise Exception(json.dumps(r["error"])[:2000])
    return r["result"]

def u32(n): return struct.pack("<I", n)
def u64(n): return struct.pack("<Q", n)
def u128(n): return n.to_bytes(16, "little")
def s(x): x = x.encode() if isinstance(x, str) else x; return u32(len(x)) + x
def pk(pub): return b"\0" + pub

class Key:
    def __init__(self, sk=None):
        self.sk = sk or Ed25519PrivateKey.generate()
        self.pub = self.sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    def pk_str(self): return "ed25519:" + b58e(self.pub)

def create_account(): return b"\x00"
def deploy(code): return b"\x01" + s(code)
def fcall_raw0(m, raw, gas, dep=0): return b"\x02" + s(m) + s(raw) + u64(gas) + u128(dep)
def fcall(m, args, gas, dep=0): return b"\x02" + s(m) + s(json.dumps(args).encode()) + u64(gas) + u128(dep)
def transfer(d): return b"\x03" + u128(d)
def add_full_key(pub): return b"\x05" + pk(pub) + u64(0) + b"\x01"

def send(signer, key, receiver, actions):
    ak = rpc("query", {"request_type": "view_access_key", "finality": "final", "account_id": signer, "public_key": key.pk_str()})
    nonce = ak["nonce"] + 1
    bh = b58d(ak["block_hash"])
    tx = s(signer) + pk(key.pub) + u64(nonce) + s(receiver) + bh + u32(len(actions)) + b"".join(actions)
    sig = key.sk.sign(hashlib.sha256(tx).digest())
    signed = tx + b"\0" + sig
    res = rpc("send_tx", {"signed_tx_base64": base64.b64encode(signed).decode(), "wait_until": "FINAL"})
    return res

def gas(res):
    total = int(res["transaction_outcome"]["outcome"]["gas_burnt"])
    for r in res["receipts_outcome"]: total += int(r["outcome"]["gas_burnt"])
    return total

def status(res):
    return res["status"]

def logs(res):
    return [l for r in res["receipts_outcome"] for l in r["outcome"]["logs"]]

NEAR = 10**24
def view_json(acc, method, args):
    v = rpc("query", {"request_type": "call_function", "finality": "final", "account_id": acc, "method_name": method, "args_base64": base64.b64encode(json.dumps(args).encode()).decode()})
    return json.loads(bytes(v["result"]))
vk = json.load(open(os.path.join(HOME, "validator_key.json")))
root = vk["account_id"]
rk = Key(Ed25519PrivateKey.from_private_bytes(b58d(vk["secret_key"].split(":")[1])[:32]))
suffix = str(int(time.time()))[-6:]
app, vault, bot = f"app{suffix}.{root}", f"vault{suffix}.{root}", f"bot{suffix}.{root}"
botk = Key()
status_code = open(os.path.join(ROOT_DIR, "target/near/status-message/status_message.wasm"), "rb").read()
vault_code = open(os.path.join(ROOT_DIR, "target/near/agent-vault/agent_vault.wasm"), "rb").read()
T = 10**12

r = send(root, rk, app, [create_account(), transfer(10 * NEAR), add_full_key(rk.pub), deploy(status_code), fcall("new", {}, 30 * T)])
print("app", status(r))
r = send(root, rk, bot, [create_account(), transfer(20 * NEAR), add_full_key(botk.pub)])
print("bot", status(r))
r = send(root, rk, vault, [create_account(), transfer(10 * NEAR), add_full_key(rk.pub), deploy(vault_code), fcall("new", {"owner_id": root}, 30 * T)])
print("vault", status(r))
grant = {"agent": {"account": bot}, "targets": [{"receiver_id": app, "methods": ["set_status"], "max_deposit": "0"}],
         "total_budget": str(NEAR), "period": {"period_secs": 3600, "max_calls": 100}, "purpose": "bench"}
r = send(root, rk, vault, [fcall("create_grant", {"grant": grant}, 50 * T, 1)])
print("grant", status(r), logs(r), "gas", gas(r))
gid = json.loads(base64.b64decode(r["status"]["SuccessValue"]))

results = []
for i in range(3):
    d = send(bot, botk, app, [fcall("set_status", {"message": f"direct {i}"}, 30 * T)])
    v = send(bot, botk, vault, [fcall("execute", {"grant_id": gid, "calls": [{"receiver_id": app, "method_name": "set_status", "args": {"message": f"vault {i}"}, "gas": str(30 * T)}]}, 100 * T)])
    assert "SuccessValue" in d["status"], d["status"]
    assert "SuccessValue" in v["status"], v["status"]
    results.append((gas(d), gas(v)))
    print("direct", gas(d), "vault", gas(v), "overhead", (gas(v) - gas(d)) / T, "TGas", logs(v)[-1] if logs(v) else "")
print("receipts through vault:", [(ro["outcome"]["executor_id"], ro["outcome"]["gas_burnt"]) for ro in v["receipts_outcome"]])
view = rpc("query", {"request_type": "call_function", "finality": "final", "account_id": vault, "method_name": "get_grant", "args_base64": base64.b64encode(json.dumps({"grant_id": gid}).encode()).decode()})
g = json.loads(bytes(view["result"]))
print("grant storage_bytes", g["storage_bytes"], "usage", g["usage"], "status", g["status"])
view = rpc("query", {"request_type": "call_function", "finality": "final", "account_id": vault, "method_name": "list_actions", "args_base64": base64.b64encode(b"{}").decode()})
print("actions", [ (a["action_id"], a["outcome"]) for a in json.loads(bytes(view["result"]))])
for ro in v["receipts_outcome"]:
    md = ro["outcome"].get("metadata", {})
    prof = md.get("gas_profile") or []
    top = sorted(prof, key=lambda p: -int(p["gas_used"]))[:12]
    print(ro["outcome"]["executor_id"], ro["outcome"]["gas_burnt"], [(p["cost"], int(p["gas_used"])//10**9) for p in top])
print("tx", v["transaction_outcome"]["outcome"]["gas_burnt"], "direct tx", d["transaction_outcome"]["outcome"]["gas_burnt"])
for ro in d["receipts_outcome"]:
    print("direct", ro["outcome"]["executor_id"], ro["outcome"]["gas_burnt"])

# --- key-based agent ---
agentk = Key()
kgrant = dict(grant); kgrant["agent"] = {"key": agentk.pk_str()}; kgrant["key_allowance"] = str(NEAR // 4)
r = send(root, rk, vault, [fcall("create_grant", {"grant": kgrant}, 50 * T, 1)])
kid = json.loads(base64.b64decode(r["status"]["SuccessValue"]))
print("key grant", kid, [l[:160] for l in logs(r)])
time.sleep(1.5)
ak = rpc("query", {"request_type": "view_access_key", "finality": "final", "account_id": vault, "public_key": agentk.pk_str()})
print("agent key on vault:", ak["permission"])
kv = send(vault, agentk, vault, [fcall("execute", {"grant_id": kid, "calls": [{"receiver_id": app, "method_name": "set_status", "args": {"message": "by key"}, "gas": str(30 * T)}]}, 100 * T)])
print("key execute", kv["status"], logs(kv)[-1][:200], "gas", gas(kv))
# limits: wrong method, and agent without grant, and a key trying withdraw
bad = send(bot, botk, vault, [fcall("execute", {"grant_id": gid, "calls": [{"receiver_id": app, "method_name": "set_status_then_panic", "args": {"message": "x"}, "gas": str(30 * T)}]}, 100 * T)])
print("wrong method:", json.dumps(bad["status"])[:300])
try:
    w = send(vault, agentk, vault, [fcall("withdraw", {"amount": "1"}, 30 * T, 1)])
    print("key withdraw:", json.dumps(w["status"])[:300])
except Exception as e:
    print("key withdraw rejected:", str(e)[:300])
r = send(root, rk, vault, [fcall("revoke", {"grant_id": kid}, 50 * T, 1)])
print("revoke", r["status"], [l[:200] for l in logs(r)])
time.sleep(1.5)
try:
    ak = rpc("query", {"request_type": "view_access_key", "finality": "final", "account_id": vault, "public_key": agentk.pk_str()})
    print("agent key after revoke:", ak.get("error") or ak.get("permission"))
except Exception as e:
    print("agent key after revoke:", str(e)[:200])

# --- concurrent executes against a 3 NEAR budget, 1 NEAR each ---
cgrant = dict(grant); cgrant["targets"] = [{"receiver_id": app, "methods": ["set_status"], "max_deposit": str(NEAR)}]
cgrant["total_budget"] = str(3 * NEAR)
r = send(root, rk, vault, [fcall("create_grant", {"grant": cgrant}, 50 * T, 1)])
cid = json.loads(base64.b64decode(r["status"]["SuccessValue"]))
ak = rpc("query", {"request_type": "view_access_key", "finality": "final", "account_id": bot, "public_key": botk.pk_str()})
hashes = []
for i in range(5):
    nonce = ak["nonce"] + 1 + i
    act = fcall("execute", {"grant_id": cid, "calls": [{"receiver_id": app, "method_name": "set_status", "args": {"message": f"c{i}"}, "deposit": str(NEAR), "gas": str(30 * T)}]}, 100 * T)
    tx = s(bot) + pk(botk.pub) + u64(nonce) + s(vault) + b58d(ak["block_hash"]) + u32(1) + act
    signed = tx + b"\0" + botk.sk.sign(hashlib.sha256(tx).digest())
    hashes.append(rpc("broadcast_tx_async", [base64.b64encode(signed).decode()]))
time.sleep(4)
heights = []
for h in hashes:
    res = rpc("tx", {"tx_hash": h, "sender_account_id": bot, "wait_until": "FINAL"})
    st = res["status"]
    blk = [ro["block_hash"] for ro in res["receipts_outcome"]][:1]
    print("concurrent:", json.dumps(st)[:220], "first receipt block", blk)
view = rpc("query", {"request_type": "call_function", "finality": "final", "account_id": vault, "method_name": "get_grant", "args_base64": base64.b64encode(json.dumps({"grant_id": cid}).encode()).decode()})
print("usage after concurrency:", json.loads(bytes(view["result"]))["usage"])

# --- model registry: the agent publishes on the user's behalf; a bound model's revocation stops calls ---
registry_code = open(os.path.join(ROOT_DIR, "target/near/model-registry/model_registry.wasm"), "rb").read()
registry = f"registry{suffix}.{root}"
r = send(root, rk, registry, [create_account(), transfer(20 * NEAR), add_full_key(rk.pub), deploy(registry_code), fcall("new", {"owner_id": root}, 30 * T)])
print("registry", status(r))
pub_grant = {"agent": {"account": bot}, "targets": [{"receiver_id": registry, "methods": ["create_model", "publish_version", "revoke_version"], "max_deposit": str(NEAR)}],
             "total_budget": str(3 * NEAR), "purpose": "publish acme models"}
r = send(root, rk, vault, [fcall("create_grant", {"grant": pub_grant}, 50 * T, 1)])
pid = json.loads(base64.b64decode(r["status"]["SuccessValue"]))
def through_vault(grant_id, method, args, deposit=0, gas_=60):
    r = send(bot, botk, vault, [fcall("execute", {"grant_id": grant_id, "calls": [{"receiver_id": registry, "method_name": method, "args": args, "deposit": str(deposit), "gas": str(gas_ * T)}]}, 150 * T)])
    return r, [l for l in logs(r) if "call_settled" in l]
r, settled = through_vault(pid, "create_model", {"namespace": "acme", "name": "llm"}, NEAR // 2)
print("agent creates acme/llm through the vault:", settled)
files = [{"path": "model.safetensors", "sha256": "ab" * 32, "size": "1000"}]
r, settled = through_vault(pid, "publish_version", {"model_id": "acme/llm", "version": "1.0.0", "files": files, "commercial_use": False}, NEAR // 2, 100)
print("agent publishes acme/llm@1.0.0:", settled)
print("registry says:", view_json(registry, "version_status", {"model_id": "acme/llm", "version": "1.0.0"}),
      "owner:", view_json(registry, "get_model", {"model_id": "acme/llm"}).get("owner"))
bound = dict(grant); bound["model"] = {"registry": registry, "model_id": "acme/llm", "version": "1.0.0"}; bound["require_active_model"] = True
r = send(root, rk, vault, [fcall("create_grant", {"grant": bound}, 50 * T, 1)])
bid = json.loads(base64.b64decode(r["status"]["SuccessValue"]))
def bound_call(msg):
    r = send(bot, botk, vault, [fcall("execute", {"grant_id": bid, "calls": [{"receiver_id": app, "method_name": "set_status", "args": {"message": msg}, "gas": str(30 * T)}]}, 100 * T)])
    return r, [l for l in logs(r) if "call_settled" in l]
r, settled = bound_call("model active")
print("bound call while active:", settled, "gas", gas(r), "(model check adds", (gas(r) - results[-1][1]) / T, "TGas)")
r, settled = through_vault(pid, "revoke_version", {"model_id": "acme/llm", "version": "1.0.0", "code": "published_in_error", "reason": "test"}, NEAR // 10)
print("agent revokes 1.0.0:", settled, [ro["outcome"]["status"] for ro in r["receipts_outcome"] if "Failure" in ro["outcome"]["status"]])
print("registry says:", view_json(registry, "version_status", {"model_id": "acme/llm", "version": "1.0.0"}))
r, settled = bound_call("model revoked")
print("bound call after revocation:", settled)
print("bound grant usage:", view_json(vault, "get_grant", {"grant_id": bid})["usage"])

# --- upgrade: owner redeploys (same code here) and migrate keeps grants and the log ---
before = (view_json(vault, "list_grants", {}), view_json(vault, "list_actions", {"limit": 100}))
r = send(root, rk, vault, [fcall_raw0("upgrade", vault_code, 250 * T, 1)])
print("upgrade", status(r), [l[:120] for l in logs(r)])
after = (view_json(vault, "list_grants", {}), view_json(vault, "list_actions", {"limit": 100}))
print("state kept across upgrade:", before == after, len(after[0]), "grants", len(after[1]), "actions")
r = send(bot, botk, vault, [fcall_raw0("upgrade", vault_code, 250 * T, 1)])
print("agent upgrade:", json.dumps(r["status"])[:200])

# --- factory: store the vault code once, create a vault, a failed creation is refunded ---
def fcall_raw(m, raw, gas, dep=0): return b"\x02" + s(m) + s(raw) + u64(gas) + u128(dep)
def balance(acc):
    return int(rpc("query", {"request_type": "view_account", "finality": "final", "account_id": acc})["amount"])
factory_code = open(os.path.join(ROOT_DIR, "target/near/vault-factory/vault_factory.wasm"), "rb").read()
factory = f"vaults{suffix}.{root}"
r = send(root, rk, factory, [create_account(), transfer(20 * NEAR), add_full_key(rk.pub), deploy(factory_code), fcall("new", {"owner_id": root}, 30 * T)])
print("factory", status(r))
r = send(root, rk, factory, [fcall_raw("set_vault_code", vault_code, 200 * T)])
print("set_vault_code", status(r), "gas", gas(r))
view = rpc("query", {"request_type": "call_function", "finality": "final", "account_id": factory, "method_name": "min_vault_deposit", "args_base64": ""})
minimum = int(json.loads(bytes(view["result"])))
print("min_vault_deposit", minimum / NEAR, "NEAR")
r = send(bot, botk, factory, [fcall("create_vault", {"name": "alice", "owner_id": bot}, 150 * T, minimum)])
print("create_vault", status(r), [l[:200] for l in logs(r)], "gas", gas(r))
view = rpc("query", {"request_type": "call_function", "finality": "final", "account_id": f"alice.{factory}", "method_name": "get_owner", "args_base64": ""})
print("new vault owner:", json.loads(bytes(view["result"])))
before = balance(bot)
r = send(bot, botk, factory, [fcall("create_vault", {"name": "alice", "owner_id": bot}, 150 * T, minimum)])
time.sleep(2)
after = balance(bot)
print("second create_vault (name taken):", status(r), [l[:200] for l in logs(r)])
print("caller lost", (before - after) / NEAR, "NEAR (gas only; deposit", minimum / NEAR, "refunded)")
