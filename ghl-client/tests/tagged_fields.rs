//! One-of fields whose shape a tag beside them chooses (`x-ghl-discriminator`
//! in the spec): every variant decodes from its tag and payload and encodes
//! back to the same JSON; an unknown tag, or a payload that does not fit its
//! tag, is kept as received and sent back unchanged.
//!
//! Round trips need both directions on received types: `serde-both-ways`.
#![cfg(all(feature = "ad_manager", feature = "conversation_ai", feature = "voice_ai", feature = "serde-both-ways"))]

use ghl_client::RawVariant;
use ghl_client::ad_manager::{
    GoogleCallAsset, GoogleSitelinkAsset, UpsertGoogleAssetRequest, UpsertGoogleAssetRequestPayload,
};
use ghl_client::conversation_ai::{
    ConversationAiAction, ConversationAiActionDetails as Details, ConversationAiActionRequest, TriggerWorkflowDetails,
};
use ghl_client::voice_ai::{VoiceAiAction, VoiceAiActionActionParameters as Params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Decodes `wire`, checks that encoding gives `wire` back, returns the value.
fn round_trip<T: Serialize + DeserializeOwned>(wire: Value) -> T {
    let value: T = serde_json::from_value(wire.clone()).expect("decodes");
    assert_eq!(serde_json::to_value(&value).expect("encodes"), wire);
    value
}

fn details_variant(d: &Details) -> &'static str {
    match d {
        Details::TriggerWorkflow(_) => "triggerWorkflow",
        Details::UpdateContactField(_) => "updateContactField",
        Details::AppointmentBooking(_) => "appointmentBooking",
        Details::StopBot(_) => "stopBot",
        Details::HumanHandOver(_) => "humanHandOver",
        Details::AdvancedFollowup(_) => "advancedFollowup",
        Details::TransferBot(_) => "transferBot",
        Details::Other(_) => "other",
        _ => "unexpected",
    }
}

#[test]
fn every_conversation_ai_action_type_round_trips_as_its_variant() {
    let cases = [
        ("triggerWorkflow", json!({"workflowIds": ["w1", "w2"], "triggerCondition": "asks for a demo"})),
        ("updateContactField", json!({"contactFieldId": "123", "description": "the budget"})),
        (
            "appointmentBooking",
            json!({"calendarId": "cal1", "onlySendLink": false, "triggerWorkflow": true, "sleepAfterBooking": true,
                   "transferBot": false, "rescheduleEnabled": true, "cancelEnabled": true, "sleepTime": 24}),
        ),
        ("stopBot", json!({"stopBotDetectionType": "Custom", "enabled": true, "stopBotExamples": ["stop"]})),
        ("humanHandOver", json!({"enabled": true, "handoverType": "contactRequest", "tags": ["escalated"]})),
        ("advancedFollowup", json!({"enabled": true, "scenarioId": "contactIsBusy", "followupSequence": []})),
        ("transferBot", json!({"transferBotType": "Custom", "transferToBot": "emp789", "enabled": true})),
    ];
    for (tag, details) in cases {
        let action: ConversationAiAction =
            round_trip(json!({"id": "a1", "name": "An action", "type": tag, "details": details}));
        let got = action.details.as_ref().expect("details present");
        assert_eq!(details_variant(got), tag, "{tag} decodes as its own variant");
        assert_eq!(got.tag(), Some(tag));
    }
}

#[test]
fn unknown_tag_is_kept_and_sent_back() {
    let wire = json!({"id": "a1", "type": "summonWizard", "details": {"spell": 3}});
    let action: ConversationAiAction = round_trip(wire);
    match action.details.as_ref().expect("details present") {
        Details::Other(raw) => {
            assert_eq!(raw.tag.as_deref(), Some("summonWizard"));
            assert_eq!(raw.content, Some(json!({"spell": 3})));
        }
        other => panic!("an unknown tag decoded as {other:?}"),
    }
}

#[test]
fn payload_that_does_not_fit_its_tag_is_kept_and_sent_back() {
    let action: ConversationAiAction = round_trip(json!({"type": "triggerWorkflow", "details": "not an object"}));
    assert!(matches!(action.details, Some(Details::Other(_))), "{:?}", action.details);
    // A tag without its payload, and a payload without its tag.
    let action: ConversationAiAction = round_trip(json!({"type": "stopBot"}));
    assert!(matches!(&action.details, Some(Details::Other(raw)) if raw.content.is_none()));
    let action: ConversationAiAction = round_trip(json!({"details": {"enabled": true}}));
    assert!(matches!(&action.details, Some(Details::Other(raw)) if raw.tag.is_none()));
}

#[test]
fn absent_tag_and_payload_leave_an_optional_field_empty() {
    let action: ConversationAiAction = round_trip(json!({"id": "a1", "name": "n"}));
    assert_eq!(action.details, None);
}

#[test]
fn a_required_tagged_field_must_be_there() {
    let err = serde_json::from_value::<ConversationAiActionRequest>(json!({"name": "n"}));
    assert!(err.is_err(), "{err:?}");
}

#[test]
fn requests_are_built_from_a_payload_type_or_a_raw_variant() {
    let request =
        ConversationAiActionRequest::new("Book", TriggerWorkflowDetails::new(vec!["w1".to_owned()], "asks to book"));
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"name": "Book", "type": "triggerWorkflow",
               "details": {"workflowIds": ["w1"], "triggerCondition": "asks to book"}})
    );

    let sitelink = UpsertGoogleAssetRequest::new("loc1", GoogleSitelinkAsset::new("Pricing", "https://example.com/p"));
    let wire = json!({"locationId": "loc1", "type": "SITELINK",
                      "payload": {"linkText": "Pricing", "finalUrls": "https://example.com/p"}});
    assert_eq!(serde_json::to_value(&sitelink).unwrap(), wire);
    let back: UpsertGoogleAssetRequest = round_trip(wire);
    assert!(matches!(back.payload, UpsertGoogleAssetRequestPayload::Sitelink(_)));

    let call = UpsertGoogleAssetRequest::new("loc1", GoogleCallAsset::new("+14155551234", "US"));
    assert_eq!(serde_json::to_value(&call).unwrap()["type"], "CALL");

    let newer = UpsertGoogleAssetRequest::new(
        "loc1",
        UpsertGoogleAssetRequestPayload::Other(RawVariant::new("PROMOTION", json!({"percentOff": 10}))),
    );
    assert_eq!(
        serde_json::to_value(&newer).unwrap(),
        json!({"locationId": "loc1", "type": "PROMOTION", "payload": {"percentOff": 10}})
    );
}

#[test]
fn variants_of_the_same_shape_are_told_apart_by_their_tag() {
    let params = json!({"contactFieldId": "f1", "description": "the budget", "examples": ["$5k"]});
    let after: VoiceAiAction = round_trip(json!({"actionType": "DATA_EXTRACTION", "actionParameters": params}));
    let during: VoiceAiAction =
        round_trip(json!({"actionType": "IN_CALL_DATA_EXTRACTION", "actionParameters": params}));
    assert!(matches!(after.action_parameters, Some(Params::DataExtraction(_))), "{after:?}");
    assert!(matches!(during.action_parameters, Some(Params::InCallDataExtraction(_))), "{during:?}");
}
