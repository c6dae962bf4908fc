//! Survey submissions of a location (SKILL.md "Get Survey Submissions Example"):
//! `GET /surveys/submissions`.
//!
//! Needs the cargo feature `surveys`; reads `GHL_API_KEY` and `GHL_LOCATION_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example survey_submissions --features surveys
//! ```

use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Prints the first page of submissions: when, which survey, who.
pub async fn run(client: &Client) -> Result<(), Error> {
    let page = client.surveys().list_survey_submissions().send().await?;
    let submissions = page.submissions;
    println!("{} submission(s)", submissions.len());
    for s in submissions {
        println!(
            "  {} survey {} by {} <{}>",
            s.created_at.as_deref().unwrap_or("?"),
            s.survey_id.as_deref().unwrap_or("?"),
            s.name.as_deref().unwrap_or("?"),
            s.email.as_deref().unwrap_or("no email")
        );
    }
    Ok(())
}
