//! Create a contact (SKILL.md "Create Contact Example"): `POST /contacts/`.
//!
//! Needs the cargo feature `contacts`; reads `GHL_API_KEY`, `GHL_LOCATION_ID`
//! and optionally `GHL_CUSTOM_FIELD_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example create_contact --features contacts
//! ```

use ghl_client::contacts::{CreateContactRequest, CustomFieldInput};
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Creates John Doe with two tags and a custom field value, and prints the new id.
pub async fn run(client: &Client) -> Result<(), Error> {
    let location = client.location_id().ok_or_else(|| Error::Config("set GHL_LOCATION_ID".into()))?;
    let field = std::env::var("GHL_CUSTOM_FIELD_ID").unwrap_or_else(|_| "CUSTOM_FIELD_ID".into());
    let body = CreateContactRequest::new(location)
        .first_name("John")
        .last_name("Doe")
        .email("john@example.com")
        .phone("+1234567890")
        .tags(vec!["new-lead".to_owned(), "website".to_owned()])
        .source("API")
        .custom_fields(vec![CustomFieldInput::new(field).value("Custom Value")]);
    let contact = client.contacts().create_contact(body).send().await?.contact();
    println!(
        "created contact {} ({} {}, {})",
        contact.id.as_deref().unwrap_or("?"),
        contact.first_name.as_deref().unwrap_or(""),
        contact.last_name.as_deref().unwrap_or(""),
        contact.email.as_deref().unwrap_or("no email")
    );
    Ok(())
}
