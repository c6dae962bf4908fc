//! One-of fields whose shape a tag beside them chooses, such as
//! `{"type": "CALL", "payload": {...}}`. The generated enum for such a field
//! owns both keys and is flattened into its parent; these helpers read and
//! write the pair, so each enum's generated code stays small.

use std::fmt;

use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde_json::Value;

/// A tag the client does not know, or a payload that does not fit its tag,
/// kept as received (the catch-all variant of generated tagged enums).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct RawVariant {
    /// The tag's value, when there was one.
    pub tag: Option<String>,
    /// The payload, when there was one.
    pub content: Option<Value>,
}

impl RawVariant {
    /// A value to send with a tag this version of the client does not know.
    pub fn new(tag: impl Into<String>, content: Value) -> Self {
        RawVariant { tag: Some(tag.into()), content: Some(content) }
    }
}

/// Reads the tag and payload keys out of the parent object. Other keys are
/// skipped; an object with neither key is an error (so an optional field
/// stays `None`).
#[doc(hidden)]
pub fn split<'de, D: de::Deserializer<'de>>(
    deserializer: D,
    tag: &'static str,
    content: &'static str,
) -> Result<RawVariant, D::Error> {
    struct Pair {
        tag: &'static str,
        content: &'static str,
    }
    impl<'de> Visitor<'de> for Pair {
        type Value = RawVariant;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "an object with `{}` and `{}`", self.tag, self.content)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawVariant, A::Error> {
            let mut raw = RawVariant::default();
            while let Some(key) = map.next_key::<String>()? {
                if key == self.tag {
                    raw.tag = map.next_value::<Option<String>>()?;
                } else if key == self.content {
                    raw.content = Some(map.next_value::<Value>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            if raw.tag.is_none() && raw.content.is_none() {
                return Err(de::Error::missing_field(self.tag));
            }
            Ok(raw)
        }
    }
    deserializer.deserialize_map(Pair { tag, content })
}

/// The payload as `T`, or `None` when it is missing or does not fit.
#[doc(hidden)]
pub fn decode<T: DeserializeOwned>(raw: &RawVariant) -> Option<T> {
    raw.content.as_ref().and_then(|content| T::deserialize(content).ok())
}

/// Writes the tag and payload keys (each only when present).
#[doc(hidden)]
pub fn write<S: serde::Serializer, T: serde::Serialize + ?Sized>(
    serializer: S,
    tag_key: &'static str,
    tag: Option<&str>,
    content_key: &'static str,
    content: Option<&T>,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(usize::from(tag.is_some()) + usize::from(content.is_some())))?;
    if let Some(tag) = tag {
        map.serialize_entry(tag_key, tag)?;
    }
    if let Some(content) = content {
        map.serialize_entry(content_key, content)?;
    }
    map.end()
}
