//! The hand-written runtime every generated operation runs through.
//!
//! - [`client`]: the [`crate::Client`], its builder, and the attempt loop;
//! - [`auth`] (private), [`oauth`], [`token_store`]: which token a call
//!   carries, OAuth refresh, and where tokens are kept;
//! - [`retry`], [`rate_limit`]: when to send again, and how fast;
//! - [`request`], [`response`], [`pagination`], [`upload`], [`nullable`]:
//!   the surface generated code uses;
//! - [`error`]: the one error type.

mod auth;
pub mod client;
pub mod config;
pub(crate) mod enums;
pub mod error;
pub mod nullable;
pub mod oauth;
pub mod pagination;
pub mod rate_limit;
pub mod request;
pub mod response;
pub mod retry;
pub mod token_store;
mod transport;
pub mod upload;
#[doc(hidden)]
pub use request::SampleCall;
