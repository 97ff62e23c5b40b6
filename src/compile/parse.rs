//! Parsing one workspace file: our lowering of proto2/proto3 files to protox's exact descriptor
//! ([`super::lower_proto`], fast linking only) with protox's parser as its fallback, or our
//! editions front end for files with an `edition` statement (see [`super::editions`]).

use prost_types::FileDescriptorProto;
use protox::file::File;

use super::lower_proto::Locations;
use super::source_info::{Detached, Own};
use super::Linking;
use super::{editions, json_names, lower_proto};
use crate::check::Finding;

/// A parsed workspace file, ready to be handed to the linker.
pub(super) struct Parsed {
    pub link: Link,
    /// For editions files: the edition, and whether descriptor.proto was added to the imports
    /// of the copy handed to the linker.
    pub editions: Option<(editions::Edition, editions::Restore)>,
}

pub(super) enum Link {
    /// With its source text and full source info ([`Linking::Exact`]).
    File(Box<File>),
    /// The descriptor alone, its source info split off ([`Linking::Fast`]) or never made
    /// ([`Linking::Bare`]).
    Descriptor(Box<FileDescriptorProto>),
}

pub(super) enum ParseFailure {
    Protox(protox::Error),
    Editions(Vec<editions::EditionsError>),
}

impl Parsed {
    pub fn descriptor(&self) -> &FileDescriptorProto {
        match &self.link {
            Link::File(file) => file.file_descriptor_proto(),
            Link::Descriptor(proto) => proto,
        }
    }

    /// A second copy, for a file linked in several shards (only descriptors are ever shared).
    pub fn duplicate(&self) -> Option<Parsed> {
        match &self.link {
            Link::File(_) => None,
            Link::Descriptor(proto) => Some(Parsed {
                link: Link::Descriptor(proto.clone()),
                editions: self.editions.clone(),
            }),
        }
    }

    pub fn into_file(self) -> File {
        match self.link {
            Link::File(file) => *file,
            Link::Descriptor(proto) => File::from_file_descriptor_proto(*proto),
        }
    }
}

/// Parses a file; with [`Linking::Fast`], its source info comes back split off (without
/// `comments`, our lowering leaves the comments out of it); with [`Linking::Bare`], none is made;
/// with [`Linking::Deferred`], it is made later when our lowering reads the file (else split off,
/// as `Fast`).
pub(super) fn parse_file(
    name: &str,
    text: &str,
    linking: Linking,
    comments: bool,
) -> Result<(Parsed, Option<Own>), ParseFailure> {
    if let Some(bad) = super::precheck::check_bytes(text) {
        return Err(ParseFailure::Editions(vec![bad]));
    }
    let too_deep = super::precheck::check(text);
    if !too_deep.is_empty() {
        return Err(ParseFailure::Editions(too_deep));
    }
    // A UTF-8 byte order mark is accepted, as buf accepts it: the parser sees three spaces in its
    // place (same byte offsets, same lines).
    let without_bom;
    let text = match text.strip_prefix('\u{FEFF}') {
        Some(rest) => {
            without_bom = format!("   {rest}");
            without_bom.as_str()
        }
        None => text,
    };
    let (file, editions) = match editions::editions_tree(text) {
        Some(Err(e)) => return Err(ParseFailure::Editions(vec![e])),
        Some(Ok(tree)) => match editions::lower(name, &tree) {
            Ok(lowered) => {
                let meta = (lowered.edition, lowered.restore());
                (lowered.link, Some(meta))
            }
            Err(editions::LowerError::Protox(e)) => return Err(ParseFailure::Protox(e)),
            Err(editions::LowerError::Editions(errs)) => return Err(ParseFailure::Editions(errs)),
        },
        None if linking != Linking::Exact => {
            // Our own lowering when it is sure to give protox's answer; protox's parser
            // otherwise (its errors included).
            let locations = match linking {
                Linking::Bare => Locations::None,
                Linking::Deferred => Locations::OfOptions,
                Linking::Fast if !comments => Locations::WithoutComments,
                Linking::Fast | Linking::Exact => Locations::All,
            };
            let (mut proto, lowered) = match lower_proto::lower(name, text, locations) {
                Some(proto) => (proto, true),
                None => (
                    protox_parse::parse(name, text).map_err(|e| failure(e.into(), text))?,
                    false,
                ),
            };
            json_names::make_linkable(&mut proto, false);
            if lowered && linking == Linking::Deferred {
                // The option locations alone go to the linker, as `split` would leave them.
                let parsed = Parsed {
                    link: Link::Descriptor(Box::new(proto)),
                    editions: None,
                };
                return Ok((parsed, Some(Own::Later)));
            }
            return Ok(split(proto, None, text, linking));
        }
        None => (
            File::from_source(name, text).map_err(|e| failure(e, text))?,
            None,
        ),
    };
    let is_editions = editions.is_some();
    Ok(match linking {
        Linking::Exact => {
            let mut file = file;
            let proto = file.file_descriptor_proto();
            if is_editions || matches!(proto.syntax.as_deref(), None | Some("") | Some("proto2")) {
                let mut proto = proto.clone();
                if json_names::make_linkable(&mut proto, is_editions) {
                    // The source text goes: link errors of this file are placed by name.
                    file = File::from_file_descriptor_proto(proto);
                }
            }
            (
                Parsed {
                    link: Link::File(Box::new(file)),
                    editions,
                },
                None,
            )
        }
        Linking::Fast | Linking::Bare | Linking::Deferred => {
            let mut proto = file.file_descriptor_proto().clone();
            json_names::make_linkable(&mut proto, is_editions);
            split(proto, editions, text, linking)
        }
    })
}

/// A protox parse error, or ours when the file uses `import option` outside edition 2024.
fn failure(err: protox::Error, text: &str) -> ParseFailure {
    match editions::legacy_option_import(text) {
        Some(err) => ParseFailure::Editions(vec![err]),
        None => ParseFailure::Protox(err),
    }
}

/// The descriptor to link, and its source info split off ([`Detached`]), or dropped
/// ([`Linking::Bare`]).
fn split(
    mut proto: FileDescriptorProto,
    editions: Option<(editions::Edition, editions::Restore)>,
    text: &str,
    linking: Linking,
) -> (Parsed, Option<Own>) {
    let source_info = if linking == Linking::Bare {
        proto.source_code_info = None;
        None
    } else {
        Detached::split(&mut proto, text).map(Own::Split)
    };
    let parsed = Parsed {
        link: Link::Descriptor(Box::new(proto)),
        editions,
    };
    (parsed, source_info)
}

/// A `COMPILE` finding for an editions front-end error (byte span -> 1-based line/column).
pub(super) fn editions_finding(e: &editions::EditionsError, text: &str, path: &str) -> Finding {
    let span =
        crate::check::Span::from_byte_range(text, e.span.start as usize, e.span.end as usize);
    let mut f = Finding::new(
        "COMPILE",
        Some(path.to_string()),
        Some(span),
        e.message.clone(),
    );
    if let Some(help) = &e.help {
        f = f.with_help(help.clone());
    }
    f
}
