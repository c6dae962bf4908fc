//! API v3: add a task to a contact and list the contact's tasks, with
//! `Version: v3` sent for you. The request and answer types are the v2 ones,
//! because HighLevel documents them the same way in both versions.
//!
//! Needs the cargo feature `v3_contacts` (nothing of v2 `contacts` is
//! compiled but the shared types); reads `GHL_API_KEY`, `GHL_LOCATION_ID` and
//! `GHL_CONTACT_ID`. Against the mock:
//!
//! ```text
//! cargo xtask mock    # prints its base URL
//! GHL_BASE_URL=http://127.0.0.1:PORT GHL_API_KEY=test GHL_LOCATION_ID=loc GHL_CONTACT_ID=c1 \
//!   cargo run -p ghl-client --example v3_contact_tasks --features v3_contacts
//! ```

use ghl_client::contacts::CreateContactTaskRequest;
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Creates a follow-up task on the contact, then prints every task it has.
pub async fn run(client: &Client) -> Result<(), Error> {
    let contact = std::env::var("GHL_CONTACT_ID").unwrap_or_else(|_| "CONTACT_ID".into());
    let contacts = client.v3().contacts();
    let task = CreateContactTaskRequest::new("Call back", "2026-12-24T10:00:00Z", false).body("About the quote");
    let created = contacts.create_contact_task(&contact, task).send().await?;
    println!("created task {:?}", created.task.and_then(|t| t.id));
    let tasks = contacts.list_contact_tasks(&contact).send().await?;
    for t in tasks.tasks {
        println!("- {} (due {})", t.title.unwrap_or_default(), t.due_date.unwrap_or_default());
    }
    Ok(())
}
