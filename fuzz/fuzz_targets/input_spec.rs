//! Input specs (`dir`, `x.git#branch=main,subdir=proto`, `x.tar.gz#strip_components=1`, ...):
//! any string is a spec or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = protoforge::input::InputSpec::parse(text) {
        let _ = spec.describe();
    }
});
