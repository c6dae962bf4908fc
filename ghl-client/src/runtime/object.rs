//! `Deserialize` and `Serialize` for generated structs: one generic visitor
//! over each type's field table, and one serializer over its fields. serde's
//! derives (a field enum, its visitor, `visit_seq` and `visit_map` for every
//! type; a `serialize_field` and a skip test per field) were most of what the
//! crate cost to compile; a JSON object needs only `visit_map`.
//!
//! Decoding matches the derive the generated code used before: unknown keys
//! are skipped, a repeated key is a "duplicate field" error, an absent
//! required field a "missing field" error naming it, and a wrong kind of
//! value is reported by the value's own decoder (so `serde_path_to_error`
//! still names the path).

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// A generated struct read from a JSON object by [`deserialize`].
pub(crate) trait Object: Sized {
    /// The type's name, for "expected struct …" errors.
    const NAME: &'static str;
    /// The fields' JSON keys; [`Entries::next_field`] yields indexes into it.
    const FIELDS: &'static [&'static str];
    /// Builds the value from the object's entries.
    fn read<'de, A: MapAccess<'de>>(entries: Entries<'de, A>) -> Result<Self, A::Error>;
}

/// The body of each generated struct's `Deserialize::deserialize`.
#[inline]
pub(crate) fn deserialize<'de, T: Object, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_struct(T::NAME, T::FIELDS, ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::read(Entries { map, fields: T::FIELDS, seen: Seen::default(), lifetime: PhantomData })
    }
}

/// The entries of one object, as a generated `read` walks them.
pub(crate) struct Entries<'de, A> {
    map: A,
    fields: &'static [&'static str],
    seen: Seen,
    lifetime: PhantomData<&'de ()>,
}

impl<'de, A: MapAccess<'de>> Entries<'de, A> {
    /// The index of the next known key; the values of unknown keys are
    /// skipped. A key seen before is the "duplicate field" error, raised
    /// before its value is read, as serde's derive does.
    pub(crate) fn next_field(&mut self) -> Result<Option<usize>, A::Error> {
        loop {
            match self.map.next_key_seed(FieldIndex(self.fields))? {
                None => return Ok(None),
                Some(Some(index)) if self.seen.insert(index) => return Ok(Some(index)),
                Some(Some(index)) => return Err(de::Error::duplicate_field(self.fields[index])),
                Some(None) => {
                    self.map.next_value::<IgnoredAny>()?;
                }
            }
        }
    }

    /// Reads the current key's value into a field.
    #[inline]
    pub(crate) fn value<T: Deserialize<'de>>(&mut self, field: &mut T) -> Result<(), A::Error> {
        *field = self.map.next_value()?;
        Ok(())
    }

    /// Like [`Entries::value`], reading `null` as the type's default (an
    /// empty list or map), as `lenient::null_as_default` does for derived types.
    #[allow(dead_code)] // a build without operation modules decodes no list
    #[inline]
    pub(crate) fn value_or_default<T: Default + Deserialize<'de>>(&mut self, field: &mut T) -> Result<(), A::Error> {
        *field = self.map.next_value::<Option<T>>()?.unwrap_or_default();
        Ok(())
    }

    /// Reads the current key's value into the slot of a field that may be
    /// required (absent: `None`). Only types with required fields use it.
    #[allow(dead_code)]
    #[inline]
    pub(crate) fn slot<T: Deserialize<'de>>(&mut self, slot: &mut Option<T>) -> Result<(), A::Error> {
        *slot = Some(self.map.next_value()?);
        Ok(())
    }
}

/// Which fields an object has had, so a repeated key is an error. A struct
/// of up to 128 fields (all of HighLevel's) never allocates.
#[derive(Default)]
struct Seen {
    first: u128,
    rest: Vec<bool>,
}

impl Seen {
    /// Marks `index`; false if it was marked already.
    fn insert(&mut self, index: usize) -> bool {
        if index < 128 {
            let bit = 1u128 << index;
            let new = self.first & bit == 0;
            self.first |= bit;
            return new;
        }
        let index = index - 128;
        if self.rest.len() <= index {
            self.rest.resize(index + 1, false);
        }
        !std::mem::replace(&mut self.rest[index], true)
    }
}

/// A required field's value, or the "missing field" error naming its key.
/// (Received types have no required fields: some feature sets never call it.)
#[allow(dead_code)]
#[inline]
pub(crate) fn required<T, E: de::Error>(slot: Option<T>, key: &'static str) -> Result<T, E> {
    match slot {
        Some(value) => Ok(value),
        None => Err(E::missing_field(key)),
    }
}

