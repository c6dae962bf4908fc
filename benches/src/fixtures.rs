//! HighLevel-shaped JSON bodies: contacts as `GET /contacts/{id}` and
//! `GET /contacts/` return them, each with ten custom fields of mixed kinds.

use std::fmt::Write;

/// The contact id the single-request benchmark asks for.
pub const CONTACT_ID: &str = "ocQHyuzHvysMo5N5VsXc";
/// The token every client sends.
pub const TOKEN: &str = "pit-bench-0000";
/// The location every client is configured with.
pub const LOCATION: &str = "C2QujeCh8ZnC7al2InWR";

/// One contact object (about 1.9 KB of JSON), numbered `i`.
pub fn contact(i: usize) -> String {
    let mut s = String::with_capacity(2048);
    write!(
        s,
        r#"{{"id":"c{i:07}","locationId":"{LOCATION}","contactName":"ada lovelace {i}","firstName":"Ada","lastName":"Lovelace","firstNameRaw":"Ada","lastNameRaw":"Lovelace","companyName":"Analytical Engines Ltd","email":"ada{i}@example.com","phone":"+15551234567","dnd":false,"dndSettings":{{"Call":{{"status":"active","message":"","code":""}},"Email":{{"status":"inactive","message":"","code":""}},"SMS":{{"status":"inactive"}}}},"type":"lead","source":"public api","assignedTo":"u-1234567890","address1":"12 St James's Square","city":"London","state":"LDN","postalCode":"SW1Y 4JH","country":"GB","website":"https://example.com","timezone":"Europe/London","dateAdded":"2024-01-05T10:00:00.000Z","dateUpdated":"2024-02-01T08:30:00.000Z","dateOfBirth":"1815-12-10","tags":["customer","newsletter","vip","spring-2024"],"customFields":["#
    )
    .unwrap();
    let values = [
        r#""text value of a custom field""#,
        "42",
        r#"["option a","option b"]"#,
        "true",
        r#""2024-03-01""#,
        r#"{"url":"https://example.com/files/contract.pdf","meta":{"size":1024,"mimetype":"application/pdf"}}"#,
        "12.5",
        r#""+15557654321""#,
        r#"["x"]"#,
        r#""a longer free-text answer that a form collected from the contact""#,
    ];
    for (k, v) in values.iter().enumerate() {
        if k > 0 {
            s.push(',');
        }
        write!(s, r#"{{"id":"cf{k:02}{i:05}","value":{v}}}"#).unwrap();
    }
    write!(
        s,
        r#"],"attributionSource":{{"url":"https://example.com/landing","campaign":"spring","utmSource":"google","utmMedium":"cpc","referrer":"https://www.google.com","sessionSource":"Paid Search","medium":"form","mediumId":"form-{i}"}},"followers":["u-1","u-2"],"additionalEmails":["ada.lovelace{i}@example.org"]}}"#
    )
    .unwrap();
    s
}

/// The body of `GET /contacts/{id}`.
pub fn contact_response() -> String {
    format!(r#"{{"contact":{}}}"#, contact(0))
}

/// One page of `GET /contacts/`: contacts `start..end` out of `total`, with
/// the cursor meta HighLevel sends (`startAfterId`, `startAfter`, `total`).
pub fn contact_page(start: usize, end: usize, total: usize) -> String {
    let mut s = String::with_capacity((end - start) * 2048 + 256);
    s.push_str(r#"{"contacts":["#);
    for i in start..end {
        if i > start {
            s.push(',');
        }
        s.push_str(&contact(i));
    }
    s.push_str("],");
    if end > start {
        let last = end - 1;
        write!(
            s,
            r#""count":{},"meta":{{"total":{total},"startAfterId":"c{last:07}","startAfter":{},"currentPage":null,"nextPage":null,"prevPage":null}}}}"#,
            end - start,
            1_600_000_000_000u64 + last as u64
        )
        .unwrap();
    } else {
        write!(s, r#""count":0,"meta":{{"total":{total},"startAfterId":null,"startAfter":null}}}}"#).unwrap();
    }
    s
}

/// The index after the cursor `c0000123` (`0` without a cursor).
pub fn start_after(cursor: Option<&str>) -> usize {
    cursor.and_then(|c| c.strip_prefix('c')).and_then(|n| n.parse::<usize>().ok()).map_or(0, |n| n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_are_json_and_decode_into_the_generated_models() {
        let page = contact_page(0, 3, 10);
        let list: ghl_client::contacts::ContactList = serde_json::from_str(&page).unwrap();
        let contacts = list.contacts;
        assert_eq!(contacts.len(), 3);
        assert_eq!(contacts[2].custom_fields.len(), 10);
        assert_eq!(list.meta.unwrap().start_after_id.as_deref(), Some("c0000002"));
        let one: ghl_client::contacts::ContactResponse = serde_json::from_str(&contact_response()).unwrap();
        assert_eq!(one.contact().id.as_deref(), Some("c0000000"));
        let empty: serde_json::Value = serde_json::from_str(&contact_page(5, 5, 5)).unwrap();
        assert_eq!(empty["contacts"].as_array().map(Vec::len), Some(0));
    }

    #[test]
    fn cursors_count_from_the_item_after() {
        assert_eq!(start_after(None), 0);
        assert_eq!(start_after(Some("c0000099")), 100);
        assert_eq!(start_after(Some("garbage")), 0);
    }
}
