#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| oscalc_fuzz::meta_constraints(data));
