//! The shared harness of the benchmarks in `benches/benches/` (see
//! BENCHMARKS.md at the repository root and `cargo xtask bench`).
//!
//! - [`server`]: a tiny HTTP/1.1 server on loopback, run as a child process of
//!   the benchmark (so valgrind and the counting allocator see the client only);
//! - [`fixtures`]: HighLevel-shaped JSON (contacts with custom fields);
//! - [`stats`]: median, percentiles and spread;
//! - [`request`]: the per-request overhead runner, single and concurrent;
//! - [`machine`]: what the machine is and how loaded it was.

pub mod fixtures;
pub mod machine;
pub mod request;
pub mod server;
pub mod stats;
