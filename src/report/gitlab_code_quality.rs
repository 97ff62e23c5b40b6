//! `gitlab-code-quality`: GitLab's Code Quality report, one JSON array on one line.
//!
//! Observed with buf 1.75: each finding is
//! `{"description":MESSAGE,"check_name":TYPE,"fingerprint":HEX,"location":{"path":PATH,"positions":
//! {"begin":{"line":L,"column":C},"end":{"line":L,"column":C}}},"severity":"minor"}`, compact, Go's
//! escaping, the array followed by a newline. Unknown values are omitted, not written as 1: a finding
//! without a file has no `path` and `"positions":{"begin":{},"end":{}}`.
//!
//! The fingerprint: the 64-byte SHAKE256 digest, in lowercase hex, of the same object's JSON without
//! the `fingerprint` key (`{"description":..,"check_name":..,"location":..,"severity":"minor"}`).
//! Found by hashing candidates against buf's output and confirmed on every finding of the lint,
//! breaking, no-path and escaped-path cases pinned in `tests/suite/report_buf_golden.rs`.

use sha3::digest::{ExtendableOutput, Update};
use sha3::Shake256;

use super::push_go_json_string;
use crate::check::Finding;

pub(super) fn render(findings: &[&Finding]) -> String {
    let mut out = String::from("[");
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let mut location = String::from("{");
        if let Some(path) = f.path.as_deref().filter(|p| !p.is_empty()) {
            location.push_str("\"path\":");
            push_go_json_string(&mut location, path);
            location.push(',');
        }
        let (sl, sc, el, ec) = f.position();
        location.push_str(&format!(
            "\"positions\":{{\"begin\":{},\"end\":{}}}}}",
            position(sl, sc),
            position(el, ec)
        ));

        let mut head = String::from("{\"description\":");
        push_go_json_string(&mut head, &f.message);
        head.push_str(",\"check_name\":");
        push_go_json_string(&mut head, &f.rule);
        let tail = format!(",\"location\":{location},\"severity\":\"minor\"}}");

        let fingerprint = fingerprint(&format!("{head}{tail}"));
        out.push_str(&head);
        out.push_str(&format!(",\"fingerprint\":\"{fingerprint}\""));
        out.push_str(&tail);
    }
    out.push_str("]\n");
    out
}

/// `{"line":L,"column":C}` with zero values left out.
fn position(line: u32, column: u32) -> String {
    match (line, column) {
        (0, 0) => "{}".to_string(),
        (l, 0) => format!("{{\"line\":{l}}}"),
        (0, c) => format!("{{\"column\":{c}}}"),
        (l, c) => format!("{{\"line\":{l},\"column\":{c}}}"),
    }
}

fn fingerprint(json_without_fingerprint: &str) -> String {
    let mut hasher = Shake256::default();
    hasher.update(json_without_fingerprint.as_bytes());
    let mut digest = [0u8; 64];
    hasher.finalize_xof_into(&mut digest);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
