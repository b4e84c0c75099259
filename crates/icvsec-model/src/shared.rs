//! `SharedStr`: an immutable string held once and shared by reference count.
//!
//! A large build has hundreds of thousands of outcomes, and most of their text repeats:
//! 25 certificate rules name the same 20,000 asset ids and files, and every outcome of a
//! rule names its id and sub-area. A `String` per field was one allocation each (about
//! 3 million on a 20,000-certificate build); a clone of a `SharedStr` is a counter
//! increment. It reads, compares, orders, hashes and serialises exactly as the `String`
//! it replaces, so reports are byte-identical.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedStr(Arc<str>);

impl SharedStr {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for SharedStr {
    fn default() -> Self {
        SharedStr(Arc::from(""))
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        SharedStr(Arc::from(s))
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        SharedStr(Arc::from(s))
    }
}

impl From<&String> for SharedStr {
    fn from(s: &String) -> Self {
        SharedStr(Arc::from(s.as_str()))
    }
}

impl From<&SharedStr> for SharedStr {
    fn from(s: &SharedStr) -> Self {
        s.clone()
    }
}

impl From<SharedStr> for String {
    fn from(s: SharedStr) -> Self {
        s.0.to_string()
    }
}

impl From<&SharedStr> for String {
    fn from(s: &SharedStr) -> Self {
        s.0.to_string()
    }
}

macro_rules! eq_with {
    ($($t:ty),*) => {$(
        impl PartialEq<$t> for SharedStr {
            fn eq(&self, other: &$t) -> bool {
                *self.0 == **other
            }
        }
        impl PartialEq<SharedStr> for $t {
            fn eq(&self, other: &SharedStr) -> bool {
                **self == *other.0
            }
        }
    )*};
}
eq_with!(&str, String);

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == *other.0
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(SharedStr::from)
    }
}

impl JsonSchema for SharedStr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        String::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
    fn inline_schema() -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::SharedStr;

    #[test]
    fn reads_compares_and_serialises_as_the_string() {
        let s = SharedStr::from("ICV-CRT-001");
        assert_eq!(s, "ICV-CRT-001");
        assert_eq!("ICV-CRT-001", s);
        assert_eq!(s, String::from("ICV-CRT-001"));
        assert!(s.starts_with("ICV-"));
        assert_eq!(format!("{s} {s:?}"), "ICV-CRT-001 \"ICV-CRT-001\"");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"ICV-CRT-001\"");
        let back: SharedStr = serde_json::from_str("\"ICV-CRT-001\"").unwrap();
        assert_eq!(back, s);
        // Ordered by content, like the String it replaces.
        let mut v = vec![
            SharedStr::from("b"),
            SharedStr::from("a"),
            SharedStr::from("ab"),
        ];
        v.sort();
        assert_eq!(v, ["a", "ab", "b"]);
    }
}