/// The `Deserialize` and [`Object`] impls of a generated struct, from one
/// line per field: `field: index "wireKey" read`, where `index` is the key's
/// position in the table and `read` is [`Entries::value`] or
/// [`Entries::value_or_default`]. A struct whose fields all have a default
/// (every received type) is read into `Self::default()`; one with required
/// fields ends each line with `required` (absent: the "missing field" error)
/// or `optional` (absent: the default) and is read through a slot per field.
/// `received` before the name adds `Serialize` under `serde-both-ways`.
/// Both expand to one small loop: the key's index picks the field.
macro_rules! object_impl {
    // A received type: with `serde-both-ways` also `Serialize`, every field
    // written (an absent one as `null`, which reads back the same).
    (received $name:ident { $($field:ident : $index:literal $key:literal $read:ident),* $(,)? }) => {
        #[cfg(feature = "serde-both-ways")]
        $crate::runtime::object::serialize_impl! { $name { $($field: $key value),* } }

        $crate::runtime::object::object_impl! { $name { $($field: $index $key $read),* } }
    };
    ($name:ident { $($field:ident : $index:literal $key:literal $read:ident),* $(,)? }) => {
        $crate::runtime::object::object_impl!(@impls $name [$($key),*] entries {
            #[allow(unused_mut)] // a struct without fields
            let mut out = <Self as Default>::default();
            while let Some(index) = entries.next_field()? {
                match index {
                    $($index => entries.$read(&mut out.$field),)*
                    _ => Ok(()),
                }?;
            }
            Ok(out)
        });
    };
    ($name:ident { $($field:ident : $index:literal $key:literal $read:ident $finish:ident),* $(,)? }) => {
        $crate::runtime::object::object_impl!(@impls $name [$($key),*] entries {
            $(let mut $field = None;)*
            while let Some(index) = entries.next_field()? {
                match index {
                    $($index => entries.slot(&mut $field),)*
                    _ => Ok(()),
                }?;
            }
            Ok(Self { $($field: $crate::runtime::object::object_impl!(@$finish $read $field $key)),* })
        });
    };
    // `Deserialize` and `Object` around a `read` body that walks `$entries`.
    (@impls $name:ident [$($key:literal),*] $entries:ident $read:block) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::runtime::object::deserialize(deserializer)
            }
        }

        impl $crate::runtime::object::Object for $name {
            const NAME: &'static str = stringify!($name);
            const FIELDS: &'static [&'static str] = &[$($key),*];

            fn read<'de, A: serde::de::MapAccess<'de>>(
                mut $entries: $crate::runtime::object::Entries<'de, A>,
            ) -> Result<Self, A::Error> $read
        }
    };
    (@required value $field:ident $key:literal) => {
        $crate::runtime::object::required($field, $key)?
    };
    (@optional value $field:ident $key:literal) => {
        $field.unwrap_or_default()
    };
    // A list or map absent or `null`: empty.
    (@optional value_or_default $field:ident $key:literal) => {
        $field.flatten().unwrap_or_default()
    };
}
pub(crate) use object_impl;

/// The body of each generated struct's `Serialize::serialize`: the fields
/// in order, `None` for one left out (an unset `Option` or an absent
/// [`crate::Nullable`]). Like serde's derive with `skip_serializing_if`,
/// the struct's length counts only the fields written. One function per
/// serializer instead of a derive per type; each field goes through
/// `erased_serde`, which costs a virtual call per field of a request body.
#[allow(dead_code)] // a build with no operation module sends nothing
pub(crate) fn serialize<S: serde::Serializer>(
    serializer: S,
    name: &'static str,
    fields: &[(&'static str, Option<&dyn erased_serde::Serialize>)],
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut state = serializer.serialize_struct(name, fields.iter().filter(|(_, v)| v.is_some()).count())?;
    for (key, value) in fields {
        match value {
            Some(value) => state.serialize_field(key, value)?,
            None => state.skip_field(key)?,
        }
    }
    state.end()
}

/// The `Serialize` impl of a generated struct, from one line per field:
/// `field: "wireKey" write`, where `write` is `value` (always written),
/// `unless_none` (an `Option` left out when `None`) or `unless_absent` (a
/// [`crate::Nullable`] left out when absent): serde's
/// `skip_serializing_if = "Option::is_none"` and `"Nullable::is_absent"`.
#[allow(unused_macros)] // a build with no operation module sends nothing
macro_rules! serialize_impl {
    ($name:ident { $($field:ident : $key:literal $write:ident),* $(,)? }) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $crate::runtime::object::serialize(
                    serializer,
                    stringify!($name),
                    &[$(($key, $crate::runtime::object::serialize_impl!(@$write self.$field))),*],
                )
            }
        }
    };
    (@value $value:expr) => {
        Some(&$value as &dyn erased_serde::Serialize)
    };
    (@unless_none $value:expr) => {
        $value.is_some().then_some(&$value as &dyn erased_serde::Serialize)
    };
    (@unless_absent $value:expr) => {
        (!$value.is_absent()).then_some(&$value as &dyn erased_serde::Serialize)
    };
}
#[allow(unused_imports)] // as above
pub(crate) use serialize_impl;

