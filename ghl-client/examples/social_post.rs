//! Schedule a social media post (SKILL.md "Create Social Post Example").
//!
//! SKILL.md gives `POST /social-media-posting/posts` with `locationId` and
//! `scheduledAt` in the body; the real call is
//! `POST /social-media-posting/{locationId}/posts` with `scheduleDate`, and it
//! names the posting user. Needs the cargo feature `social_planner`; reads
//! `GHL_API_KEY`, `GHL_LOCATION_ID`, `GHL_SOCIAL_ACCOUNT_ID` and `GHL_USER_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example social_post --features social_planner
//! ```

use ghl_client::social_planner::{CreateSocialPostRequest, SocialPostMedia, SocialPostStatus, SocialPostType};
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Schedules an image post on one account and prints HighLevel's answer.
pub async fn run(client: &Client) -> Result<(), Error> {
    let env = |name: &str, placeholder: &str| std::env::var(name).unwrap_or_else(|_| placeholder.to_owned());
    let body = CreateSocialPostRequest::new(
        vec![env("GHL_SOCIAL_ACCOUNT_ID", "ACCOUNT_ID")],
        SocialPostType::Post,
        env("GHL_USER_ID", "USER_ID"),
    )
    .summary("Check out our latest offers!")
    .media(vec![SocialPostMedia::new("https://example.com/image.jpg").type_("image")])
    .schedule_date("2025-03-01T10:00:00Z")
    .status(SocialPostStatus::Scheduled);
    let answer = client.social_planner().create_social_post(body).send().await?;
    println!(
        "post scheduled: success {:?}, status code {:?}, message {:?}",
        answer.success, answer.status_code, answer.message
    );
    Ok(())
}
