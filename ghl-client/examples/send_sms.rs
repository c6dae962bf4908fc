//! Send an SMS to a contact (SKILL.md "Send SMS Example"):
//! `POST /conversations/messages` with `type: SMS`.
//!
//! HighLevel's doc gives this call `Version: 2021-04-15` (SKILL.md sends
//! 2021-07-28); the client sends the right one. Needs the cargo feature
//! `conversations`; reads `GHL_API_KEY` and `GHL_CONTACT_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example send_sms --features conversations
//! ```

use ghl_client::conversations::{SendMessageRequest, SendMessageType};
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Sends one text message and prints the message and conversation ids.
pub async fn run(client: &Client) -> Result<(), Error> {
    let contact = std::env::var("GHL_CONTACT_ID").unwrap_or_else(|_| "CONTACT_ID".into());
    let body =
        SendMessageRequest::new(SendMessageType::Sms, contact).message("Hello! This is a test message from the API.");
    let sent = client.conversations().send_message(body).send().await?;
    println!(
        "sent message {} in conversation {}",
        sent.message_id.as_deref().unwrap_or("?"),
        sent.conversation_id.as_deref().unwrap_or("?")
    );
    Ok(())
}
