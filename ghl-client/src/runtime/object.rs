//! `Deserialize` for generated structs: one generic visitor over each type's
//! field table. serde's derive emits a field enum, its visitor, `visit_seq`
//! and `visit_map` for every type, which made the received types most of
//! what the crate cost to compile; a JSON object needs only `visit_map`.
//!
//! Behaviour matches the derive the generated code used before: unknown keys
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
        T::read(Entries { map, fields: T::FIELDS, lifetime: PhantomData })
    }
}

/// The entries of one object, as a generated `read` walks them.
pub(crate) struct Entries<'de, A> {
    map: A,
    fields: &'static [&'static str],
    lifetime: PhantomData<&'de ()>,
}

impl<'de, A: MapAccess<'de>> Entries<'de, A> {
    /// The index of the next known key; the values of unknown keys are skipped.
    pub(crate) fn next_field(&mut self) -> Result<Option<usize>, A::Error> {
        loop {
            match self.map.next_key_seed(FieldIndex(self.fields))? {
                None => return Ok(None),
                Some(Some(index)) => return Ok(Some(index)),
                Some(None) => {
                    self.map.next_value::<IgnoredAny>()?;
                }
            }
        }
    }

    /// Reads the current key's value into `slot`.
    pub(crate) fn value<T: Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        key: &'static str,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(de::Error::duplicate_field(key));
        }
        *slot = Some(self.map.next_value()?);
        Ok(())
    }

    /// Like [`Entries::value`], reading `null` as the type's default (an
    /// empty list or map), as `lenient::null_as_default` does for derived types.
    pub(crate) fn value_or_default<T: Default + Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        key: &'static str,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(de::Error::duplicate_field(key));
        }
        *slot = Some(self.map.next_value::<Option<T>>()?.unwrap_or_default());
        Ok(())
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
/// line per field: `field: index "wireKey" read finish`, where `index` is
/// the key's position in the table, `read` is [`Entries::value`] or
/// [`Entries::value_or_default`] and `finish` is `required` (absent: the
/// "missing field" error) or `optional` (absent: the default). Written out
/// per type, these impls were a fifth of the generated source; the
/// expansion is the code that was written out.
macro_rules! object_impl {
    ($name:ident { $($field:ident : $index:literal $key:literal $read:ident $finish:ident),* $(,)? }) => {
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::runtime::object::deserialize(deserializer)
            }
        }

        impl $crate::runtime::object::Object for $name {
            const NAME: &'static str = stringify!($name);
            const FIELDS: &'static [&'static str] = &[$($key),*];

            fn read<'de, A: serde::de::MapAccess<'de>>(
                mut entries: $crate::runtime::object::Entries<'de, A>,
            ) -> Result<Self, A::Error> {
                $(let mut $field = None;)*
                while let Some(index) = entries.next_field()? {
                    match index {
                        $($index => entries.$read(&mut $field, $key)?,)*
                        _ => {}
                    }
                }
                Ok(Self { $($field: $crate::runtime::object::object_impl!(@$finish $field $key)),* })
            }
        }
    };
    (@required $field:ident $key:literal) => {
        $crate::runtime::object::required($field, $key)?
    };
    (@optional $field:ident $key:literal) => {
        $field.unwrap_or_default()
    };
}
pub(crate) use object_impl;

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
    use super::{Entries, Object};
    use serde::de::MapAccess;

    /// What the generator writes for a struct with a renamed required
    /// field, an optional one and a list that may be `null`.
    #[derive(Debug, PartialEq)]
    struct Sample {
        id: String,
        name: Option<String>,
        tags: Vec<String>,
    }

    impl<'de> serde::Deserialize<'de> for Sample {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            super::deserialize(deserializer)
        }
    }

    impl Object for Sample {
        const NAME: &'static str = "Sample";
        const FIELDS: &'static [&'static str] = &["sampleId", "name", "tags"];
        fn read<'de, A: MapAccess<'de>>(mut entries: Entries<'de, A>) -> Result<Self, A::Error> {
            let (mut v0, mut v1, mut v2) = (None, None, None);
            while let Some(field) = entries.next_field()? {
                match field {
                    0 => entries.value(&mut v0, "sampleId")?,
                    1 => entries.value(&mut v1, "name")?,
                    2 => entries.value_or_default(&mut v2, "tags")?,
                    _ => {}
                }
            }
            Ok(Self {
                id: super::required(v0, "sampleId")?,
                name: v1.unwrap_or_default(),
                tags: v2.unwrap_or_default(),
            })
        }
    }

    /// The same type with serde's derive: the behaviour to keep.
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Derived {
        #[serde(rename = "sampleId")]
        id: String,
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

    #[test]
    fn decodes_like_the_serde_derive() {
        let cases = [
            r#"{"sampleId":"a","name":"n","tags":["x"]}"#,
            r#"{"sampleId":"a"}"#,
            r#"{"sampleId":"a","name":null,"tags":null}"#,
            r#"{"unknown":{"deep":[1,2]},"sampleId":"a","other":3}"#,
        ];
        for json in cases {
            let (ours, derived) = both(json);
            let (ours, derived) = (ours.unwrap(), derived.unwrap());
            assert_eq!((ours.id, ours.name, ours.tags), (derived.id, derived.name, derived.tags), "{json}");
        }
    }

    #[test]
    fn fails_like_the_serde_derive() {
        let cases = [
            (r#"{"name":"n"}"#, "missing field `sampleId`"),
            (r#"{"sampleId":"a","sampleId":"b"}"#, "duplicate field `sampleId`"),
            (r#"{"sampleId":5}"#, "invalid type: integer `5`, expected a string"),
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
    }

    #[test]
    fn names_the_path_through_serde_path_to_error() {
        let json = r#"{"sampleId":"a","tags":["x",7]}"#;
        let de = &mut serde_json::Deserializer::from_str(json);
        let err = serde_path_to_error::deserialize::<_, Sample>(de).unwrap_err();
        assert_eq!(err.path().to_string(), "tags[1]");
    }

    #[test]
    fn reads_from_a_json_value() {
        let value = serde_json::json!({"sampleId": "a", "tags": null, "extra": true});
        let sample: Sample = serde_json::from_value(value).unwrap();
        assert_eq!(sample, Sample { id: "a".into(), name: None, tags: vec![] });
    }
}
