//! Image decoding (binary FileDescriptorSet / buf image): any bytes are an image or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // protoforge's own hook, chained before libFuzzer's (which aborts on any panic): a
        // dependency's panic that protoforge catches and reports as a bad image
        // (`limits::catch_dependency_panic`) is not a finding; any other panic still is.
        protoforge::limits::install_print_failure_hook();
    },
    |data: &[u8]| {
        let _ = protoforge::compile::image_from_bytes(data, "fuzz.binpb");
    }
);
