//! Keeping `SourceCodeInfo` out of the descriptor pool, and encoded until someone reads it.
//!
//! prost-reflect keeps three copies of every file it links (its own raw descriptor, a clone made
//! while collecting names, and a prost-types copy), and when it interprets an option it rewrites
//! the paths of the option's locations by scanning all locations of the file: quadratic in a file
//! with many options. Source info is most of a descriptor's size (a location with a path, a span
//! and comments for every element; decoded, several hundred bytes each), so handing it to the pool
//! dominated the time and memory of a large compile.
//!
//! So right after parsing, [`Detached::split`] encodes a file's source info (a few bytes per
//! location) and leaves in the descriptor only the locations of option statements: those are the
//! ones the pool rewrites (their paths go through `uninterpreted_option`, field 999). After linking,
//! [`Detached::rejoin`] puts the rewritten option locations back into the encoded stream. The image
//! file keeps that encoding and decodes it when a check needs positions or comments.

use std::ops::Range;

use prost::encoding::{decode_key, decode_varint, encode_key, encode_varint, WireType};
use prost::Message;
use prost_types::source_code_info::Location;
use prost_types::{FileDescriptorProto, SourceCodeInfo};

/// `uninterpreted_option` in every `*Options` message of descriptor.proto.
const UNINTERPRETED_OPTION: i32 = 999;
/// `location` in `SourceCodeInfo`.
const LOCATION_FIELD: u32 = 1;

/// A file's source info, encoded and taken out of its descriptor before linking.
#[derive(Debug)]
pub struct Detached {
    /// The encoded `SourceCodeInfo` as parsed.
    encoded: Vec<u8>,
    /// Where the option locations left in the descriptor are in `encoded`, in order.
    option_locations: Vec<Range<usize>>,
}

impl Detached {
    /// Takes the source info out of `file`, leaving only the locations of option statements.
    pub fn split(file: &mut FileDescriptorProto) -> Option<Detached> {
        let full = file.source_code_info.take()?;
        let mut encoded = Vec::with_capacity(full.encoded_len());
        let mut option_locations = Vec::new();
        let mut left = Vec::new();
        for location in full.location {
            let start = encoded.len();
            encode_location(&location, &mut encoded);
            if location.path.contains(&UNINTERPRETED_OPTION) {
                option_locations.push(start..encoded.len());
                left.push(location);
            }
        }
        if !left.is_empty() {
            file.source_code_info = Some(SourceCodeInfo { location: left });
        }
        Some(Detached {
            encoded,
            option_locations,
        })
    }

    /// The encoded source info, with the option paths as the linker rewrote them in `linked` (the
    /// pool's copy of the locations left by [`Detached::split`]). `None` if `linked` does not hold
    /// those locations (then the caller cannot trust the paths and must link with full info).
    pub fn rejoin(self, linked: Option<&SourceCodeInfo>) -> Option<Vec<u8>> {
        let linked = linked.map(|l| l.location.as_slice()).unwrap_or(&[]);
        if linked.len() != self.option_locations.len() {
            return None;
        }
        if linked.is_empty() {
            return Some(self.encoded);
        }
        let mut out = Vec::with_capacity(self.encoded.len() + 16 * linked.len());
        let mut copied = 0;
        for (range, location) in self.option_locations.iter().zip(linked) {
            let original = decode_location(&self.encoded[range.clone()])?;
            if original.span != location.span {
                return None;
            }
            out.extend_from_slice(&self.encoded[copied..range.start]);
            encode_location(location, &mut out);
            copied = range.end;
        }
        out.extend_from_slice(&self.encoded[copied..]);
        Some(out)
    }
}

/// Encodes a whole `SourceCodeInfo` the way [`Detached`] keeps it.
pub fn encode(info: &SourceCodeInfo) -> Vec<u8> {
    info.encode_to_vec()
}

/// Walks an encoded `SourceCodeInfo`, decoding only each location's path: `visit(path, location)`
/// gets the path and the location's own encoding (decode it with `Location::decode` if wanted).
/// Stops at the first malformed byte (our encodings are well-formed).
pub fn scan(mut encoded: &[u8], mut visit: impl FnMut(&[i32], &[u8])) {
    let mut path = Vec::new();
    while !encoded.is_empty() {
        let Some(location) = next_location(&mut encoded) else {
            return;
        };
        path.clear();
        if read_path(location, &mut path).is_none() {
            return;
        }
        visit(&path, location);
    }
}

/// The body of the next `location` field.
fn next_location<'a>(encoded: &mut &'a [u8]) -> Option<&'a [u8]> {
    let (tag, wire) = decode_key(encoded).ok()?;
    if tag != LOCATION_FIELD || wire != WireType::LengthDelimited {
        return None;
    }
    let len = decode_varint(encoded).ok()? as usize;
    let body = encoded.get(..len)?;
    *encoded = &encoded[len..];
    Some(body)
}

