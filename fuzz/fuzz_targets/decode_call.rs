#![no_main]
// Filled in by the issue that builds this entry point.
libfuzzer_sys::fuzz_target!(|_data: &[u8]| {});
