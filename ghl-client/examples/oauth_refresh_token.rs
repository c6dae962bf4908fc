//! OAuth token refresh (SKILL.md "Token Refresh"): spend a refresh token for a
//! new access token (and a new refresh token) at `POST /oauth/token` (form
//! body, `grant_type=refresh_token`).
//!
//! The client normally does this on its own shortly before the access token
//! expires; this example forces it for a refresh token you already hold.
//! Needs no module feature; reads `GHL_CLIENT_ID`, `GHL_CLIENT_SECRET` and
//! `GHL_REFRESH_TOKEN`:
//!
//! ```text
//! cargo run -p ghl-client --example oauth_refresh_token
//! ```

use std::sync::Arc;

use ghl_client::{Client, ClientBuilder, Error, MemoryTokenStore, OAuthTokens, TokenStore, UserType};

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(Client::builder().from_env()).await
}

/// Seeds a token store with the refresh token, refreshes, and prints the new expiry.
pub async fn run(builder: ClientBuilder) -> Result<(), Error> {
    let refresh = std::env::var("GHL_REFRESH_TOKEN").unwrap_or_else(|_| "YOUR_REFRESH_TOKEN".into());
    // No access token yet: an already expired placeholder makes the client refresh.
    let held = OAuthTokens::new("none-yet", Some(refresh), 0, UserType::Location);
    let store = Arc::new(MemoryTokenStore::with_tokens(held));
    let client = builder.token_store(store.clone()).build()?;
    client.refresh_now().await?;
    let record =
        store.get().await?.ok_or_else(|| Error::Config("the token store is empty after the refresh".into()))?;
    println!("refreshed: token revision {}, expires at unix time {}", record.revision, record.tokens.expires_at);
    println!("new refresh token received: {} (store it: the old one is spent)", record.tokens.refresh_token.is_some());
    Ok(())
}
