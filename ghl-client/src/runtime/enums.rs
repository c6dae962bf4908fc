//! Shared trait impls for generated string enums.

/// Implements `From<String>`, `FromStr`, `Display`, `AsRef<str>`, `Serialize`
/// and `Deserialize` for a generated enum in terms of its `as_str` and
/// `From<&str>`, so each enum's generated code stays small. All `#[inline]`:
/// an unoptimized build generates their code only where they are used.
#[allow(unused_macros)]
macro_rules! string_enum {
    ($name:ident) => {
        impl From<String> for $name {
            #[inline]
            fn from(value: String) -> Self {
                Self::from(value.as_str())
            }
        }
        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            #[inline]
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
        impl std::fmt::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl AsRef<str> for $name {
            #[inline]
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str($crate::runtime::enums::StrVisitor(std::marker::PhantomData))
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use string_enum;

/// Reads a string enum from a JSON string: one visitor for every enum
/// instead of one per enum.
#[allow(dead_code)] // a build without operation modules has no enum
pub(crate) struct StrVisitor<T>(pub(crate) std::marker::PhantomData<T>);

impl<T: for<'a> From<&'a str>> serde::de::Visitor<'_> for StrVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }
}
