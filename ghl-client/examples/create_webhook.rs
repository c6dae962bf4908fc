//! Subscribe an address to webhook events (SKILL.md "Create Webhook Example"):
//! `POST /webhooks/`.
//!
//! HighLevel does not document this endpoint (a marketplace app sets its
//! webhook address and events in the app's settings); it is generated behind
//! the `undocumented` feature. Needs the cargo features
//! `webhook_subscriptions` and `undocumented`; reads `GHL_API_KEY` and
//! `GHL_LOCATION_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example create_webhook --features webhook_subscriptions,undocumented
//! ```

use ghl_client::webhook_subscriptions::WebhookSubscriptionRequest;
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Subscribes to contact and appointment events and prints the answer (raw JSON).
pub async fn run(client: &Client) -> Result<(), Error> {
    let location = client.location_id().ok_or_else(|| Error::Config("set GHL_LOCATION_ID".into()))?;
    let body = WebhookSubscriptionRequest::new()
        .location_id(location)
        .url("https://your-server.com/webhook")
        .events(["ContactCreate", "ContactUpdate", "AppointmentCreate"].map(String::from).to_vec())
        .secret("your-webhook-secret");
    let answer = client.webhook_subscriptions().create_webhook_subscription(body).send().await?;
    println!("subscribed: {answer}");
    Ok(())
}
