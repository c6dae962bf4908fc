//! Send an email to a contact (SKILL.md "Send Email Example"):
//! `POST /conversations/messages` with `type: Email`.
//!
//! Needs the cargo feature `conversations`; reads `GHL_API_KEY` and `GHL_CONTACT_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example send_email --features conversations
//! ```

use ghl_client::conversations::{SendMessageRequest, SendMessageType};
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Sends one HTML email and prints the email message id.
pub async fn run(client: &Client) -> Result<(), Error> {
    let contact = std::env::var("GHL_CONTACT_ID").unwrap_or_else(|_| "CONTACT_ID".into());
    let html = "<html><body><h1>Hello!</h1><p>This is a test email.</p></body></html>";
    let body = SendMessageRequest::new(SendMessageType::Email, contact)
        .subject("Test Email")
        .message(html)
        .html(html)
        .email_from("Sender Name <sender@yourdomain.com>");
    let sent = client.conversations().send_message(body).send().await?;
    println!(
        "sent email {} (message {})",
        sent.email_message_id.as_deref().unwrap_or("?"),
        sent.message_id.as_deref().unwrap_or("?")
    );
    Ok(())
}
