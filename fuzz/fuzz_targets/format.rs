//! The lossless parser and the formatter: any text gives a formatted file or a syntax error, and
//! formatting is idempotent.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // On the large stack the commands use (deep nesting is legal and formatted as buf does).
    let text = text.to_string();
    protoforge::limits::with_large_stack(move || {
        let _ = protoforge::syntax::parse(&text);
        if let Ok(once) = protoforge::format::format_source(&text) {
            let twice = protoforge::format::format_source(&once).expect("formatted output parses");
            assert_eq!(once, twice, "formatting is idempotent");
        }
    });
});
