//! Input specs (`dir`, `x.git#branch=main,subdir=proto`, `x.tar.gz#strip_components=1`, ...):
//! any string is a spec or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = protoforge::input::InputSpec::parse(text) {
        // What a parsed spec is used for: its git options are shown in messages, and parsing its
        // own text again gives the same spec.
        let _ = spec.git.describe();
        let again = protoforge::input::InputSpec::parse(&spec.raw).expect("a parsed spec parses again");
        assert_eq!(again.location, spec.location);
        assert_eq!(again.subdir, spec.subdir);
    }
});
