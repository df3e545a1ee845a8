//! [`Value`] into `Deserialize` types.

use ::serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use ::serde::forward_to_deserialize_any;

use super::{DATETIME_VARIANT, I8_VARIANT, VALUE_NAME};
use crate::{ConversionError, Value};

/// Reads one [`Value`], consuming it.
pub(super) struct ValueDeserializer {
    value: Value,
}

impl ValueDeserializer {
    pub(super) fn new(value: Value) -> Self {
        Self { value }
    }
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Int(i) => de::Unexpected::Signed(i64::from(*i)),
        Value::I8(i) => de::Unexpected::Signed(*i),
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Double(d) => de::Unexpected::Float(*d),
        Value::DateTime(d) => de::Unexpected::Str(d.as_str()),
        Value::Base64(b) => de::Unexpected::Bytes(b),
        Value::Struct(_) => de::Unexpected::Map,
        Value::Array(_) => de::Unexpected::Seq,
        Value::Nil => de::Unexpected::Unit,
    }
}

impl<'de> Deserializer<'de> for ValueDeserializer {
    type Error = ConversionError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ConversionError> {
        match self.value {
            Value::Int(i) => visitor.visit_i32(i),
            Value::I8(i) => visitor.visit_i64(i),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::String(s) => visitor.visit_string(s),
            Value::Double(d) => visitor.visit_f64(d),
            Value::DateTime(d) => visitor.visit_str(d.as_str()),
            Value::Base64(b) => visitor.visit_byte_buf(b),
            Value::Struct(s) => {
                let mut access = StructAccess {
                    members: s.into_iter(),
                    key: None,
                };
                let out = visitor.visit_map(&mut access)?;
                access.finish(out)
            }
            Value::Array(a) => visit_array(a, visitor),
            Value::Nil => visitor.visit_unit(),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ConversionError> {
        match self.value {
            Value::Nil => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    /// A `base64` value also reads as a sequence of bytes, so that a plain
    /// `Vec<u8>` accepts it.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ConversionError> {
        match self.value {
            Value::Base64(b) => {
                let mut access = BytesAccess {
                    bytes: b.into_iter(),
                };
                let out = visitor.visit_seq(&mut access)?;
                if access.bytes.len() == 0 {
                    Ok(out)
                } else {
                    Err(de::Error::invalid_length(
                        access.bytes.len(),
                        &"fewer bytes in base64",
                    ))
                }
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ConversionError> {
        if name == VALUE_NAME {
            // `Value`'s own `Deserialize`: hand over the types that serde
            // has no name for, as variants only this visitor knows.
            return match self.value {
                Value::DateTime(d) => visitor.visit_enum(EnumDeserializer {
                    variant: DATETIME_VARIANT.to_owned(),
                    value: Some(Value::String(d.as_str().to_owned())),
                }),
                Value::I8(i) => visitor.visit_enum(EnumDeserializer {
                    variant: I8_VARIANT.to_owned(),
                    value: Some(Value::I8(i)),
                }),
                _ => self.deserialize_any(visitor),
            };
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ConversionError> {
        match self.value {
            Value::String(variant) => visitor.visit_enum(EnumDeserializer {
                variant,
                value: None,
            }),
            Value::Struct(s) if s.len() == 1 => {
                let mut members = s.into_iter();
                let Some((variant, value)) = members.next() else {
                    // The length was checked just above.
                    return Err(de::Error::invalid_length(0, &"a struct with one member"));
                };
                visitor.visit_enum(EnumDeserializer {
                    variant,
                    value: Some(value),
                })
            }
            other => Err(ConversionError::mismatch(
                "string or struct with one member (an enum)",
                &other,
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, ConversionError> {
        drop(self);
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct tuple tuple_struct map struct identifier
    }
}

fn visit_array<'de, V: Visitor<'de>>(
    items: Vec<Value>,
    visitor: V,
) -> Result<V::Value, ConversionError> {
    let len = items.len();
    let mut access = ArrayAccess {
        items: items.into_iter(),
        index: 0,
    };
    let out = visitor.visit_seq(&mut access)?;
    if access.items.len() == 0 {
        Ok(out)
    } else {
        Err(de::Error::invalid_length(len, &"fewer elements in array"))
    }
}

struct ArrayAccess {
    items: std::vec::IntoIter<Value>,
    index: usize,
}

impl<'de> SeqAccess<'de> for ArrayAccess {
    type Error = ConversionError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ConversionError> {
        let Some(v) = self.items.next() else {
            return Ok(None);
        };
        let i = self.index;
        self.index += 1;
        seed.deserialize(ValueDeserializer::new(v))
            .map(Some)
            .map_err(|e| e.at_index(i))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct BytesAccess {
    bytes: std::vec::IntoIter<u8>,
}

impl<'de> SeqAccess<'de> for BytesAccess {
    type Error = ConversionError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ConversionError> {
        match self.bytes.next() {
            Some(b) => seed.deserialize(b.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.bytes.len())
    }
}

struct StructAccess {
    members: std::vec::IntoIter<(String, Value)>,
    /// The member whose name was read and whose value comes next.
    key: Option<(String, Value)>,
}

impl StructAccess {
    fn finish<T>(self, out: T) -> Result<T, ConversionError> {
        let rest = self.members.len() + usize::from(self.key.is_some());
        if rest == 0 {
            Ok(out)
        } else {
            Err(ConversionError::custom(format!(
                "{rest} struct members were left unread"
            )))
        }
    }
}

impl<'de> MapAccess<'de> for StructAccess {
    type Error = ConversionError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ConversionError> {
        let Some((k, v)) = self.members.next() else {
            return Ok(None);
        };
        let key = seed.deserialize(k.as_str().into_deserializer())?;
        self.key = Some((k, v));
        Ok(Some(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ConversionError> {
        let Some((k, v)) = self.key.take() else {
            return Err(ConversionError::custom(
                "struct member value read before its name",
            ));
        };
        seed.deserialize(ValueDeserializer::new(v))
            .map_err(|e| e.at_member(&k))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len())
    }
}

/// A variant by name, with its content (`None` for a unit variant).
struct EnumDeserializer {
    variant: String,
    value: Option<Value>,
}

impl<'de> EnumAccess<'de> for EnumDeserializer {
    type Error = ConversionError;
    type Variant = VariantDeserializer;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantDeserializer), ConversionError> {
        let v = seed.deserialize(self.variant.as_str().into_deserializer())?;
        Ok((
            v,
            VariantDeserializer {
                variant: self.variant,
                value: self.value,
            },
        ))
    }
}

struct VariantDeserializer {
    variant: String,
    value: Option<Value>,
}

impl VariantDeserializer {
    fn content(self, expected: &str) -> Result<(String, Value), ConversionError> {
        match self.value {
            Some(v) => Ok((self.variant, v)),
            None => Err(de::Error::invalid_type(
                de::Unexpected::UnitVariant,
                &expected,
            )),
        }
    }
}

impl<'de> VariantAccess<'de> for VariantDeserializer {
    type Error = ConversionError;

    fn unit_variant(self) -> Result<(), ConversionError> {
        match self.value {
            None | Some(Value::Nil) => Ok(()),
            Some(other) => Err(de::Error::invalid_type(unexpected(&other), &"unit variant"))
                .map_err(|e: ConversionError| e.at_member(&self.variant)),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, ConversionError> {
        let (variant, v) = self.content("newtype variant")?;
        seed.deserialize(ValueDeserializer::new(v))
            .map_err(|e| e.at_member(&variant))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ConversionError> {
        let (variant, v) = self.content("tuple variant")?;
        match v {
            Value::Array(a) => visit_array(a, visitor),
            other => Err(de::Error::invalid_type(
                unexpected(&other),
                &"tuple variant",
            )),
        }
        .map_err(|e| e.at_member(&variant))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ConversionError> {
        let (variant, v) = self.content("struct variant")?;
        match v {
            v @ (Value::Struct(_) | Value::Array(_)) => {
                ValueDeserializer::new(v).deserialize_any(visitor)
            }
            other => Err(de::Error::invalid_type(
                unexpected(&other),
                &"struct variant",
            )),
        }
        .map_err(|e| e.at_member(&variant))
    }
}
