//! Walking and writing protobuf wire bytes field by field: images and descriptors are rewritten
//! at this level so that custom options and unknown fields keep their bytes.

use prost::encoding::{decode_key, decode_varint, encode_key, encode_varint, WireType};

/// One field as read by [`next_field`].
pub struct Field<'a> {
    pub tag: u32,
    /// The value of a length-delimited field.
    pub body: Option<&'a [u8]>,
    /// The whole field as it was: key and value.
    pub raw: &'a [u8],
}

/// Reads the next field of `buf` and moves past it.
pub fn next_field<'a>(buf: &mut &'a [u8]) -> Result<Field<'a>, String> {
    let start = *buf;
    let (tag, wire) = decode_key(buf).map_err(|e| e.to_string())?;
    let body = take_value(buf, wire)?;
    Ok(Field {
        tag,
        body,
        raw: &start[..start.len() - buf.len()],
    })
}

/// Skips one field value (after its key); returns the bytes of a length-delimited one.
pub fn take_value<'a>(buf: &mut &'a [u8], wire: WireType) -> Result<Option<&'a [u8]>, String> {
    let skip = |buf: &mut &'a [u8], n: usize| {
        if buf.len() < n {
            return Err("truncated field".to_string());
        }
        *buf = &buf[n..];
        Ok(None)
    };
    match wire {
        WireType::Varint => decode_varint(buf).map(|_| None).map_err(|e| e.to_string()),
        WireType::SixtyFourBit => skip(buf, 8),
        WireType::ThirtyTwoBit => skip(buf, 4),
        WireType::LengthDelimited => {
            let len = decode_varint(buf).map_err(|e| e.to_string())? as usize;
            if len > buf.len() {
                return Err("truncated field".into());
            }
            let (body, rest) = buf.split_at(len);
            *buf = rest;
            Ok(Some(body))
        }
        WireType::StartGroup | WireType::EndGroup => Err("unexpected group".into()),
    }
}

/// Writes a length-delimited field.
pub fn put_length_delimited(tag: u32, body: &[u8], out: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, out);
    encode_varint(body.len() as u64, out);
    out.extend_from_slice(body);
}
