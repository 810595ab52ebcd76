//! What `xtask` and `authly-bench` share, so each keeps only its own work.
//!
//! - [`Backend`]: every backend authly-session runs on, by name, with the variables that name
//!   its test server and the commands that stop and start it.
//! - [`values`]: the option values both command lines take (`--backend`, `--seconds`,
//!   `--concurrency`), checked alike.
//! - With feature `provision` (xtask only, as it brings testcontainers): [`Servers`], a server
//!   for each selected backend, the one its variable names or else a container.

mod backend;
#[cfg(feature = "provision")]
mod containers;
#[cfg(feature = "provision")]
mod servers;
pub mod values;

pub use backend::Backend;
#[cfg(feature = "provision")]
pub use servers::{Server, Servers};
