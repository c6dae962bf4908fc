//! The hand-written runtime every generated operation runs through.
//!
//! - [`client`]: the [`crate::Client`], its builder, and the attempt loop;
//! - [`oauth`], [`token_store`]: OAuth refresh and where tokens are kept
//!   (a private `auth` module picks the token each operation takes);
//! - [`retry`], [`rate_limit`]: when to send again, and how fast;
//! - [`request`], [`response`], [`pagination`], [`upload`], [`nullable`],
//!   [`tagged`]: the surface generated code uses;
//! - [`config`]: the environment variables `Client::from_env` reads;
//! - [`error`]: the one error type.

mod auth;
mod builder;
pub mod client;
pub mod config;
pub(crate) mod enums;
pub mod error;
pub(crate) mod lenient;
pub mod nullable;
pub mod oauth;
pub(crate) mod object;
pub mod pagination;
pub mod rate_limit;
#[cfg(feature = "redis")]
pub mod redis;
mod refresh;
pub mod request;
pub mod response;
pub mod retry;
pub mod secret;
pub mod tagged;
pub mod token_store;
pub(crate) mod transport;
pub mod upload;
#[doc(hidden)]
pub use request::SampleCall;
