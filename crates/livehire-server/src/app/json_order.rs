//! Typed JSON objects that keep their key order.
//!
//! A host profile is the client's JSON: the server types the fields it reads
//! and keeps the rest verbatim, and serves the profile back with its keys
//! where the client put them. A derived `Serialize` writes a struct's fields
//! in declaration order, so a typed profile remembers the order it was read
//! in ([`KeyOrder`]) and [`keeps_key_order!`] writes it back in that order.

use serde_json::Value;

/// The order of a JSON object's keys, and of the keys of the objects it
/// holds (arrays are not looked into: what they hold stays verbatim).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyOrder(Vec<(String, KeyOrder)>);

impl KeyOrder {
    /// The key order of `value` (empty for anything but an object).
    pub fn of(value: &Value) -> KeyOrder {
        match value {
            Value::Object(fields) => KeyOrder(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), KeyOrder::of(v)))
                    .collect(),
            ),
            _ => KeyOrder::default(),
        }
    }

    /// Puts the keys of `value` in this order, nested objects too; keys this
    /// order does not know follow, in their own order.
    pub fn apply(&self, value: &mut Value) {
        let Value::Object(fields) = value else {
            return;
        };
        if self.0.is_empty() {
            return;
        }
        let mut rest = std::mem::take(fields);
        for (key, inner) in &self.0 {
            if let Some(mut v) = rest.shift_remove(key) {
                inner.apply(&mut v);
                fields.insert(key.clone(), v);
            }
        }
        fields.extend(rest);
    }
}

/// For a struct deriving `Serialize` and `Deserialize` with
/// `#[serde(remote = "Self")]` and holding `#[serde(skip)] order: KeyOrder`:
/// implements `Serialize` (the derived form, its keys put in `order`) and
/// `Deserialize` (the derived form), and `read` / `into_json`, which take
/// the order from a JSON value and give it back.
macro_rules! keeps_key_order {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut value = <$t>::serialize(self, serde_json::value::Serializer)
                    .map_err(<S::Error as serde::ser::Error>::custom)?;
                self.order.apply(&mut value);
                serde::Serialize::serialize(&value, serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <$t>::deserialize(deserializer)
            }
        }

        impl $t {
            /// Reads the typed form of `value`, remembering its key order;
            /// a field of the wrong type is named by its path.
            #[allow(dead_code, reason = "not every ordered type is read from JSON")]
            pub(crate) fn read(
                value: &serde_json::Value,
            ) -> Result<Self, serde_path_to_error::Error<serde_json::Error>> {
                let mut typed: Self = serde_path_to_error::deserialize(value)?;
                typed.order = $crate::app::json_order::KeyOrder::of(value);
                Ok(typed)
            }

            /// The JSON form, keys in the order they were read in.
            #[allow(dead_code, reason = "views are served, not turned into values")]
            pub(crate) fn into_json(self) -> serde_json::Value {
                serde_json::to_value(&self).unwrap_or(serde_json::Value::Null)
            }
        }
    };
}

pub(crate) use keeps_key_order;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_order_puts_keys_back_nested_objects_too() {
        let sent = json!({"b": 1, "a": {"y": 1, "x": 2}, "c": [{"q": 1, "p": 2}]});
        let order = KeyOrder::of(&sent);
        let mut written =
            json!({"a": {"x": 2, "y": 1}, "new": true, "c": [{"q": 1, "p": 2}], "b": 1});
        order.apply(&mut written);
        assert_eq!(
            written.to_string(),
            r#"{"b":1,"a":{"y":1,"x":2},"c":[{"q":1,"p":2}],"new":true}"#
        );
    }
}