/// The `path` of an encoded location (field 1, packed; prost writes it first).
fn read_path(mut location: &[u8], path: &mut Vec<i32>) -> Option<()> {
    while !location.is_empty() {
        let (tag, wire) = decode_key(&mut location).ok()?;
        match (tag, wire) {
            (1, WireType::LengthDelimited) => {
                let len = decode_varint(&mut location).ok()? as usize;
                let mut packed = location.get(..len)?;
                location = &location[len..];
                while !packed.is_empty() {
                    path.push(decode_varint(&mut packed).ok()? as i32);
                }
            }
            (1, WireType::Varint) => path.push(decode_varint(&mut location).ok()? as i32),
            // Every other field comes after the path: stop.
            _ => return Some(()),
        }
    }
    Some(())
}

fn encode_location(location: &Location, out: &mut Vec<u8>) {
    encode_key(LOCATION_FIELD, WireType::LengthDelimited, out);
    encode_varint(location.encoded_len() as u64, out);
    location.encode_raw(out);
}

fn decode_location(mut field: &[u8]) -> Option<Location> {
    let (tag, wire) = decode_key(&mut field).ok()?;
    if tag != LOCATION_FIELD || wire != WireType::LengthDelimited {
        return None;
    }
    let len = decode_varint(&mut field).ok()? as usize;
    (len == field.len())
        .then(|| Location::decode(field).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(path: &[i32], line: i32) -> Location {
        Location {
            path: path.to_vec(),
            span: vec![line, 0, 5],
            leading_comments: Some(format!(" comment {line}\n")),
            ..Location::default()
        }
    }

    #[test]
    fn split_leaves_option_locations_and_rejoin_takes_their_new_paths() {
        let mut file = FileDescriptorProto {
            name: Some("a.proto".into()),
            source_code_info: Some(SourceCodeInfo {
                location: vec![
                    loc(&[], 0),
                    loc(&[4, 0], 1),
                    loc(&[4, 0, 7, 999, 0], 2),
                    loc(&[4, 0, 2, 0], 3),
                    loc(&[4, 0, 2, 0, 8, 999, 0], 4),
                ],
            }),
            ..FileDescriptorProto::default()
        };
        let detached = Detached::split(&mut file).expect("has source info");
        let left = file
            .source_code_info
            .as_ref()
            .expect("option locations left");
        assert_eq!(left.location.len(), 2);

        let mut linked = left.clone();
        linked.location[0].path = vec![4, 0, 7, 50001];
        linked.location[1].path = vec![4, 0, 2, 0, 8, 50002, 1];
        let encoded = detached.rejoin(Some(&linked)).expect("paths line up");
        let full = SourceCodeInfo::decode(encoded.as_slice()).expect("valid encoding");
        let paths: Vec<&[i32]> = full.location.iter().map(|l| l.path.as_slice()).collect();
        assert_eq!(
            paths,
            [
                &[][..],
                &[4, 0],
                &[4, 0, 7, 50001],
                &[4, 0, 2, 0],
                &[4, 0, 2, 0, 8, 50002, 1]
            ]
        );
        assert_eq!(
            full.location[4].leading_comments.as_deref(),
            Some(" comment 4\n")
        );
    }

    #[test]
    fn scan_reads_every_path() {
        let info = SourceCodeInfo {
            location: vec![loc(&[], 0), loc(&[4, 0, 2, 300], 1), loc(&[12], 2)],
        };
        let mut seen = Vec::new();
        scan(&encode(&info), |path, raw| {
            seen.push((path.to_vec(), Location::decode(raw).expect("location").span));
        });
        assert_eq!(
            seen,
            [
                (vec![], vec![0, 0, 5]),
                (vec![4, 0, 2, 300], vec![1, 0, 5]),
                (vec![12], vec![2, 0, 5])
            ]
        );
        let mut count = 0;
        scan(&[0x0a, 0x09, 0x0a], |_, _| count += 1);
        assert_eq!(count, 0, "a truncated encoding stops the scan");
    }

    #[test]
    fn without_options_the_encoding_is_the_whole_source_info() {
        let info = SourceCodeInfo {
            location: vec![loc(&[], 0), loc(&[4, 0], 1)],
        };
        let mut file = FileDescriptorProto {
            source_code_info: Some(info.clone()),
            ..FileDescriptorProto::default()
        };
        let detached = Detached::split(&mut file).expect("has source info");
        assert!(file.source_code_info.is_none());
        assert_eq!(detached.rejoin(None), Some(encode(&info)));
    }

    #[test]
    fn rejoin_refuses_locations_that_do_not_line_up() {
        let file = FileDescriptorProto {
            source_code_info: Some(SourceCodeInfo {
                location: vec![loc(&[8, 999, 0], 2)],
            }),
            ..FileDescriptorProto::default()
        };
        let mut moved = file.source_code_info.clone().expect("has source info");
        moved.location[0].span = vec![3, 0, 5];
        let detached = || Detached::split(&mut file.clone()).expect("has source info");
        assert!(detached().rejoin(Some(&moved)).is_none());
        assert!(detached().rejoin(None).is_none());
        assert!(Detached::split(&mut FileDescriptorProto::default()).is_none());
    }
}
