//! Deleting reserved ranges or names from messages and enums.

use super::current_file;
use super::extension_message_no_delete::message_max;
use super::tag_ranges::{collapse, missing, range_string};
use crate::breaking::{Pairs, Report};
use crate::image::ImageFile;

crate::declare_rule! {
    /// Checks that a message keeps every reserved number and name.
    ///
    /// Reservations keep old numbers and names from being reused with another meaning; dropping one
    /// re-opens that door. Reported on the message.
    pub RESERVED_MESSAGE_NO_DELETE = "Checks that reserved ranges and names are not deleted from messages."
}

crate::declare_rule! {
    /// Checks that an enum keeps every reserved number and name. Reported on the enum.
    pub RESERVED_ENUM_NO_DELETE = "Checks that reserved ranges and names are not deleted from enums."
}

#[allow(clippy::too_many_arguments)]
fn compare<'a>(
    r: &mut Report<'a>,
    kind: &str,
    name: &str,
    file: Option<&'a ImageFile>,
    path: &[i32],
    against: Option<&'a ImageFile>,
    (previous, previous_max): (Vec<(i64, i64)>, i64),
    (current, current_max): (Vec<(i64, i64)>, i64),
    previous_names: Vec<String>,
    current_names: Vec<String>,
) {
    let now = collapse(current);
    for (start, end) in previous {
        let gone = missing(start, end, &now);
        if gone.is_empty() {
            continue;
        }
        let removed: Vec<String> = gone
            .iter()
            .map(|(s, e)| range_string(*s, *e, current_max))
            .collect();
        let previous_range = range_string(start, end, previous_max);
        r.at(
            file,
            path,
            against,
            format!(
                "Previously present reserved range {previous_range:?} on {kind} {name:?} is missing values: {} were removed.",
                removed.join(", ")
            ),
        )
        .help(format!("keep `reserved {};` in {kind} {name}", reserved_syntax(start, end, previous_max)));
    }
    for n in previous_names {
        if !current_names.contains(&n) {
            r.at(
                file,
                path,
                against,
                format!("Previously present reserved name {n:?} on {kind} {name:?} was deleted."),
            )
            .help(format!("keep `reserved {n:?};` in {kind} {name}"));
        }
    }
}

fn reserved_syntax(start: i64, end: i64, max: i64) -> String {
    if start == end {
        start.to_string()
    } else if end == max {
        format!("{start} to max")
    } else {
        format!("{start} to {end}")
    }
}

pub(super) fn messages<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.messages {
        let ranges = |m: &prost_reflect::MessageDescriptor| -> Vec<(i64, i64)> {
            m.reserved_ranges()
                .map(|r| (i64::from(r.start), i64::from(r.end) - 1))
                .collect()
        };
        let names = |m: &prost_reflect::MessageDescriptor| -> Vec<String> {
            m.reserved_names().map(str::to_string).collect()
        };
        compare(
            r,
            "message",
            cur.name(),
            current_file(p, &cur.parent_file()),
            cur.path(),
            p.previous.file(prev.parent_file().name()),
            (ranges(prev), message_max(prev)),
            (ranges(cur), message_max(cur)),
            names(prev),
            names(cur),
        );
    }
}

pub(super) fn enums<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.enums {
        let ranges = |e: &prost_reflect::EnumDescriptor| -> Vec<(i64, i64)> {
            e.reserved_ranges()
                .map(|r| (i64::from(*r.start()), i64::from(*r.end())))
                .collect()
        };
        let names = |e: &prost_reflect::EnumDescriptor| -> Vec<String> {
            e.reserved_names().map(str::to_string).collect()
        };
        compare(
            r,
            "enum",
            cur.name(),
            current_file(p, &cur.parent_file()),
            cur.path(),
            p.previous.file(prev.parent_file().name()),
            (ranges(prev), 2_147_483_647),
            (ranges(cur), 2_147_483_647),
            names(prev),
            names(cur),
        );
    }
}
