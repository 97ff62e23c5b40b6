//! buf.yaml, buf.work.yaml and buf.gen.yaml decoding: any text is a config or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = protoforge::config::parse_buf_yaml("buf.yaml", text);
    let _ = protoforge::config::parse_buf_work_yaml("buf.work.yaml", text);
    let _ = protoforge::config::buf_gen::parse("buf.gen.yaml", text);
});
