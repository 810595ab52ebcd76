//! The Lua scripts (in `lua/`), each hashed once per process and run by `EVALSHA`, loaded into
//! the server on first use (and again after a restart) by `redis::Script`'s automatic fallback.
//! Every script declares every key it touches, so each runs in one slot of a cluster; on a
//! single node the scripts that also keep the index take the index as a second key, atomically.

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

/// A session key a plain `GET` cannot read (a hash of schema version 1 or 2), as a string.
pub(crate) static READ: LazyLock<Script> = script!("read.lua");
/// Replace a live session, keeping its `created_at` (and on a single node, raise its index).
pub(crate) static UPDATE: LazyLock<Script> = script!("update.lua");
/// Move or end a live session's expiry (and on a single node, its index entry).
pub(crate) static TOUCH: LazyLock<Script> = script!("touch.lua");
/// Delete the given sessions of an identity (and on a single node, their index entries).
pub(crate) static SIGN_OUT: LazyLock<Script> = script!("sign_out.lua");
/// Drop index entries past the grace by the server's clock.
pub(crate) static PRUNE: LazyLock<Script> = script!("prune.lua");
/// Read the keyspace's schema version and bring it up to date.
pub(crate) static SCHEMA: LazyLock<Script> = script!("schema.lua");

/// How many index entries one command or script reads or removes at most (listing, sign-out
/// everywhere, pruning) before it yields the server: bounded work whatever an identity's size.
pub(crate) const PAGE: usize = 1_000;

/// How long after its last session's expiry (server clock) an index entry may be pruned by time,
/// and an index key lives: 5 minutes, so no app instance whose clock runs ahead by less can
/// hide a live session from another instance.
pub(crate) const PRUNE_GRACE_MICROS: i64 = 300_000_000;
