//! OAuth step 2 (SKILL.md "Token Exchange"): trade the authorization `code`
//! HighLevel sent to your redirect URI for an access and a refresh token, at
//! `POST /oauth/token` (form body, `grant_type=authorization_code`).
//!
//! The client keeps the tokens in its token store and refreshes them on its
//! own from then on. Needs no module feature (the OAuth flow is part of the
//! runtime); reads `GHL_CLIENT_ID`, `GHL_CLIENT_SECRET`, `GHL_AUTH_CODE` and
//! optionally `GHL_REDIRECT_URI`:
//!
//! ```text
//! cargo run -p ghl-client --example oauth_exchange_code
//! ```

use ghl_client::{Client, Error, UserType};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Exchanges the code and prints what the token grants (never the token itself).
pub async fn run(client: &Client) -> Result<(), Error> {
    let code = std::env::var("GHL_AUTH_CODE").unwrap_or_else(|_| "AUTH_CODE".into());
    let redirect = std::env::var("GHL_REDIRECT_URI").ok();
    let tokens = client.exchange_code(&code, redirect.as_deref(), UserType::Location).await?;
    println!("installed for location {:?} (company {:?})", tokens.location_id, tokens.company_id);
    println!(
        "access token expires at unix time {}; refresh token received: {}",
        tokens.expires_at,
        tokens.refresh_token.is_some()
    );
    println!("scopes: {}", tokens.scope.as_deref().unwrap_or("(not listed)"));
    Ok(())
}
