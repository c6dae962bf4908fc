//! Form submissions of a location (SKILL.md "Get Form Submissions Example"):
//! `GET /forms/submissions?page=1&limit=20`.
//!
//! Needs the cargo feature `forms`; reads `GHL_API_KEY` and `GHL_LOCATION_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example form_submissions --features forms
//! ```

use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Prints the first page of submissions: when, which form, who.
pub async fn run(client: &Client) -> Result<(), Error> {
    let page = client.forms().list_form_submissions().page(1).limit(20).send().await?;
    let submissions = page.submissions;
    println!("{} submission(s) on page 1", submissions.len());
    for s in submissions {
        println!(
            "  {} form {} by {} <{}>",
            s.created_at.as_deref().unwrap_or("?"),
            s.form_id.as_deref().unwrap_or("?"),
            s.name.as_deref().unwrap_or("?"),
            s.email.as_deref().unwrap_or("no email")
        );
    }
    Ok(())
}
