//! The Lua scripts (in `lua/`), each hashed once per process and run by `EVALSHA`, loaded into
//! the server on first use (and again after a restart) by `redis::Script`'s automatic fallback.
//!
//! Single-node scripts do a whole operation atomically in one round trip; they reach the keys an
//! operation implies (an identity's index, an index's sessions) by building their names from the
//! prefix, which a standalone server allows. Cluster scripts (`shard_*`) touch only the keys they
//! are given, all in one slot.

use std::sync::LazyLock;

use redis::Script;

macro_rules! script {
    ($file:literal) => {
        LazyLock::new(|| {
            Script::new(concat!(
                include_str!("../lua/common.lua"),
                include_str!(concat!("../lua/", $file))
            ))
        })
    };
}

/// Single node: write a session and its index entry (save), or only a live one (update).
pub(crate) static SAVE: LazyLock<Script> = script!("save.lua");
/// Single node: delete a session and its index entry.
pub(crate) static REMOVE: LazyLock<Script> = script!("remove.lua");
/// Single node: move or end a live session's expiry, index included.
pub(crate) static TOUCH: LazyLock<Script> = script!("touch.lua");
/// Single node: list the live sessions of an identity.
pub(crate) static LIST: LazyLock<Script> = script!("list.lua");
/// Single node: delete every session of an identity.
pub(crate) static DELETE_IDENTITY: LazyLock<Script> = script!("delete_identity.lua");
/// Both modes: prune the due indexes of some registry shards.
pub(crate) static SWEEP: LazyLock<Script> = script!("sweep.lua");
/// Cluster: raise a handle's score in its identity index (first step of save and touch).
pub(crate) static SHARD_INDEX: LazyLock<Script> = script!("shard_index.lua");
/// Cluster: write a session hash (second step of save and update).
pub(crate) static SHARD_WRITE: LazyLock<Script> = script!("shard_write.lua");
/// Cluster: move a live session's expiry if its identity is still the one indexed.
pub(crate) static SHARD_TOUCH: LazyLock<Script> = script!("shard_touch.lua");
/// Cluster: end a live session.
pub(crate) static SHARD_END: LazyLock<Script> = script!("shard_end.lua");
/// Cluster: delete a session if it belongs to an identity.
pub(crate) static SHARD_DELETE_OWNED: LazyLock<Script> = script!("shard_delete_owned.lua");

/// Both modes: read the keyspace's schema version and bring it up to date.
pub(crate) static SCHEMA: LazyLock<Script> = script!("schema.lua");

/// How many index entries one script reads or removes at most (listing, sign-out everywhere,
/// pruning) before it yields the server: bounded work whatever an identity's session count.
pub(crate) const PAGE: u32 = 1_000;
