//! A GeoJSON feature as the page reads it back from the layers: its geometry, and of its
//! properties only the keys the reader asks for, read straight from the text.
//!
//! Building a `serde_json::Value` of every feature (a sorted map of all its properties, every
//! key allocated) made `frontmap view` of a 100 MB corpus's run spend 18 s reading its
//! `events.geojson`. Values are still `Value`s, so a property reads exactly as it did.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// Properties by key, in the order first met; a repeated key keeps its last value, as a
/// `Value` map would.
pub type Props<'k> = [(&'k str, Value)];

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Feature<'k> {
    pub geometry: Option<Value>,
    /// None when the feature has no properties object.
    pub properties: Option<Vec<(&'k str, Value)>>,
}

impl<'k> Feature<'k> {
    /// The feature in `text` (one JSON value, nothing after it). Anything but an object reads
    /// as a feature with neither geometry nor properties.
    pub fn from_text(text: &str, keys: &'k [&'k str]) -> serde_json::Result<Feature<'k>> {
        let mut de = serde_json::Deserializer::from_str(text);
        let feature = FeatureSeed { keys }.deserialize(&mut de)?;
        de.end()?;
        Ok(feature)
    }

    /// The same from a parsed value.
    pub fn from_value(value: &Value, keys: &'k [&'k str]) -> Feature<'k> {
        let properties = value
            .get("properties")
            .and_then(Value::as_object)
            .map(|props| {
                keys.iter()
                    .filter_map(|&k| props.get(k).map(|v| (k, v.clone())))
                    .collect()
            });
        Feature {
            geometry: value.get("geometry").cloned(),
            properties,
        }
    }

    pub fn properties(&self) -> Option<&Props<'k>> {
        self.properties.as_deref()
    }
}

/// Property `key`, if present.
pub fn prop<'a>(props: Option<&'a Props<'_>>, key: &str) -> Option<&'a Value> {
    props?.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
}

struct FeatureSeed<'k> {
    keys: &'k [&'k str],
}

/// The index in `keys` of a map key, without allocating it.
struct KeyIndex<'a>(&'a [&'a str]);

impl<'de> DeserializeSeed<'de> for KeyIndex<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIndex<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|k| *k == key))
    }
}

/// Any value but an object reads as `T::default()`, consumed whole.
macro_rules! other_types_read_as_default {
    () => {
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(Default::default())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        }
    };
}

impl<'de, 'k> DeserializeSeed<'de> for FeatureSeed<'k> {
    type Value = Feature<'k>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Feature<'k>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 'k> Visitor<'de> for FeatureSeed<'k> {
    type Value = Feature<'k>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON feature")
    }

    other_types_read_as_default!();

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Feature<'k>, A::Error> {
        const GEOMETRY: usize = 0;
        const PROPERTIES: usize = 1;
        let mut feature = Feature::default();
        while let Some(key) = map.next_key_seed(KeyIndex(&["geometry", "properties"]))? {
            match key {
                Some(GEOMETRY) => feature.geometry = Some(map.next_value()?),
                Some(PROPERTIES) => {
                    feature.properties = map.next_value_seed(PropsSeed { keys: self.keys })?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(feature)
    }
}

struct PropsSeed<'k> {
    keys: &'k [&'k str],
}

impl<'de, 'k> DeserializeSeed<'de> for PropsSeed<'k> {
    type Value = Option<Vec<(&'k str, Value)>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 'k> Visitor<'de> for PropsSeed<'k> {
    type Value = Option<Vec<(&'k str, Value)>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("feature properties")
    }

    other_types_read_as_default!();

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut props: Vec<(&'k str, Value)> = Vec::with_capacity(self.keys.len());
        while let Some(key) = map.next_key_seed(KeyIndex(self.keys))? {
            let Some(i) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let key = self.keys[i];
            let value: Value = map.next_value()?;
            match props.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => props.push((key, value)),
            }
        }
        Ok(Some(props))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &["name", "mentions", "surfaces", "date"];

    /// The text path reads every feature as the `Value` path does, whatever its shape.
    #[test]
    fn text_reads_as_the_parsed_value() {
        let cases = [
            r#"{"type":"Feature","properties":{"name":"Izium","mentions":3,"other":{"a":[1]}},"geometry":{"type":"Point","coordinates":[37.25,49.21]}}"#,
            r#"{"geometry":null,"properties":null}"#,
            r#"{"properties":{"name":"a","name":"b","date":5,"surfaces":["x",""]}}"#,
            r#"{"properties":[1,2],"geometry":"point"}"#,
            r#"{"geometry":{"type":"Point","coordinates":[1,2]},"geometry":{"type":"Point","coordinates":[3,4]}}"#,
            r#""not a feature""#,
            r#"[{"properties":{"name":"x"}}]"#,
            r#"12.5"#,
            r#"{}"#,
            r#"{"properties":{"na\u006de":"escaped key","mentions":-1.5e3}}"#,
        ];
        for text in cases {
            let value: Value = serde_json::from_str(text).expect("JSON");
            let from_text = Feature::from_text(text, KEYS).expect("reads");
            let mut from_value = Feature::from_value(&value, KEYS);
            // The order of properties may differ; their values may not.
            let sorted = |f: &mut Feature| {
                if let Some(p) = &mut f.properties {
                    p.sort_by_key(|(k, _)| *k)
                }
            };
            let mut from_text = from_text;
            sorted(&mut from_text);
            sorted(&mut from_value);
            assert_eq!(from_text, from_value, "{text}");
        }
    }

    #[test]
    fn broken_text_is_an_error() {
        for text in [r#"{"properties":{"name":"x"}"#, r#"{"a":1} x"#, ""] {
            assert!(Feature::from_text(text, KEYS).is_err(), "{text}");
        }
    }

    #[test]
    fn prop_finds_asked_keys_only() {
        let f = Feature::from_text(r#"{"properties":{"name":"Kupiansk","cue":"near"}}"#, KEYS)
            .expect("reads");
        assert_eq!(prop(f.properties(), "name"), Some(&Value::from("Kupiansk")));
        assert_eq!(prop(f.properties(), "cue"), None);
        assert_eq!(prop(None, "name"), None);
    }
}
