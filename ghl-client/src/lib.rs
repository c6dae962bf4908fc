#![doc = include_str!("generated/crate_docs.md")]
#![doc = include_str!("promises.md")]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

/// The `ghl` command line's dispatcher (feature `cli`); the binary is `src/bin/ghl.rs`.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
pub mod runtime;
#[cfg(feature = "webhooks")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhooks")))]
pub mod webhook;
#[cfg(feature = "webhooks")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhooks")))]
pub use webhook::{VerifiedWebhook, WebhookError, WebhookVerifier};

#[rustfmt::skip]
#[allow(rustdoc::broken_intra_doc_links, rustdoc::bare_urls, rustdoc::invalid_html_tags)]
mod generated;

/// Re-exported for implementing [`TokenStore`] without depending on `async-trait`.
pub use async_trait::async_trait;
pub use generated::*;
pub use runtime::client::{Client, ClientBuilder};
pub use runtime::error::{Error, ErrorBody, ErrorMessage, RateLimitKind};
pub use runtime::nullable::Nullable;
pub use runtime::oauth::{AuthorizationUrl, OAuthApp, OAuthTokens, TokenApi, UserType};
pub use runtime::pagination::{Paginated, paginate};
pub use runtime::rate_limit::{RateBudget, RateLimit, RateLimitHeaders, RateLimiter, RatePermit, RateRefusal};
pub use runtime::request::{Body, OperationMeta, Part, Request, TokenKind};
pub use runtime::response::ApiResponse;
pub use runtime::retry::RetryPolicy;
pub use runtime::secret::Secret;
pub use runtime::tagged::RawVariant;
pub use runtime::token_store::{FileTokenStore, MemoryTokenStore, RefreshLease, TokenRecord, TokenStore};
pub use runtime::upload::Upload;

/// The README's example, compiled by `cargo test --doc` so it stays current.
#[cfg(all(doctest, feature = "contacts", feature = "opportunities"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
