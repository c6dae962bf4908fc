//! One worker of a fleet: many processes on many machines serve the same
//! marketplace app for many sub-accounts, sharing through one Redis
//!
//! - the OAuth tokens (one refresh of the agency token in the whole fleet,
//!   and each location's token, made from the agency token, made once);
//! - the rate budget (HighLevel counts per app and location, not per worker);
//! - with feature `webhooks`, the replay guard of the webhook receivers
//!   (`redis.replay_store()`, see the webhook_receiver example).
//!
//! ```text
//! REDIS_URL=redis://127.0.0.1:6379/0 GHL_CLIENT_ID=... GHL_CLIENT_SECRET=... \
//! GHL_COMPANY_ID=... GHL_LOCATION_IDS=loc-1,loc-2 \
//!     cargo run -p ghl-client --features redis --example fleet
//! ```
//!
//! The agency's tokens must be in Redis first: exchange the installing
//! admin's code once with a client built like the one below
//! (`client.exchange_code(code, redirect, UserType::Company)`). Run as many
//! copies of this program as you like, on as many machines.

use std::sync::Arc;

use ghl_client::runtime::redis::RedisStore;
use ghl_client::{Client, OAuthApp, OperationMeta, RateLimit, Request, TokenKind};

static GET_LOCATION: OperationMeta = OperationMeta {
    id: "get-location",
    method: http::Method::GET,
    path: "/locations/{locationId}",
    version: "2021-07-28",
    token: TokenKind::Location,
    scopes: &["locations.readonly"],
};

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let client_id = env("GHL_CLIENT_ID")?;
    let company_id = env("GHL_COMPANY_ID")?;
    // `rediss://` across machines: Redis holds the tokens in clear text.
    let redis = RedisStore::open(&env("REDIS_URL")?)?.with_prefix("ghl:");
    let mut builder = Client::builder()
        .oauth(OAuthApp::new(client_id.clone(), env("GHL_CLIENT_SECRET")?))
        // The agency's record; location tokens go beside it, one key per location.
        .token_store(Arc::new(redis.tokens(&client_id, &company_id)))
        .rate_limiter(Arc::new(redis.rate_budget(&client_id, RateLimit::STANDARD)))
        .company_id(company_id);
    if let Ok(url) = std::env::var("GHL_BASE_URL") {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;

    let locations = env("GHL_LOCATION_IDS")?;
    let calls = locations.split(',').map(str::trim).filter(|l| !l.is_empty()).map(|location| {
        let client = client.clone();
        let location = location.to_owned();
        async move {
            let path = format!("/locations/{}", ghl_client::runtime::request::path_segment(&location));
            let mut request = Request::new(&GET_LOCATION, path);
            request.scope_key(&location);
            match client.execute::<serde_json::Value>(request).await {
                Ok(r) => println!("{location}: {}", r.body["location"]["name"]),
                Err(e) => eprintln!("{location}: {e}"),
            }
        }
    });
    futures::future::join_all(calls).await;
    Ok(())
}
