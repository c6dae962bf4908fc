//! Serde helpers the generated models use to stay tolerant of what
//! HighLevel actually sends.

use serde::{Deserialize, Deserializer};

/// Decodes `null` as the type's default (an empty list or map); with
/// `#[serde(default)]` an absent field is empty too. Only structs holding a
/// flattened enum derive `Deserialize` now; some feature sets have none.
#[allow(dead_code)]
pub(crate) fn null_as_default<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(de)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Tagged {
        #[serde(default, deserialize_with = "super::null_as_default")]
        tags: Vec<String>,
    }

    #[test]
    fn absent_and_null_lists_are_empty() {
        let absent: Tagged = serde_json::from_str("{}").unwrap();
        let null: Tagged = serde_json::from_str(r#"{"tags":null}"#).unwrap();
        let some: Tagged = serde_json::from_str(r#"{"tags":["a"]}"#).unwrap();
        assert!(absent.tags.is_empty() && null.tags.is_empty());
        assert_eq!(some.tags, ["a"]);
    }

    #[test]
    fn a_wrong_kind_still_fails() {
        assert!(serde_json::from_str::<Tagged>(r#"{"tags":"a"}"#).is_err());
    }
}
