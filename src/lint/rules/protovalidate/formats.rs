//! What protovalidate's well-known string formats accept (for `example` values), and the rules
//! of bytes fields.

use prost_reflect::Value;

/// Whether `s` is valid for the string format `name` (`email`, `hostname`, `ip`, ...), with the
/// format's name in messages; `None` when this cannot be told here (IPv6 zones).
pub(super) fn string_format(name: &str, s: &str) -> Option<(bool, &'static str)> {
    let matches = |re: &str| regex::Regex::new(re).is_ok_and(|re| re.is_match(s));
    Some(match name {
        // HTML's definition of an email address, as protovalidate uses.
        "email" => (
            matches(
                r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$",
            ),
            "email address",
        ),
        "uuid" => (
            matches(
                "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
            ),
            "UUID",
        ),
        "tuuid" => (matches("^[0-9a-fA-F]{32}$"), "trimmed UUID"),
        "ulid" => (
            matches("^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$"),
            "ULID",
        ),
        "hostname" => (is_hostname(s), "hostname"),
        "ip" => (is_ip(s, 0)?, "IP address"),
        "ipv4" => (is_ip(s, 4)?, "IPv4 address"),
        "ipv6" => (is_ip(s, 6)?, "IPv6 address"),
        "address" => (is_hostname(s) || is_ip(s, 0)?, "hostname, or ip address"),
        _ => return None,
    })
}

/// protovalidate's `isHostname`: dot-separated labels of `a-z 0-9 -` (1 to 63 characters, no
/// leading or trailing `-`), at most 253 characters, an optional trailing dot, and a last label
/// that is not all digits.
fn is_hostname(s: &str) -> bool {
    if s.len() > 253 {
        return false;
    }
    let s = s.strip_suffix('.').unwrap_or(s).to_ascii_lowercase();
    let mut all_digits = false;
    for label in s.split('.') {
        let b = label.as_bytes();
        if b.is_empty() || b.len() > 63 || b[0] == b'-' || b[b.len() - 1] == b'-' {
            return false;
        }
        if !b
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        {
            return false;
        }
        all_digits = b.iter().all(u8::is_ascii_digit);
    }
    !all_digits
}

/// An IP address of version `version` (0: either); `None` for an IPv6 zone, which is not
/// judged here.
fn is_ip(s: &str, version: u8) -> Option<bool> {
    if s.contains('%') {
        return None;
    }
    let v4 = s.parse::<std::net::Ipv4Addr>().is_ok();
    let v6 = s.parse::<std::net::Ipv6Addr>().is_ok();
    Some(match version {
        4 => v4,
        6 => v6,
        _ => v4 || v6,
    })
}

/// Lowercase hex, as CEL's `%x` prints bytes.
fn hex(b: &[u8]) -> String {
    b.iter().map(|c| format!("{c:02x}")).collect()
}

/// The violations of a bytes value; `None` for a rule not evaluated here.
pub(super) fn bytes_rules(
    b: &[u8],
    set: &[(String, Value)],
    out: &mut Vec<(String, String)>,
) -> Option<()> {
    let n = b.len() as u64;
    for (name, rule) in set {
        let u = rule.as_u64().unwrap_or(0);
        let value = rule.as_bytes().map(|v| v.to_vec()).unwrap_or_default();
        let on = rule.as_bool() == Some(true);
        let failed = match name.as_str() {
            "len" => (n != u).then(|| format!("must be {u} bytes")),
            "min_len" => (n < u).then(|| format!("must be at least {u} bytes")),
            "max_len" => (n > u).then(|| format!("must be at most {u} bytes")),
            "const" => (b != value.as_slice()).then(|| format!("must be {}", hex(&value))),
            "prefix" => {
                (!b.starts_with(&value)).then(|| format!("does not have prefix {}", hex(&value)))
            }
            "suffix" => {
                (!b.ends_with(&value)).then(|| format!("does not have suffix {}", hex(&value)))
            }
            "contains" => (!value.is_empty() && !b.windows(value.len()).any(|w| w == value))
                .then(|| format!("does not contain {}", hex(&value))),
            "in" | "not_in" => {
                let Value::List(items) = rule else {
                    return None;
                };
                let mut list = Vec::new();
                for item in items {
                    list.push(String::from_utf8(item.as_bytes()?.to_vec()).ok()?);
                }
                let found = items.iter().any(|i| i.as_bytes().is_some_and(|x| x == b));
                (found == (name == "not_in")).then(|| {
                    let verb = if found { "must not be" } else { "must be" };
                    format!("{verb} in list [{}]", list.join(", "))
                })
            }
            "pattern" => {
                let text = std::str::from_utf8(b).ok()?;
                let pattern = rule.as_str()?;
                let re = regex::Regex::new(pattern).ok()?;
                (!re.is_match(text)).then(|| format!("must match regex pattern `{pattern}`"))
            }
            "ip" | "ipv4" | "ipv6" | "uuid" if on => {
                let (sizes, what): (&[u64], &str) = match name.as_str() {
                    "ip" => (&[4, 16], "IP address"),
                    "ipv4" => (&[4], "IPv4 address"),
                    "ipv6" => (&[16], "IPv6 address"),
                    _ => (&[16], "UUID"),
                };
                if n == 0 {
                    out.push((
                        format!("{name}_empty"),
                        format!("value is empty, which is not a valid {what}"),
                    ));
                    None
                } else {
                    (!sizes.contains(&n)).then(|| format!("must be a valid {what}"))
                }
            }
            "ip" | "ipv4" | "ipv6" | "uuid" => None,
            _ => return None,
        };
        out.extend(failed.map(|m| (name.clone(), m)));
    }
    Some(())
}
