//! Free appointment slots of a calendar (SKILL.md "Get Free Slots Example"):
//! `GET /calendars/{calendarId}/free-slots`.
//!
//! SKILL.md passes dates (`startDate=2025-01-01`); the real parameters are
//! Unix milliseconds, and the call takes `Version: 2021-04-15`. Needs the
//! cargo feature `calendars`; reads `GHL_API_KEY` and `GHL_CALENDAR_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example free_slots --features calendars
//! ```

use ghl_client::{Client, Error};

/// 2025-01-01T00:00:00Z and 2025-01-31T00:00:00Z, in Unix milliseconds.
const JAN_1_2025_MS: i64 = 1_735_689_600_000;
const JAN_31_2025_MS: i64 = 1_738_281_600_000;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Prints the free slots of January 2025, day by day, in New York time.
pub async fn run(client: &Client) -> Result<(), Error> {
    let calendar = std::env::var("GHL_CALENDAR_ID").unwrap_or_else(|_| "CALENDAR_ID".into());
    let days = client
        .calendars()
        .get_free_slots(calendar, JAN_1_2025_MS, JAN_31_2025_MS)
        .timezone("America/New_York")
        .send()
        .await?;
    println!("{} day(s) with free slots", days.len());
    for (day, slots) in &days {
        println!("  {day}: {}", slots.slots.join(", "));
    }
    Ok(())
}
