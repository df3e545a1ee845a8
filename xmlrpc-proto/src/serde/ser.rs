//! `Serialize` types into [`Value`].

use ::serde::ser::{self, Serialize};

use super::{DATETIME_NAME, I8_NAME};
use crate::{ConversionError, DateTime, IntoValue, Struct, Value};

/// Room reserved up front for sequences and maps, whatever length they
/// announce.
const MAX_PREALLOC: usize = 4096;

/// Builds a [`Value`] from any `Serialize` type.
pub(super) struct ValueSerializer;

fn int64<T: IntoValue>(v: T) -> Result<Value, ConversionError> {
    v.into_value()
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = ConversionError;
    type SerializeSeq = SeqSerializer;
    type SerializeTuple = SeqSerializer;
    type SerializeTupleStruct = SeqSerializer;
    type SerializeTupleVariant = VariantSerializer<SeqSerializer>;
    type SerializeMap = MapSerializer;
    type SerializeStruct = StructSerializer;
    type SerializeStructVariant = VariantSerializer<StructSerializer>;

    fn serialize_bool(self, v: bool) -> Result<Value, ConversionError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, ConversionError> {
        Ok(Value::Int(i32::from(v)))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, ConversionError> {
        Ok(Value::Int(i32::from(v)))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, ConversionError> {
        Ok(Value::Int(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, ConversionError> {
        int64(v)
    }
    fn serialize_i128(self, v: i128) -> Result<Value, ConversionError> {
        int64(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Value, ConversionError> {
        Ok(Value::Int(i32::from(v)))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, ConversionError> {
        Ok(Value::Int(i32::from(v)))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, ConversionError> {
        int64(v)
    }
    fn serialize_u64(self, v: u64) -> Result<Value, ConversionError> {
        int64(v)
    }
    fn serialize_u128(self, v: u128) -> Result<Value, ConversionError> {
        int64(v)
    }
    fn serialize_f32(self, v: f32) -> Result<Value, ConversionError> {
        v.into_value()
    }
    fn serialize_f64(self, v: f64) -> Result<Value, ConversionError> {
        v.into_value()
    }
    fn serialize_char(self, v: char) -> Result<Value, ConversionError> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, ConversionError> {
        Ok(Value::String(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, ConversionError> {
        Ok(Value::Base64(v.to_vec()))
    }
    fn serialize_none(self) -> Result<Value, ConversionError> {
        Ok(Value::Nil)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, ConversionError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, ConversionError> {
        Ok(Value::Nil)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, ConversionError> {
        Ok(Value::Nil)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, ConversionError> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, ConversionError> {
        let inner = value.serialize(self)?;
        match (name, inner) {
            (DATETIME_NAME, Value::String(text)) => DateTime::parse(&text)
                .map(Value::DateTime)
                .map_err(|e| ConversionError::custom(e.to_string())),
            (I8_NAME, Value::Int(i)) => Ok(Value::I8(i64::from(i))),
            (DATETIME_NAME, other) => Err(ConversionError::mismatch("string", &other)),
            (_, inner) => Ok(inner),
        }
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, ConversionError> {
        let inner = value.serialize(self).map_err(|e| e.at_member(variant))?;
        Ok(wrap(variant, inner))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSerializer, ConversionError> {
        Ok(SeqSerializer {
            items: Vec::with_capacity(len.unwrap_or(0).min(MAX_PREALLOC)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSerializer, ConversionError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqSerializer, ConversionError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSerializer<SeqSerializer>, ConversionError> {
        Ok(VariantSerializer {
            variant,
            inner: self.serialize_seq(Some(len))?,
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapSerializer, ConversionError> {
        Ok(MapSerializer {
            members: Vec::with_capacity(len.unwrap_or(0).min(MAX_PREALLOC)),
            key: None,
        })
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<StructSerializer, ConversionError> {
        Ok(StructSerializer {
            members: Vec::with_capacity(len.min(MAX_PREALLOC)),
        })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSerializer<StructSerializer>, ConversionError> {
        Ok(VariantSerializer {
            variant,
            inner: self.serialize_struct(name, len)?,
        })
    }
}

/// The elements of an array.
pub(super) struct SeqSerializer {
    items: Vec<Value>,
}

impl SeqSerializer {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ConversionError> {
        let i = self.items.len();
        let v = value
            .serialize(ValueSerializer)
            .map_err(|e| e.at_index(i))?;
        self.items.push(v);
        Ok(())
    }
}

impl ser::SerializeSeq for SeqSerializer {
    type Ok = Value;
    type Error = ConversionError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, ConversionError> {
        Ok(Value::Array(self.items))
    }
}

impl ser::SerializeTuple for SeqSerializer {
    type Ok = Value;
    type Error = ConversionError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, ConversionError> {
        Ok(Value::Array(self.items))
    }
}

impl ser::SerializeTupleStruct for SeqSerializer {
    type Ok = Value;
    type Error = ConversionError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, ConversionError> {
        Ok(Value::Array(self.items))
    }
}

/// The members of a struct, in field order.
pub(super) struct StructSerializer {
    members: Vec<(String, Value)>,
}

impl ser::SerializeStruct for StructSerializer {
    type Ok = Value;
    type Error = ConversionError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        let v = value
            .serialize(ValueSerializer)
            .map_err(|e| e.at_member(key))?;
        self.members.push((key.to_owned(), v));
        Ok(())
    }
    fn end(self) -> Result<Value, ConversionError> {
        Ok(Value::Struct(Struct::from_members(self.members)))
    }
}

/// The members of a map, whose keys must serialize as strings or integers.
pub(super) struct MapSerializer {
    members: Vec<(String, Value)>,
    key: Option<String>,
}

impl ser::SerializeMap for MapSerializer {
    type Ok = Value;
    type Error = ConversionError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Self::Error> {
        let key = match key.serialize(ValueSerializer)? {
            Value::String(s) => s,
            Value::Int(i) => i.to_string(),
            Value::I8(i) => i.to_string(),
            other => {
                return Err(ConversionError::mismatch(
                    "string as struct member name",
                    &other,
                ));
            }
        };
        self.key = Some(key);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        let Some(key) = self.key.take() else {
            return Err(ConversionError::custom(
                "map value serialized before its key",
            ));
        };
        let v = value
            .serialize(ValueSerializer)
            .map_err(|e| e.at_member(&key))?;
        self.members.push((key, v));
        Ok(())
    }
    fn end(self) -> Result<Value, ConversionError> {
        Ok(Value::Struct(Struct::from_members(self.members)))
    }
}

/// A variant with content: a struct with one member named after it.
pub(super) struct VariantSerializer<S> {
    variant: &'static str,
    inner: S,
}

fn wrap(variant: &str, inner: Value) -> Value {
    let mut s = Struct::with_capacity(1);
    s.insert(variant, inner);
    Value::Struct(s)
}

impl ser::SerializeTupleVariant for VariantSerializer<SeqSerializer> {
    type Ok = Value;
    type Error = ConversionError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        self.inner
            .push(value)
            .map_err(|e| e.at_member(self.variant))
    }
    fn end(self) -> Result<Value, ConversionError> {
        Ok(wrap(self.variant, Value::Array(self.inner.items)))
    }
}

impl ser::SerializeStructVariant for VariantSerializer<StructSerializer> {
    type Ok = Value;
    type Error = ConversionError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
            .map_err(|e| e.at_member(self.variant))
    }
    fn end(self) -> Result<Value, ConversionError> {
        let inner = Value::Struct(Struct::from_members(self.inner.members));
        Ok(wrap(self.variant, inner))
    }
}
