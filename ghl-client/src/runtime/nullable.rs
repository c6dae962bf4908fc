//! A request field that can be absent, explicitly `null`, or a value.

use serde::{Serialize, Serializer};

/// Tri-state value for request fields that HighLevel accepts as `null`.
///
/// `Absent` omits the field (leave it unchanged), `Null` sends `null`
/// (clear it), `Value` sends the value. Generated request types skip absent
/// fields with `#[serde(skip_serializing_if = "Nullable::is_absent")]`.
///
/// ```
/// use ghl_client::Nullable;
/// let keep: Nullable<String> = Nullable::Absent;
/// let clear: Nullable<String> = Nullable::Null;
/// let set = Nullable::from("Ada".to_string());
/// assert!(keep.is_absent() && clear.is_null() && set.as_value().is_some());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Nullable<T> {
    /// The field is not sent.
    #[default]
    Absent,
    /// The field is sent as JSON `null`.
    Null,
    /// The field is sent with this value.
    Value(T),
}

impl<T> Nullable<T> {
    /// True when the field will be omitted.
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// True when the field will be sent as `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// The value, if one is set.
    pub fn as_value(&self) -> Option<&T> {
        match self {
            Nullable::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    /// `None` becomes an explicit `null`.
    fn from(value: Option<T>) -> Self {
        match value {
            Some(v) => Nullable::Value(v),
            None => Nullable::Null,
        }
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(v) => v.serialize(serializer),
            // Absent is normally skipped by the field attribute; if not, null is the closest.
            Nullable::Null | Nullable::Absent => serializer.serialize_none(),
        }
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Nullable<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Patch {
        #[serde(skip_serializing_if = "Nullable::is_absent")]
        name: Nullable<String>,
    }

    #[test]
    fn three_states_serialize_apart() {
        let absent = serde_json::to_string(&Patch { name: Nullable::Absent }).unwrap();
        let null = serde_json::to_string(&Patch { name: Nullable::Null }).unwrap();
        let value = serde_json::to_string(&Patch { name: "a".to_string().into() }).unwrap();
        assert_eq!(absent, "{}");
        assert_eq!(null, r#"{"name":null}"#);
        assert_eq!(value, r#"{"name":"a"}"#);
    }
}
