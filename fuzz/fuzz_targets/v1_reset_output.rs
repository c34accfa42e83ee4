#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kubectl_coder_fuzz::checks::v1_reset_output(data));
