//! Book an appointment (SKILL.md "Create Appointment Example").
//!
//! SKILL.md gives `POST /calendars/events` with `Version: 2021-07-28`; the real
//! call is `POST /calendars/events/appointments` with `Version: 2021-04-15`.
//! Needs the cargo feature `calendars`; reads `GHL_API_KEY`, `GHL_LOCATION_ID`,
//! `GHL_CALENDAR_ID`, `GHL_CONTACT_ID` and `GHL_USER_ID`:
//!
//! ```text
//! cargo run -p ghl-client --example book_appointment --features calendars
//! ```

use ghl_client::calendars::{AppointmentStatus, CreateAppointmentRequest};
use ghl_client::{Client, Error};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::from_env()?;
    run(&client).await
}

/// Books a one-hour consultation and prints the appointment's id and status.
pub async fn run(client: &Client) -> Result<(), Error> {
    let env = |name: &str, placeholder: &str| std::env::var(name).unwrap_or_else(|_| placeholder.to_owned());
    let location = client.location_id().ok_or_else(|| Error::Config("set GHL_LOCATION_ID".into()))?;
    let body = CreateAppointmentRequest::new(
        env("GHL_CALENDAR_ID", "CALENDAR_ID"),
        location,
        env("GHL_CONTACT_ID", "CONTACT_ID"),
        "2025-02-01T10:00:00Z",
    )
    .end_time("2025-02-01T11:00:00Z")
    .title("Consultation Call")
    .appointment_status(AppointmentStatus::Confirmed)
    .assigned_user_id(env("GHL_USER_ID", "USER_ID"))
    .description("Initial consultation");
    let booked = client.calendars().create_appointment(body).send().await?;
    println!(
        "booked appointment {} from {} to {} ({})",
        booked.id.as_deref().unwrap_or("?"),
        booked.start_time.as_deref().unwrap_or("?"),
        booked.end_time.as_deref().unwrap_or("?"),
        booked.appointment_status.map(|s| s.to_string()).unwrap_or_else(|| "no status".into())
    );
    Ok(())
}
