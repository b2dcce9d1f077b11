//! `init` / `run`, config.json, genesis.json and key files. OWNED BY THE NODE HELPER.
