use std::time::Instant;
fn main() {
    let list = std::fs::read_to_string("/tmp/rb/paths").unwrap();
    let texts: Vec<String> = list
        .lines()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for _ in 0..3 {
        let t = Instant::now();
        let mut n = 0;
        for t in &texts {
            if protoforge::engine::summary::scan_head(t).is_some() {
                n += 1;
            }
        }
        let a = t.elapsed();
        let t = Instant::now();
        for t in &texts {
            if protoforge::engine::head::head(t).is_some() {
                n += 1;
            }
        }
        let b = t.elapsed();
        let t = Instant::now();
        for t in &texts {
            std::hint::black_box(protoforge::engine::know_head_bytes(t.as_bytes()));
        }
        let c = t.elapsed();
        let t = Instant::now();
        for t in &texts {
            std::hint::black_box(protoforge::cache::content_hash(t.as_bytes()));
        }
        let d = t.elapsed();
        println!(
            "scan_head {:?} head {:?} know_head {:?} hash {:?} ({n})",
            a, b, c, d
        );
    }
}
