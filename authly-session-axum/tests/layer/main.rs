//! The layer and extractors, driven through `tower::ServiceExt::oneshot` against `MemoryStore`.

mod cap;
mod common;
mod cookie_attributes;
mod csrf;
mod devices;
mod expiry;
mod fixation;
mod identity;
mod store_errors;
