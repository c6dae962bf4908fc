//! Workspace integration tests, and the spec-driven mock GHL server they run against.
//!
//! The library half of this crate is [`mock`]: an HTTP server that loads
//! `spec/` through the generator, checks every request against the
//! operation it routes to, answers with a response built from the spec, and
//! injects faults on demand. The tests in `tests/tests/` use it, and
//! `cargo xtask mock` runs it standalone so the examples of `ghl-client` can
//! be tried without a HighLevel account:
//!
//! ```text
//! cargo xtask mock --port 8787
//! GHL_BASE_URL=http://127.0.0.1:8787 GHL_API_KEY=any GHL_LOCATION_ID=loc-1 \
//!     cargo run -p ghl-client --example create_contact --features contacts
//! ```

#![warn(missing_docs)]

pub mod mock;
