//! Image decoding (binary FileDescriptorSet / buf image): any bytes are an image or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = protoforge::compile::image_from_bytes(data, "fuzz.binpb");
});
