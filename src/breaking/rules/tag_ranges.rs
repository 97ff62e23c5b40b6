//! Comparing number ranges (reserved ranges, extension ranges): which previous numbers are no
//! longer covered.

/// Inclusive ranges, sorted and merged (overlapping or adjacent ones joined).
pub fn collapse(mut ranges: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    ranges.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (start, end) in ranges {
        match out.last_mut() {
            Some(last) if start <= last.1 + 1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// The parts of `start..=end` that `collapsed` does not cover.
pub fn missing(start: i64, end: i64, collapsed: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut next = start;
    for &(s, e) in collapsed {
        if e < next {
            continue;
        }
        if s > end {
            break;
        }
        if s > next {
            out.push((next, s - 1));
        }
        next = e + 1;
        if next > end {
            return out;
        }
    }
    if next <= end {
        out.push((next, end));
    }
    out
}

/// `[4]`, `[4,5]`, `[1000,max]`.
pub fn range_string(start: i64, end: i64, max: i64) -> String {
    if start == end {
        format!("[{start}]")
    } else if end == max {
        format!("[{start},max]")
    } else {
        format!("[{start},{end}]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_parts() {
        let c = collapse(vec![(5, 10), (1, 2), (3, 4), (20, 30)]);
        assert_eq!(c, vec![(1, 10), (20, 30)]);
        assert_eq!(missing(1, 10, &c), vec![]);
        assert_eq!(missing(8, 25, &c), vec![(11, 19)]);
        assert_eq!(missing(0, 40, &c), vec![(0, 0), (11, 19), (31, 40)]);
        assert_eq!(missing(12, 15, &c), vec![(12, 15)]);
        assert_eq!(missing(1, 5, &[]), vec![(1, 5)]);
    }
}