/// Reads a key as its index in the field table (`None`: unknown key).
struct FieldIndex(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldIndex {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for FieldIndex {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|field| *field == key))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|field| field.as_bytes() == key))
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> Result<Self::Value, E> {
        Ok(usize::try_from(index).ok().filter(|i| *i < self.0.len()))
    }
}

#[cfg(test)]
mod tests {
    /// What the generator writes for a struct with a renamed required
    /// field, an optional one and a list that may be `null`.
    #[derive(Debug, PartialEq)]
    struct Sample {
        id: String,
        name: Option<String>,
        tags: Vec<String>,
    }

    super::object_impl! {
        Sample {
            id: 0 "sampleId" value required,
            name: 1 "name" value optional,
            tags: 2 "tags" value_or_default optional
        }
    }

    /// The same fields, none required: read into `Self::default()`.
    #[derive(Debug, Default, PartialEq)]
    struct Received {
        id: Option<String>,
        name: Option<String>,
        tags: Vec<String>,
    }

    super::object_impl! {
        Received {
            id: 0 "sampleId" value,
            name: 1 "name" value,
            tags: 2 "tags" value_or_default
        }
    }

    /// The same types with serde's derive: the behaviour to keep.
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Derived {
        #[serde(rename = "sampleId")]
        id: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default, deserialize_with = "crate::runtime::lenient::null_as_default")]
        tags: Vec<String>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct DerivedReceived {
        #[serde(default, rename = "sampleId")]
        id: Option<String>,
        #[serde(default)]
        name: Option<String>,
        #[serde(default, deserialize_with = "crate::runtime::lenient::null_as_default")]
        tags: Vec<String>,
    }

    fn both(json: &str) -> (Result<Sample, String>, Result<Derived, String>) {
        (
            serde_json::from_str::<Sample>(json).map_err(|e| e.to_string()),
            serde_json::from_str::<Derived>(json).map_err(|e| e.to_string()),
        )
    }

    fn both_received(json: &str) -> (Result<Received, String>, Result<DerivedReceived, String>) {
        (
            serde_json::from_str::<Received>(json).map_err(|e| e.to_string()),
            serde_json::from_str::<DerivedReceived>(json).map_err(|e| e.to_string()),
        )
    }

    const DECODING: [&str; 4] = [
        r#"{"sampleId":"a","name":"n","tags":["x"]}"#,
        r#"{"sampleId":"a"}"#,
        r#"{"sampleId":"a","name":null,"tags":null}"#,
        r#"{"unknown":{"deep":[1,2]},"sampleId":"a","other":3}"#,
    ];

    #[test]
    fn decodes_like_the_serde_derive() {
        for json in DECODING {
            let (ours, derived) = both(json);
            let (ours, derived) = (ours.unwrap(), derived.unwrap());
            assert_eq!((ours.id, ours.name, ours.tags), (derived.id, derived.name, derived.tags), "{json}");
            let (ours, derived) = both_received(json);
            let (ours, derived) = (ours.unwrap(), derived.unwrap());
            assert_eq!((ours.id, ours.name, ours.tags), (derived.id, derived.name, derived.tags), "{json}");
        }
        let (ours, derived) = both_received("{}");
        assert_eq!(ours.unwrap(), Received::default());
        assert_eq!(derived.unwrap().id, None);
    }

    #[test]
    fn fails_like_the_serde_derive() {
        let cases = [
            (r#"{"name":"n"}"#, "missing field `sampleId`"),
            (r#"{"sampleId":"a","sampleId":"b"}"#, "duplicate field `sampleId`"),
            (r#"{"tags":null,"sampleId":"a","tags":[]}"#, "duplicate field `tags`"),
            (r#"{"sampleId":5}"#, "invalid type: integer `5`, expected a string"),
            (r#"{"sampleId":null}"#, "invalid type: null, expected a string"),
            (r#"{"sampleId":"a","tags":"x"}"#, "invalid type: string \"x\", expected a sequence"),
            (r#""text""#, "invalid type: string \"text\", expected struct"),
        ];
        for (json, message) in cases {
            let (ours, derived) = both(json);
            let (ours, derived) = (ours.unwrap_err(), derived.unwrap_err());
            assert!(ours.starts_with(message), "{json}: {ours}");
            // Same words and position; only the struct's name differs.
            assert_eq!(ours.replace("Sample", "Derived"), derived, "{json}");
        }
        for (json, _) in cases.into_iter().filter(|(_, m)| !m.contains("sampleId") && !m.contains("a string")) {
            let (ours, derived) = both_received(json);
            let (ours, derived) = (ours.unwrap_err(), derived.unwrap_err());
            assert_eq!(ours.replace("Received", "DerivedReceived"), derived, "{json}");
        }
    }

    #[test]
    fn a_repeated_key_past_the_first_128_fields_is_still_an_error() {
        let mut seen = super::Seen::default();
        assert!(seen.insert(0) && seen.insert(127) && seen.insert(128) && seen.insert(300));
        assert!(!seen.insert(0) && !seen.insert(127) && !seen.insert(128) && !seen.insert(300));
        assert!(seen.insert(129));
    }

    /// A sent type: a required field, an optional one left out when unset,
    /// a nullable one left out when absent.
    #[derive(Default)]
    struct Sent {
        name: String,
        nickname: Option<String>,
        label: Option<String>,
        legacy: crate::Nullable<i64>,
    }

    super::serialize_impl! {
        Sent {
            name: "sentName" value,
            nickname: "nickname" unless_none,
            label: "label" value,
            legacy: "legacy" unless_absent
        }
    }

    /// The same with serde's derive.
    #[derive(serde::Serialize)]
    #[serde(rename = "Sent")]
    struct DerivedSent {
        #[serde(rename = "sentName")]
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        nickname: Option<String>,
        label: Option<String>,
        #[serde(skip_serializing_if = "crate::Nullable::is_absent")]
        legacy: crate::Nullable<i64>,
    }

    #[test]
    fn serializes_like_the_serde_derive() {
        use crate::Nullable;
        use serde_test::{Token, assert_ser_tokens};
        let values = [
            (
                Sent::default(),
                DerivedSent { name: String::new(), nickname: None, label: None, legacy: Nullable::Absent },
            ),
            (
                Sent { name: "n".into(), nickname: Some("k".into()), label: Some("l".into()), legacy: Nullable::Null },
                DerivedSent {
                    name: "n".into(),
                    nickname: Some("k".into()),
                    label: Some("l".into()),
                    legacy: Nullable::Null,
                },
            ),
            (
                Sent { legacy: Nullable::Value(3), ..Sent::default() },
                DerivedSent { name: String::new(), nickname: None, label: None, legacy: Nullable::Value(3) },
            ),
        ];
        for (ours, derived) in &values {
            assert_eq!(serde_json::to_string(ours).unwrap(), serde_json::to_string(derived).unwrap());
        }
        // The length counts only the fields written, as serde's derive does
        // (formats that write it up front depend on it).
        let unset = [
            Token::Struct { name: "Sent", len: 2 },
            Token::Str("sentName"),
            Token::Str(""),
            Token::Str("label"),
            Token::None,
            Token::StructEnd,
        ];
        let set = [
            Token::Struct { name: "Sent", len: 4 },
            Token::Str("sentName"),
            Token::Str("n"),
            Token::Str("nickname"),
            Token::Some,
            Token::Str("k"),
            Token::Str("label"),
            Token::Some,
            Token::Str("l"),
            Token::Str("legacy"),
            Token::None,
            Token::StructEnd,
        ];
        for ((ours, derived), tokens) in values.iter().zip([&unset[..], &set[..]]) {
            assert_ser_tokens(ours, tokens);
            assert_ser_tokens(derived, tokens);
        }
    }

    #[test]
    fn names_the_path_through_serde_path_to_error() {
        let json = r#"{"sampleId":"a","tags":["x",7]}"#;
        let de = &mut serde_json::Deserializer::from_str(json);
        let err = serde_path_to_error::deserialize::<_, Sample>(de).unwrap_err();
        assert_eq!(err.path().to_string(), "tags[1]");
        let de = &mut serde_json::Deserializer::from_str(json);
        let err = serde_path_to_error::deserialize::<_, Received>(de).unwrap_err();
        assert_eq!(err.path().to_string(), "tags[1]");
    }

    #[test]
    fn reads_from_a_json_value() {
        let value = serde_json::json!({"sampleId": "a", "tags": null, "extra": true});
        let sample: Sample = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(sample, Sample { id: "a".into(), name: None, tags: vec![] });
        let received: Received = serde_json::from_value(value).unwrap();
        assert_eq!(received, Received { id: Some("a".into()), name: None, tags: vec![] });
    }
}
